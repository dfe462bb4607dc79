/**
 * Plain stack config from `Pulumi.<stack>.yaml` in the program folder, as the Pulumi CLI reads it: keys without a
 * namespace belong to the project, structured values are passed as JSON text, and `secure:` values (encrypted by
 * the CLI's secrets provider) must be supplied as secrets instead.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

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
