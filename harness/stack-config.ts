/**
 * The config a run configures the provider with, and the secrets it opens. Plain stack config comes from
 * `Pulumi.<stack>.yaml` in the program folder, as the Pulumi CLI reads it: keys without a namespace belong to the
 * project, structured values are passed as JSON text, and `secure:` values (encrypted by the CLI's secrets
 * provider) must be supplied as secrets instead. A run that does not run the program uses the config stored at
 * the last update, and the passphrase opens the secret values in the state file.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { decryptConfig, SecretBox, WrongPassphraseError, type EncryptedConfig } from "./secrets";
import { hasSealedSecrets, unsealState, type StackState } from "./state";

/** What the stack file holds. */
export interface StackConfigFile {
  /** Absent when there is no such file. */
  file?: string;
  /** Namespaced plain values. */
  config: Record<string, string>;
  /** Namespaced keys whose values are `secure:` (not readable here). */
  secureKeys: string[];
}

/** Reads `Pulumi.<stack>.yaml` in `programDir`; an empty result when there is none. */
export function readStackConfig(programDir: string, stack: string, project: string): StackConfigFile {
  const file = path.join(programDir, `Pulumi.${stack}.yaml`);
  if (!fs.existsSync(file)) return { config: {}, secureKeys: [] };
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, "utf8"));
  } catch (err) {
    throw new Error(`${file} is not valid YAML (${(err as Error).message}); fix it or remove it`);
  }
  const entries = (doc as { config?: unknown } | null)?.config;
  if (entries === undefined || entries === null) return { file, config: {}, secureKeys: [] };
  if (typeof entries !== "object" || Array.isArray(entries)) {
    throw new Error(`\`config\` in ${file} must be a map of keys to values`);
  }
  const config: Record<string, string> = {};
  const secureKeys: string[] = [];
  for (const [rawKey, value] of Object.entries(entries as Record<string, unknown>)) {
    const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
    if (isSecure(value)) secureKeys.push(key);
    else config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return { file, config, secureKeys };
}

function isSecure(value: unknown): boolean {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { secure?: unknown }).secure === "string"
  );
}

/** The config the provider is configured with, and what goes with it. */
export interface ResolvedConfig {
  config: Record<string, string>;
  secretKeys: string[];
  /** The passphrase to store secret config under (runs of the program). */
  passphrase?: string;
  warnings: string[];
}

/** What {@link resolveConfig} needs besides the run options. */
export interface ConfigContext {
  project: string;
  stack: string;
  /** The operation's name, for messages. */
  op: string;
  /** The passphrase given or found in the environment. */
  passphrase: string | undefined;
  /** The program runs, so the current config is used; otherwise the config stored at the last update is. */
  runsProgram: boolean;
}

/** Where a run's config comes from: what was supplied and `Pulumi.<stack>.yaml`. */
export interface ConfigSources {
  programDir: string;
  config?: Record<string, string>;
  secretKeys?: string[];
}

/** The config the program would get: `Pulumi.<stack>.yaml` overlaid with what was supplied. */
export function currentConfig(
  o: ConfigSources,
  project: string,
  stack: string,
): { config: Record<string, string>; secretKeys: string[] } {
  const supplied = o.config ?? {};
  const secretKeys = [...new Set(o.secretKeys ?? [])];
  const unknownSecret = secretKeys.find((k) => !(k in supplied));
  if (unknownSecret)
    throw new Error(`secret key \`${unknownSecret}\` has no value in config; supply it or drop it`);
  const file = readStackConfig(o.programDir, stack, project);
  for (const key of file.secureKeys) {
    if (!(key in supplied)) {
      throw new Error(
        `config \`${key}\` is a secure value in Pulumi.${stack}.yaml, which only the Pulumi CLI can decrypt; ` +
          `supply it as a secret (--secret ${key}=...)`,
      );
    }
    if (!secretKeys.includes(key)) secretKeys.push(key);
  }
  return { config: { ...file.config, ...supplied }, secretKeys };
}

/**
 * A run of the program uses the current config. destroy/refresh otherwise configure the provider from what the
 * last update stored (providers/registry.go): plain values as stored, secret values decrypted with the
 * passphrase, or, when only their names were stored, supplied again. A value given now never replaces a stored
 * one; the run warns which were not used.
 */
export function resolveConfig(o: ConfigSources, state: StackState, c: ConfigContext): ResolvedConfig {
  const current = currentConfig(o, c.project, c.stack);
  if (c.runsProgram) return { ...current, passphrase: c.passphrase, warnings: [] };
  const stored = state.providerConfig;
  const config: Record<string, string> = { ...stored.config };
  const filledIn = new Set<string>();
  if (stored.encrypted) {
    Object.assign(config, decryptStoredConfig(stored.encrypted, stored.secretKeys, c.passphrase));
  } else {
    const missing = stored.secretKeys.filter((k) => !(k in current.config));
    if (missing.length > 0) {
      throw new Error(
        `secret config ${missing.map((k) => `\`${k}\``).join(", ")} was used by the last update but is not ` +
          `stored in the state file; supply ${missing.length > 1 ? "them" : "it"} again (--secret key=value) to ${c.op}`,
      );
    }
    for (const k of stored.secretKeys) {
      config[k] = current.config[k];
      filledIn.add(k);
    }
  }
  const ignored = Object.keys(current.config)
    .filter((k) => !filledIn.has(k) && config[k] !== current.config[k])
    .sort();
  const warnings =
    ignored.length === 0
      ? []
      : [
          `${c.op} configures the provider with the config stored at the last update; the values given now for ` +
            `${ignored.map((k) => `\`${k}\``).join(", ")} are not used (run up first, or use runProgram / --run-program)`,
        ];
  return { config, secretKeys: [...stored.secretKeys], warnings };
}

function decryptStoredConfig(
  encrypted: EncryptedConfig,
  secretKeys: readonly string[],
  passphrase: string | undefined,
): Record<string, string> {
  if (passphrase === undefined) {
    throw new Error(
      `secret config ${secretKeys.map((k) => `\`${k}\``).join(", ")} is stored encrypted in the state ` +
        "file; set PULUMI_CONFIG_PASSPHRASE (or pass the passphrase) to the one the last update used",
    );
  }
  try {
    return decryptConfig(encrypted, passphrase);
  } catch (err) {
    if (!(err instanceof WrongPassphraseError)) throw err;
    throw new Error(
      "the passphrase does not decrypt the secret config stored in the state file; use the one the last " +
        "update used",
    );
  }
}

/**
 * With a passphrase, secret property values are written encrypted (the state's salt is made on first use) and the
 * ones already encrypted are decrypted in place. Without one, a state holding encrypted values cannot be used.
 */
export function openSecrets(state: StackState, passphrase: string | undefined): SecretBox | undefined {
  const sealed = hasSealedSecrets(state);
  if (passphrase === undefined) {
    if (!sealed) return undefined;
    throw new Error(
      "the state file holds secret values encrypted under a passphrase; set PULUMI_CONFIG_PASSPHRASE (or pass " +
        "the passphrase) to the one the last update used",
    );
  }
  state.encryptionSalt ??= SecretBox.newSalt();
  const box = SecretBox.derive(passphrase, state.encryptionSalt);
  if (sealed) {
    try {
      Object.assign(state, unsealState(state, box));
    } catch (err) {
      if (!(err instanceof WrongPassphraseError)) throw err;
      throw new Error(
        "the passphrase does not decrypt the secret values in the state file; use the one the last update used",
      );
    }
  }
  return box;
}
