import { FINGERPRINT_REGIONS, MPS_REGIONS, regionFinding } from "../../../core/config/regions";

describe("regionFinding", () => {
  it.each(FINGERPRINT_REGIONS.map((r) => [r]))(
    "accepts %s, where MPS offers fingerprint libraries",
    (region) => {
      expect(regionFinding(region)).toBeUndefined();
    },
  );

  it.each<[string, string]>([
    ["cn-hangzou", "cn-hangzhou"],
    ["cn-shangai", "cn-shanghai"],
    ["cn-bejing", "cn-beijing"],
    ["ap-southeast1", "ap-southeast-1"],
    ["hangzhou", "cn-hangzhou"],
    ["CN-HANGZHOU", "cn-hangzhou"],
    [" cn-hangzhou", "cn-hangzhou"],
  ])("refuses %s as a misspelling of %s", (value, suggestion) => {
    expect(regionFinding(value)).toEqual({ kind: "misspelt", suggestion });
  });

  it("warns of an MPS region without fingerprint libraries, naming the regions that have them", () => {
    expect(MPS_REGIONS).toContain("eu-central-1");
    expect(regionFinding("eu-central-1")).toEqual({ kind: "no-fingerprint" });
  });

  it("warns of a region it does not know at all, but does not refuse it (regions are added over time)", () => {
    expect(regionFinding("xx-newregion-9")).toEqual({ kind: "unlisted" });
  });
});
