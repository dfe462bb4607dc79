/**
 * The benchmark's stacks: the FingerprintLibrary program and the naive baseline program (bench/programs), each
 * with a state file in a scratch folder and the config and environment that point it at the emulator.
 */
import * as path from "node:path";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from "../emulator";
import type { StackRunOptions } from "../harness/engine";

/** The provider's first poll interval in the scenarios (issue: 1 s). */
export const POLL_INTERVAL_MS = 1000;

const PROGRAMS = path.join(__dirname, "programs");

/** Where the emulator listens and which region it serves. */
export interface EmulatorAddress {
  endpoint: string;
  region: string;
}

/** A provider host's environment: no ambient Alibaba Cloud credentials, settings or Pulumi variables. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(ALIBABA_CLOUD_|ALICLOUD_|MPS_FPDB_|PULUMI_|NAIVE_)/.test(key)) env[key] = value;
  }
  return { ...env, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true", ...extra };
}

/**
 * The FingerprintLibrary stack of `libraries` resources. `settings` adds or overrides `pulumi-mps-fpdb:` keys;
 * `purgeTrigger` is the program's config value (changing it purges every library).
 */
export function ourStack(
  emulator: EmulatorAddress,
  work: string,
  name: string,
  libraries: number,
  extra: { purgeTrigger?: string; settings?: Record<string, string> } = {},
): StackRunOptions {
  const config: Record<string, string> = {
    "alicloud:region": emulator.region,
    "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID,
    "alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET,
    "pulumi-mps-fpdb:endpoint": emulator.endpoint,
    "pulumi-mps-fpdb:pollIntervalMs": String(POLL_INTERVAL_MS),
    "mps-fpdb-bench:libraries": String(libraries),
  };
  for (const [key, value] of Object.entries(extra.settings ?? {})) config[`pulumi-mps-fpdb:${key}`] = value;
  if (extra.purgeTrigger !== undefined) config["mps-fpdb-bench:purgeTrigger"] = extra.purgeTrigger;
  return {
    programDir: path.join(PROGRAMS, "libraries"),
    stackFile: path.join(work, `${name}.json`),
    config,
    secretKeys: ["alicloud:secretKey"],
    env: cleanEnv(),
  };
}

/** The naive baseline stack: its provider reads the endpoint and keys from the host's environment. */
export function naiveStack(emulator: EmulatorAddress, work: string, libraries: number): StackRunOptions {
  return {
    programDir: path.join(PROGRAMS, "naive"),
    stackFile: path.join(work, "naive.json"),
    config: { "mps-fpdb-bench-naive:libraries": String(libraries) },
    env: cleanEnv({
      NAIVE_MPS_ENDPOINT: emulator.endpoint,
      NAIVE_ACCESS_KEY_ID: DEFAULT_ACCESS_KEY_ID,
      NAIVE_ACCESS_KEY_SECRET: DEFAULT_ACCESS_KEY_SECRET,
    }),
  };
}
