/**
 * The package's own settings: stack config in the `pulumi-mps-fpdb:` namespace (delivered to `configure`), with
 * `MPS_FPDB_<UPPER_SNAKE>` environment variables as fallbacks. Resolved and validated once per provider process.
 * The provider host is a separate process a fake clock cannot reach, so tests through it shrink these instead.
 */
import { ConfigError } from "../errors";
import { parseEndpoint } from "./endpoint";

/** Stack config as `configure` delivers it: full namespaced keys (`alicloud:region`, `pulumi-mps-fpdb:endpoint`). */
export interface ConfigSource {
  get(key: string): string | undefined;
}

/** The stack config namespace of this package's settings. */
export const SETTINGS_NAMESPACE = "pulumi-mps-fpdb";

/** Prefix of the environment variables that stand in for unset settings. */
export const SETTINGS_ENV_PREFIX = "MPS_FPDB_";

// The one home of the package's defaults: the clients, the retry layer, the rate limiter and the wait scheduler
// take theirs from here.

/** MPS documents 100 requests per second per action for these APIs. */
export const DEFAULT_REQUESTS_PER_SECOND = 100;
export const DEFAULT_CONNECT_TIMEOUT_MS = 5_000;
export const DEFAULT_READ_TIMEOUT_MS = 10_000;
/** Base of the full-jitter backoff for transient errors. */
export const DEFAULT_RETRY_BASE_MS = 200;
/** Larger base for throttling answers, so a throttled account backs off harder. */
export const DEFAULT_RETRY_THROTTLE_BASE_MS = 1_000;
export const DEFAULT_RETRY_MAX_DELAY_MS = 20_000;
/** Attempts per call, the first included. */
export const DEFAULT_MAX_ATTEMPTS = 8;
/** Cap of a wait's backed-off poll interval. */
export const DEFAULT_MAX_POLL_INTERVAL_MS = 30_000;
/** Spacing of progress lines per kind of wait. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 10_000;

/** Resolved settings. Units are in the names. */
export interface Settings {
  /** Endpoint override for every resource (normalised URL); wins over each resource's `endpoint`. */
  endpoint?: string;
  requestsPerSecond: number;
  connectTimeoutMs: number;
  readTimeoutMs: number;
  retryBaseMs: number;
  retryThrottleBaseMs: number;
  retryMaxDelayMs: number;
  maxAttempts: number;
  /** Overrides every resource's `pollIntervalSeconds` when set. */
  pollIntervalMs?: number;
  maxPollIntervalMs: number;
  progressIntervalMs: number;
}

/** The settings an MPS client is built with (transport timeouts, pacing and retry), under the client's names. */
export function clientTuning(
  settings: Settings,
): Pick<
  Settings,
  | "connectTimeoutMs"
  | "readTimeoutMs"
  | "requestsPerSecond"
  | "retryBaseMs"
  | "retryThrottleBaseMs"
  | "retryMaxDelayMs"
  | "maxAttempts"
> {
  const { connectTimeoutMs, readTimeoutMs, requestsPerSecond, retryBaseMs, retryThrottleBaseMs } = settings;
  const { retryMaxDelayMs, maxAttempts } = settings;
  return {
    connectTimeoutMs,
    readTimeoutMs,
    requestsPerSecond,
    retryBaseMs,
    retryThrottleBaseMs,
    retryMaxDelayMs,
    maxAttempts,
  };
}

/** The settings when nothing is configured. */
export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  requestsPerSecond: DEFAULT_REQUESTS_PER_SECOND,
  connectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS,
  readTimeoutMs: DEFAULT_READ_TIMEOUT_MS,
  retryBaseMs: DEFAULT_RETRY_BASE_MS,
  retryThrottleBaseMs: DEFAULT_RETRY_THROTTLE_BASE_MS,
  retryMaxDelayMs: DEFAULT_RETRY_MAX_DELAY_MS,
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
  maxPollIntervalMs: DEFAULT_MAX_POLL_INTERVAL_MS,
  progressIntervalMs: DEFAULT_PROGRESS_INTERVAL_MS,
});

type NumericSetting = Exclude<keyof Settings, "endpoint">;

/** How a numeric setting is written and what range it accepts. */
interface NumberForm {
  integer: boolean;
  /** Whether 0 is accepted (else the value must be greater than 0). */
  zero: boolean;
  /** The expected form, for messages. */
  text: string;
}

const POSITIVE_MS: NumberForm = {
  integer: true,
  zero: false,
  text: "a whole number of milliseconds above 0",
};
const NON_NEGATIVE_MS: NumberForm = {
  integer: true,
  zero: true,
  text: "a whole number of milliseconds (0 or more)",
};

