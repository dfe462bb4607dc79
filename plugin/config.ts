/**
 * The provider's configuration: the `mps-fpdb:` stack config of the default provider, or the arguments of an
 * explicit `new mps_fpdb.Provider(...)`, mapped onto the keys the core reads (the dynamic provider's stack
 * config keys), so credentials, region, endpoint and every package setting resolve by the same rules as there.
 */
import type { ConfigSource } from "../core/config/settings";
import { settingConfigKey, type Settings } from "../core/config/settings";
import { PACKAGE_NAME, PROVIDER_CONFIG } from "./package-schema";
import { reveal, unwrap } from "./properties";

/** Keys the plugin reads itself rather than handing them to the core. */
export const PLUGIN_ONLY_KEYS = ["endpointType"] as const;

/**
 * THE table: each provider config key to the core's key. A key of `alicloud:` is read by the core's
 * credentials and region chain; a package setting keeps its name under the core's own namespace. Keys of other
 * packages never reach a plugin, so a stack that sets `alicloud:region` for pulumi-alicloud sets
 * `mps-fpdb:region` too.
 */
export const CONFIG_KEY_MAP: Readonly<Record<string, string>> = Object.fromEntries(
  Object.keys(PROVIDER_CONFIG)
    .filter((key) => !(PLUGIN_ONLY_KEYS as readonly string[]).includes(key))
    .map((key) => [key, coreKeyOf(key)]),
);

function coreKeyOf(key: string): string {
  switch (key) {
    case "region":
    case "accessKey":
    case "secretKey":
    case "securityToken":
    case "profile":
      return `alicloud:${key}`;
    default:
      return settingConfigKey(key as keyof Settings);
  }
}

const PLUGIN_TERMS: readonly [RegExp, string][] = Object.entries(CONFIG_KEY_MAP).map(([key, coreKey]) => [
  new RegExp(`${coreKey.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(?![A-Za-z0-9])`, "g"),
  `${PACKAGE_NAME}:${key}`,
]);

/**
 * A core message in the plugin's terms: the config keys the core names (`alicloud:region`,
 * `pulumi-mps-fpdb:endpoint`, as a dynamic provider's stack sets them) become the keys a plugin user sets
 * (`mps-fpdb:region`, `mps-fpdb:endpoint`), by the table above read backwards.
 */
export function inPluginTerms(text: string): string {
  let out = text;
  for (const [pattern, key] of PLUGIN_TERMS) out = out.replace(pattern, key);
  return out;
}

/** The provider's configuration, plain, by provider config key (`region`, `pollIntervalMs`, ...). */
export interface ProviderConfig {
  values: Record<string, string>;
  /** Keys whose value arrived as a secret. */
  secretKeys: Set<string>;
}

/**
 * The configuration from a Configure request: the arguments (explicit provider arguments, or the default
 * provider's config; typed values, secrets marked), else the variables (`mps-fpdb:<key>` to text), else
 * `PULUMI_CONFIG` (the default provider's config as JSON, namespace stripped). The first that has any value wins
 * whole: they are three encodings of one configuration, never parts of it.
 */
export function configFromRequest(
  args: Record<string, unknown> | undefined,
  variables: ReadonlyMap<string, string> | Iterable<[string, string]>,
  env: NodeJS.ProcessEnv,
): ProviderConfig {
  if (args !== undefined && Object.keys(args).length > 0) {
    const { plain, secretKeys } = unwrap(args);
    return { values: asText(plain), secretKeys };
  }
  const prefix = `${PACKAGE_NAME}:`;
  const fromVariables: Record<string, string> = {};
  for (const [key, value] of variables) {
    if (key.startsWith(prefix)) fromVariables[key.slice(prefix.length)] = value;
  }
  if (Object.keys(fromVariables).length > 0) return { values: fromVariables, secretKeys: new Set() };
  const json = env.PULUMI_CONFIG;
  if (json) {
    try {
      const parsed = JSON.parse(json) as unknown;
      if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
        return { values: asText(reveal(parsed) as Record<string, unknown>), secretKeys: new Set() };
      }
    } catch {
      // Not ours to judge: without a readable PULUMI_CONFIG the provider has no config, as without one.
    }
  }
  return { values: {}, secretKeys: new Set() };
}

/** The core's view of a provider configuration: its keys asked for by the core's names. */
export function configSource(config: ProviderConfig): ConfigSource {
  const byCoreKey = new Map<string, string>();
  for (const [key, value] of Object.entries(config.values)) {
    const coreKey = CONFIG_KEY_MAP[key];
    if (coreKey !== undefined) byCoreKey.set(coreKey, value);
  }
  return { get: (key) => byCoreKey.get(key) };
}

/** Values as the text stack config holds: strings as they are, anything else as JSON. */
function asText(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || value === null) continue;
    out[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return out;
}

/** Keys an explicit provider's inputs may carry besides the config (the engine adds `version`). */
const ENGINE_KEYS = new Set(["version", "pluginDownloadURL"]);

/** What CheckConfig refuses: keys the provider does not have, each with the keys it does. */
export function unknownConfigKeys(keys: Iterable<string>): { property: string; reason: string }[] {
  const known = Object.keys(PROVIDER_CONFIG);
  return [...keys]
    .filter((key) => !ENGINE_KEYS.has(key) && !key.startsWith("__") && !known.includes(key))
    .map((key) => ({
      property: key,
      reason:
        `\`${key}\` is not a setting of the ${PACKAGE_NAME} provider. Remove it; the settings are ` +
        `${known.map((k) => `\`${k}\``).join(", ")}.`,
    }));
}
