/**
 * The benchmark's stacks: the FingerprintLibrary program and the naive baseline program (bench/programs), each
 * with a state file in a scratch folder and the config and environment that point it at the emulator.
 */
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from "../emulator";
import type { StackRunOptions } from "../harness/engine";
import { UNBOUNDED_PARALLEL } from "../harness/parallelism";

/**
 * The provider's shortest gap between looks at a wait with default settings (`pollIntervalSeconds` 1 s): the
 * floors allow one such gap for seeing the last job's end.
 */
export const POLL_INTERVAL_MS = 1000;

/** The Pulumi CLI's default parallelism on this machine: 4 x the CPUs (passed explicitly, not left to defaults). */
export const CLI_DEFAULT_PARALLEL = 4 * os.availableParallelism();

/** `--parallel` unbounded: every step of a 1000-library stack in flight at once. */
export const UNBOUNDED = UNBOUNDED_PARALLEL;

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
  extra: { purgeTrigger?: string; settings?: Record<string, string>; parallel?: number } = {},
): StackRunOptions {
  // Default provider settings: only where the emulator is and how to sign.
  const config: Record<string, string> = {
    "alicloud:region": emulator.region,
    "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID,
    "alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET,
    "pulumi-mps-fpdb:endpoint": emulator.endpoint,
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
    parallel: extra.parallel ?? CLI_DEFAULT_PARALLEL,
  };
}

/** The naive baseline stack: its provider reads the endpoint and keys from the host's environment. */
export function naiveStack(
  emulator: EmulatorAddress,
  work: string,
  libraries: number,
  parallel: number = UNBOUNDED,
): StackRunOptions {
  return {
    parallel,
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
