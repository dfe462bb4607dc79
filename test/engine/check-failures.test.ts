import { checkFailureText } from "../../harness/register-step";

describe("check failures as the harness reports them", () => {
  it("puts each failing property on its own line, as the engine issues one diagnostic per failure", () => {
    expect(
      checkFailureText([
        { property: "modelId", reason: "`modelId` must be one of 11 ... got 7." },
        { property: "userData", reason: "`userData` must be at most 128 UTF-8 bytes." },
      ]),
    ).toBe(
      "Check failed:\n" +
        "  property modelId: `modelId` must be one of 11 ... got 7.\n" +
        "  property userData: `userData` must be at most 128 UTF-8 bytes.",
    );
  });
});