const NUMERIC_FORMS: Record<NumericSetting, NumberForm> = {
  requestsPerSecond: { integer: false, zero: false, text: "a number of requests per second above 0" },
  connectTimeoutMs: POSITIVE_MS,
  readTimeoutMs: POSITIVE_MS,
  retryBaseMs: NON_NEGATIVE_MS,
  retryThrottleBaseMs: NON_NEGATIVE_MS,
  retryMaxDelayMs: NON_NEGATIVE_MS,
  maxAttempts: { integer: true, zero: false, text: "a whole number of attempts, 1 or more" },
  pollIntervalMs: POSITIVE_MS,
  maxPollIntervalMs: POSITIVE_MS,
  progressIntervalMs: NON_NEGATIVE_MS,
};

/** `readTimeoutMs` → `MPS_FPDB_READ_TIMEOUT_MS`. */
export function settingEnvName(name: keyof Settings): string {
  return SETTINGS_ENV_PREFIX + name.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();
}

/** `readTimeoutMs` → `pulumi-mps-fpdb:readTimeoutMs`. */
export function settingConfigKey(name: keyof Settings): string {
  return `${SETTINGS_NAMESPACE}:${name}`;
}

/**
 * Resolves every setting: stack config first, then the environment, then the default. Empty values count as
 * unset. Throws `ConfigError` naming the key, the value and the expected form for the first bad value.
 */
export function resolveSettings(config: ConfigSource, env: NodeJS.ProcessEnv): Settings {
  const settings: Settings = { ...DEFAULT_SETTINGS };
  const endpoint = lookup(config, env, "endpoint");
  if (endpoint) {
    const parsed = parseEndpoint(endpoint.value);
    if (!parsed.ok) throw badEndpointSetting(endpoint, parsed.problem);
    settings.endpoint = parsed.endpoint.url;
  }
  for (const name of Object.keys(NUMERIC_FORMS) as NumericSetting[]) {
    const found = lookup(config, env, name);
    if (found) settings[name] = parseNumber(found, NUMERIC_FORMS[name]);
  }
  return settings;
}

interface Found {
  value: string;
  /** Where it came from, for messages: `stack config pulumi-mps-fpdb:x` or `environment MPS_FPDB_X`. */
  origin: string;
  name: keyof Settings;
}

function lookup(config: ConfigSource, env: NodeJS.ProcessEnv, name: keyof Settings): Found | undefined {
  const key = settingConfigKey(name);
  const fromConfig = config.get(key)?.trim();
  if (fromConfig) return { value: fromConfig, origin: `stack config \`${key}\``, name };
  const envName = settingEnvName(name);
  const fromEnv = env[envName]?.trim();
  if (fromEnv) return { value: fromEnv, origin: `environment variable ${envName}`, name };
  return undefined;
}

function parseNumber(found: Found, form: NumberForm): number {
  const pattern = form.integer ? /^\d+$/ : /^\d+(\.\d+)?$/;
  const value = Number(found.value);
  if (!pattern.test(found.value) || !Number.isFinite(value) || (!form.zero && value === 0)) {
    throw badSetting(found, form.text);
  }
  return value;
}

/**
 * The endpoint setting sends every library of the stack to one endpoint, so its fix must not suggest an example
 * host (that would move every library to the example's region): it offers the same host over HTTPS, or removing
 * the setting so each library uses its own regional endpoint.
 */
function badEndpointSetting(found: Found, problem: string): ConfigError {
  const key = settingConfigKey(found.name);
  const https = found.value.startsWith("http://")
    ? `https://${found.value.slice("http://".length)}`
    : undefined;
  const fixes = [
    ...(https ? [`use ${https} if that host serves HTTPS`] : []),
    `remove it (\`pulumi config rm ${key}\`, or unset ${settingEnvName(found.name)}) so each library uses its ` +
      "regional endpoint, mts.<region>.aliyuncs.com",
  ];
  return new ConfigError(
    `Setting \`${key}\` is "${found.value}" (from ${found.origin}) and ${problem.replace(/; use https:\/\/$/, "")}. It overrides the endpoint ` +
      `of every library in the stack: ${fixes.join("; or ")}.`,
  );
}

function badSetting(found: Found, expected: string): ConfigError {
  const example = String(exampleOf(found.name as Exclude<keyof Settings, "endpoint">));
  return new ConfigError(
    `Setting \`${settingConfigKey(found.name)}\` is "${found.value}" (from ${found.origin}); expected ${expected}, ` +
      `for example ${example}. Fix it with \`pulumi config set ${settingConfigKey(found.name)} ${example}\` or ` +
      `the environment variable ${settingEnvName(found.name)}.`,
  );
}

function exampleOf(name: Exclude<keyof Settings, "endpoint">): number {
  return name === "pollIntervalMs" ? 5_000 : DEFAULT_SETTINGS[name];
}
