import type { DiffResult } from "../../harness/host-client";
import { applyIgnoreChanges, changedKeys, decideStep } from "../../harness/plan-rules";

const unknown: DiffResult = { changes: "unknown", replaces: [], deleteBeforeReplace: false };
const none = { replaceOnChanges: [], partial: false };

describe("decideStep", () => {
  it("compares inputs itself when the provider did not decide (DIFF_UNKNOWN)", () => {
    expect(decideStep(unknown, { a: 1 }, { a: 1 }, none).kind).toBe("same");
    expect(decideStep(unknown, { a: 1 }, { a: 2 }, none)).toEqual({
      kind: "update",
      replaces: [],
      deleteBeforeReplace: false,
    });
  });

  it("treats a changed __provider as a change, so new code is stored by an update", () => {
    expect(decideStep(unknown, { a: 1, __provider: "v1" }, { a: 1, __provider: "v2" }, none).kind).toBe(
      "update",
    );
  });

  it("follows the provider's replaces and delete-before-replace", () => {
    const diff: DiffResult = { changes: "some", replaces: ["name"], deleteBeforeReplace: true };
    expect(decideStep(diff, { name: "a" }, { name: "b" }, none)).toEqual({
      kind: "replace",
      replaces: ["name"],
      deleteBeforeReplace: true,
    });
  });

  it("lets the deleteBeforeReplace resource option override the provider either way", () => {
    const dbr: DiffResult = { changes: "some", replaces: ["name"], deleteBeforeReplace: true };
    const cbd: DiffResult = { ...dbr, deleteBeforeReplace: false };
    expect(decideStep(dbr, {}, {}, { ...none, deleteBeforeReplace: false }).deleteBeforeReplace).toBe(false);
    expect(decideStep(cbd, {}, {}, { ...none, deleteBeforeReplace: true }).deleteBeforeReplace).toBe(true);
  });

  it("turns a change of a replaceOnChanges key into a replacement", () => {
    expect(decideStep(unknown, { a: 1, b: 1 }, { a: 2, b: 1 }, { ...none, replaceOnChanges: ["a"] })).toEqual(
      {
        kind: "replace",
        replaces: ["a"],
        deleteBeforeReplace: false,
      },
    );
    expect(
      decideStep(unknown, { a: 1, b: 1 }, { a: 1, b: 2 }, { ...none, replaceOnChanges: ["*"] }).replaces,
    ).toEqual(["b"]);
  });

  it("ignores replaceOnChanges when the provider's diff answered (the dynamic host reports no changed keys)", () => {
    const some: DiffResult = { changes: "some", replaces: [], deleteBeforeReplace: false };
    expect(decideStep(some, { a: 1 }, { a: 2 }, { ...none, replaceOnChanges: ["a"] }).kind).toBe("update");
  });

  it("always updates a partially created resource, even without changes", () => {
    expect(decideStep(unknown, { a: 1 }, { a: 1 }, { ...none, partial: true }).kind).toBe("update");
    expect(decideStep({ ...unknown, changes: "none" }, {}, {}, { ...none, partial: true }).kind).toBe(
      "update",
    );
  });

  it("keeps a provider's explicit DIFF_NONE even when inputs differ (the engine's Same step)", () => {
    expect(decideStep({ ...unknown, changes: "none" }, { a: 1 }, { a: 2 }, none).kind).toBe("same");
  });
});

describe("applyIgnoreChanges", () => {
  it("keeps old values, drops new keys the old inputs lacked, and reduces paths to their top-level key", () => {
    expect(applyIgnoreChanges({ a: 2, b: 2, c: { x: 2 } }, { a: 1, c: { x: 1 } }, ["a", "b", "c.x"])).toEqual(
      {
        a: 1,
        c: { x: 1 },
      },
    );
  });
});

describe("changedKeys", () => {
  it("compares values as canonical JSON, independent of key order", () => {
    expect(changedKeys({ a: { x: 1, y: 2 }, b: 1 }, { a: { y: 2, x: 1 }, b: 2, c: 3 })).toEqual(["b", "c"]);
  });
});
