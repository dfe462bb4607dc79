import { ConfigError } from "../../../core/errors";
import {
  DEFAULT_SETTINGS,
  resolveSettings,
  settingConfigKey,
  settingEnvName,
  type ConfigSource,
  type Settings,
} from "../../../core/config/settings";
import { thrown } from "../../support/thrown";

function source(values: Record<string, string> = {}): ConfigSource {
  return { get: (key) => values[key] };
}

describe("resolveSettings", () => {
  it("GIVEN nothing configured THEN the documented defaults", () => {
    expect(resolveSettings(source(), {})).toEqual({
      requestsPerSecond: 100,
      connectTimeoutMs: 5000,
      readTimeoutMs: 10000,
      retryBaseMs: 200,
      retryThrottleBaseMs: 1000,
      retryMaxDelayMs: 20000,
      maxAttempts: 8,
      maxPollIntervalMs: 30000,
      progressIntervalMs: 10000,
    });
    expect(resolveSettings(source(), {})).toEqual(DEFAULT_SETTINGS);
  });

  it.each<[keyof Settings, string, string]>([
    ["endpoint", "pulumi-mps-fpdb:endpoint", "MPS_FPDB_ENDPOINT"],
    ["requestsPerSecond", "pulumi-mps-fpdb:requestsPerSecond", "MPS_FPDB_REQUESTS_PER_SECOND"],
    ["connectTimeoutMs", "pulumi-mps-fpdb:connectTimeoutMs", "MPS_FPDB_CONNECT_TIMEOUT_MS"],
    ["readTimeoutMs", "pulumi-mps-fpdb:readTimeoutMs", "MPS_FPDB_READ_TIMEOUT_MS"],
    ["retryBaseMs", "pulumi-mps-fpdb:retryBaseMs", "MPS_FPDB_RETRY_BASE_MS"],
    ["retryThrottleBaseMs", "pulumi-mps-fpdb:retryThrottleBaseMs", "MPS_FPDB_RETRY_THROTTLE_BASE_MS"],
    ["retryMaxDelayMs", "pulumi-mps-fpdb:retryMaxDelayMs", "MPS_FPDB_RETRY_MAX_DELAY_MS"],
    ["maxAttempts", "pulumi-mps-fpdb:maxAttempts", "MPS_FPDB_MAX_ATTEMPTS"],
    ["pollIntervalMs", "pulumi-mps-fpdb:pollIntervalMs", "MPS_FPDB_POLL_INTERVAL_MS"],
    ["maxPollIntervalMs", "pulumi-mps-fpdb:maxPollIntervalMs", "MPS_FPDB_MAX_POLL_INTERVAL_MS"],
    ["progressIntervalMs", "pulumi-mps-fpdb:progressIntervalMs", "MPS_FPDB_PROGRESS_INTERVAL_MS"],
  ])("%s is read from %s, else from %s", (name, key, envName) => {
    expect(settingConfigKey(name)).toBe(key);
    expect(settingEnvName(name)).toBe(envName);
  });

  it("reads stack config, falls back to the environment, and prefers config over environment", () => {
    const settings = resolveSettings(
      source({ "pulumi-mps-fpdb:readTimeoutMs": "250", "pulumi-mps-fpdb:retryBaseMs": "0" }),
      {
        MPS_FPDB_READ_TIMEOUT_MS: "999",
        MPS_FPDB_POLL_INTERVAL_MS: "20",
        MPS_FPDB_REQUESTS_PER_SECOND: "2.5",
        MPS_FPDB_ENDPOINT: "http://127.0.0.1:4010",
      },
    );
    expect(settings).toEqual({
      ...DEFAULT_SETTINGS,
      readTimeoutMs: 250,
      retryBaseMs: 0,
      pollIntervalMs: 20,
      requestsPerSecond: 2.5,
      endpoint: "http://127.0.0.1:4010",
    });
  });

  it("normalises the endpoint override to a URL", () => {
    expect(
      resolveSettings(source({ "pulumi-mps-fpdb:endpoint": "mts.cn-beijing.aliyuncs.com" }), {}).endpoint,
    ).toBe("https://mts.cn-beijing.aliyuncs.com");
  });

  it("treats empty values as unset", () => {
    expect(
      resolveSettings(source({ "pulumi-mps-fpdb:maxAttempts": " " }), { MPS_FPDB_MAX_ATTEMPTS: "" }),
    ).toEqual(DEFAULT_SETTINGS);
  });

  it.each<[string, Record<string, string>, Record<string, string>, string]>([
    [
      "a word for a timeout",
      { "pulumi-mps-fpdb:readTimeoutMs": "ten" },
      {},
      'Setting `pulumi-mps-fpdb:readTimeoutMs` is "ten" (from stack config `pulumi-mps-fpdb:readTimeoutMs`); ' +
        "expected a whole number of milliseconds above 0, for example 10000. Fix it with `pulumi config set " +
        "pulumi-mps-fpdb:readTimeoutMs 10000` or the environment variable MPS_FPDB_READ_TIMEOUT_MS.",
    ],
    [
      "a zero connect timeout",
      {},
      { MPS_FPDB_CONNECT_TIMEOUT_MS: "0" },
      'Setting `pulumi-mps-fpdb:connectTimeoutMs` is "0" (from environment variable MPS_FPDB_CONNECT_TIMEOUT_MS); ' +
        "expected a whole number of milliseconds above 0, for example 5000. Fix it with `pulumi config set " +
        "pulumi-mps-fpdb:connectTimeoutMs 5000` or the environment variable MPS_FPDB_CONNECT_TIMEOUT_MS.",
    ],
    [
      "a fractional attempt count",
      { "pulumi-mps-fpdb:maxAttempts": "2.5" },
      {},
      'Setting `pulumi-mps-fpdb:maxAttempts` is "2.5" (from stack config `pulumi-mps-fpdb:maxAttempts`); expected ' +
        "a whole number of attempts, 1 or more, for example 8. Fix it with `pulumi config set " +
        "pulumi-mps-fpdb:maxAttempts 8` or the environment variable MPS_FPDB_MAX_ATTEMPTS.",
    ],
    [
      "a negative retry base",
      { "pulumi-mps-fpdb:retryBaseMs": "-5" },
      {},
      'Setting `pulumi-mps-fpdb:retryBaseMs` is "-5" (from stack config `pulumi-mps-fpdb:retryBaseMs`); expected ' +
        "a whole number of milliseconds (0 or more), for example 200. Fix it with `pulumi config set " +
        "pulumi-mps-fpdb:retryBaseMs 200` or the environment variable MPS_FPDB_RETRY_BASE_MS.",
    ],
    [
      "a zero request rate",
      { "pulumi-mps-fpdb:requestsPerSecond": "0" },
      {},
      'Setting `pulumi-mps-fpdb:requestsPerSecond` is "0" (from stack config `pulumi-mps-fpdb:requestsPerSecond`); ' +
        "expected a number of requests per second above 0, for example 100. Fix it with `pulumi config set " +
        "pulumi-mps-fpdb:requestsPerSecond 100` or the environment variable MPS_FPDB_REQUESTS_PER_SECOND.",
    ],
    [
      "a poll interval in hex",
      {},
      { MPS_FPDB_POLL_INTERVAL_MS: "0x10" },
      'Setting `pulumi-mps-fpdb:pollIntervalMs` is "0x10" (from environment variable MPS_FPDB_POLL_INTERVAL_MS); ' +
        "expected a whole number of milliseconds above 0, for example 5000. Fix it with `pulumi config set " +
        "pulumi-mps-fpdb:pollIntervalMs 5000` or the environment variable MPS_FPDB_POLL_INTERVAL_MS.",
    ],
    [
      "a plain-http endpoint that is not loopback",
      { "pulumi-mps-fpdb:endpoint": "http://10.0.0.5:8080" },
      {},
      // No example host: the setting moves every library, so an example would send them all to its region.
      'Setting `pulumi-mps-fpdb:endpoint` is "http://10.0.0.5:8080" (from stack config ' +
        "`pulumi-mps-fpdb:endpoint`) and uses http://, which is only allowed for loopback hosts (127.0.0.0/8, " +
        "localhost, [::1]). It overrides the endpoint of every library in the stack: use https://10.0.0.5:8080 if " +
        "that host serves HTTPS; or remove it (`pulumi config rm pulumi-mps-fpdb:endpoint`, or unset " +
        "MPS_FPDB_ENDPOINT) so each library uses its regional endpoint, mts.<region>.aliyuncs.com.",
    ],
  ])("GIVEN %s THEN a ConfigError naming key, value and expected form", (_name, config, env, message) => {
    const err = thrown(() => resolveSettings(source(config), env));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(message);
  });
});
