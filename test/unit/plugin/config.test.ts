import { PROVIDER_CONFIG } from "../../../plugin/package-schema";
import {
  CONFIG_KEY_MAP,
  PLUGIN_ONLY_KEYS,
  configFromRequest,
  configSource,
  inPluginTerms,
  unknownConfigKeys,
} from "../../../plugin/config";
import { secret } from "../../../plugin/properties";

describe("the provider config table", () => {
  it("maps every provider config key but the plugin's own onto a key the core reads", () => {
    const mapped = Object.keys(CONFIG_KEY_MAP).sort();
    const expected = Object.keys(PROVIDER_CONFIG)
      .filter((key) => !(PLUGIN_ONLY_KEYS as readonly string[]).includes(key))
      .sort();
    expect(mapped).toEqual(expected);
    expect(CONFIG_KEY_MAP.region).toBe("alicloud:region");
    expect(CONFIG_KEY_MAP.secretKey).toBe("alicloud:secretKey");
    expect(CONFIG_KEY_MAP.profile).toBe("alicloud:profile");
    expect(CONFIG_KEY_MAP.endpoint).toBe("pulumi-mps-fpdb:endpoint");
    expect(CONFIG_KEY_MAP.pollIntervalMs).toBe("pulumi-mps-fpdb:pollIntervalMs");
  });

  it("answers the core's keys from the provider's, and nothing for another package's", () => {
    const source = configSource({
      values: { region: "cn-shanghai", pollIntervalMs: "50", accessKey: "LTAI-x" },
      secretKeys: new Set(),
    });
    expect(source.get("alicloud:region")).toBe("cn-shanghai");
    expect(source.get("pulumi-mps-fpdb:pollIntervalMs")).toBe("50");
    expect(source.get("alicloud:accessKey")).toBe("LTAI-x");
    expect(source.get("alicloud:secretKey")).toBeUndefined();
    expect(source.get("region")).toBeUndefined();
  });
});

describe("configFromRequest", () => {
  it("takes the arguments first: typed values as config text, secrets revealed and remembered", () => {
    const config = configFromRequest(
      { region: "cn-hangzhou", pollIntervalMs: 25, secretKey: secret("s3cr3t-value") },
      [["mps-fpdb:region", "cn-beijing"]],
      { PULUMI_CONFIG: JSON.stringify({ region: "cn-shenzhen" }) },
    );
    expect(config.values).toEqual({ region: "cn-hangzhou", pollIntervalMs: "25", secretKey: "s3cr3t-value" });
    expect([...config.secretKeys]).toEqual(["secretKey"]);
  });

  it("else the variables of its own namespace, else PULUMI_CONFIG", () => {
    const variables: [string, string][] = [
      ["mps-fpdb:region", "cn-beijing"],
      ["alicloud:region", "cn-qingdao"],
    ];
    expect(configFromRequest(undefined, variables, {}).values).toEqual({ region: "cn-beijing" });
    expect(
      configFromRequest({}, [], { PULUMI_CONFIG: '{"region":"cn-shenzhen","maxAttempts":3}' }).values,
    ).toEqual({ region: "cn-shenzhen", maxAttempts: "3" });
    expect(configFromRequest(undefined, [], { PULUMI_CONFIG: "not json" }).values).toEqual({});
  });
});

describe("unknownConfigKeys", () => {
  it("refuses keys the provider does not have, and lets the engine's own through", () => {
    const failures = unknownConfigKeys(["region", "version", "regoin", "__internal"]);
    expect(failures).toHaveLength(1);
    expect(failures[0].property).toBe("regoin");
    expect(failures[0].reason).toMatch(
      /^`regoin` is not a setting of the mps-fpdb provider\. Remove it; the settings are `region`, /,
    );
  });
});

describe("inPluginTerms", () => {
  it("names the keys a plugin user sets where the core names a dynamic provider's stack config", () => {
    expect(
      inPluginTerms(
        "Set `alicloud:region` (pulumi config set alicloud:region cn-shanghai), or alicloud:accessKey/alicloud:secretKey; " +
          "`pulumi-mps-fpdb:pollIntervalMs` is bad; pulumi-mps-fpdb:endpoint wins.",
      ),
    ).toBe(
      "Set `mps-fpdb:region` (pulumi config set mps-fpdb:region cn-shanghai), or mps-fpdb:accessKey/mps-fpdb:secretKey; " +
        "`mps-fpdb:pollIntervalMs` is bad; mps-fpdb:endpoint wins.",
    );
    expect(inPluginTerms("alicloud:regionX and alicloud:kmsKey stay")).toBe(
      "alicloud:regionX and alicloud:kmsKey stay",
    );
  });
});
