import { effectiveDeletionPolicy, isDeleteOnly } from "../../core/deletion-rules";
import type { LibraryState } from "../../core/types";

describe("isDeleteOnly / effectiveDeletionPolicy", () => {
  it.each<[number | undefined, boolean]>([
    [undefined, false],
    [11, true],
    [12, true],
    [13, true],
    [14, true],
    [10, false],
    [15, false],
  ])("modelId %s → Delete-only %s", (modelId, expected) => {
    expect(isDeleteOnly(modelId)).toBe(expected);
  });

  it.each<[boolean, LibraryState["deletionPolicy"], string]>([
    [false, undefined, "Delete"],
    [true, undefined, "Retain"],
    [false, "Retain", "Retain"],
    [true, "Delete", "Delete"],
    [true, "Purge", "Purge"],
  ])("adopted %s with deletionPolicy %s → %s", (isAdopted, deletionPolicy, expected) => {
    expect(effectiveDeletionPolicy({ adopted: isAdopted, deletionPolicy })).toBe(expected);
  });
});
