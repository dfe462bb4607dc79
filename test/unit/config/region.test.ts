import { resolveRegion } from "../../../core/config/credentials";
import { ConfigError } from "../../../core/errors";

const config = (region?: string) => ({
  get: (key: string) => (key === "alicloud:region" ? region : undefined),
});

describe("resolveRegion", () => {
  it.each<[string, string | undefined, string | undefined, NodeJS.ProcessEnv, string]>([
    [
      "the input first",
      "cn-hangzhou",
      "cn-beijing",
      { ALIBABA_CLOUD_REGION: "x", ALICLOUD_REGION: "y" },
      "cn-hangzhou",
    ],
    [
      "then alicloud:region",
      undefined,
      "cn-beijing",
      { ALIBABA_CLOUD_REGION: "x", ALICLOUD_REGION: "y" },
      "cn-beijing",
    ],
    [
      "then ALIBABA_CLOUD_REGION",
      undefined,
      undefined,
      { ALIBABA_CLOUD_REGION: "ap-southeast-1", ALICLOUD_REGION: "y" },
      "ap-southeast-1",
    ],
    ["then ALICLOUD_REGION", undefined, undefined, { ALICLOUD_REGION: "eu-central-1" }, "eu-central-1"],
    [
      "skipping empty values",
      " ",
      "",
      { ALIBABA_CLOUD_REGION: "", ALICLOUD_REGION: "cn-shenzhen" },
      "cn-shenzhen",
    ],
  ])("takes %s", (_name, input, configured, env, expected) => {
    expect(resolveRegion(input, config(configured), env)).toBe(expected);
  });

  it("GIVEN no region anywhere THEN a ConfigError saying how to set one", () => {
    expect(() => resolveRegion(undefined, config(), {})).toThrow(ConfigError);
    expect(() => resolveRegion(undefined, config(), {})).toThrow(
      "No region for the library. Set the `region` input, or the stack config `alicloud:region` " +
        "(`pulumi config set alicloud:region cn-shanghai`), or the environment variable ALIBABA_CLOUD_REGION " +
        "(or ALICLOUD_REGION).",
    );
  });
});
