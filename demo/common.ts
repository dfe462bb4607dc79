/**
 * What the demo's entry point (run.ts) and its two drivers (cli-driver.ts, harness-driver.ts) have in common: the
 * program, the trigger value, the stack config and the outcome type. Kept apart from run.ts so that the drivers
 * never import the entry point that imports them (an import cycle).
 */
import * as path from "node:path";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET, type RunningEmulator } from "../emulator";

/** The repository root, whatever the current directory. */
export const REPO_ROOT = path.resolve(__dirname, "..");
/** The Pulumi program the demo runs: the quickstart example. */
export const PROGRAM_DIR = path.join(REPO_ROOT, "examples", "quickstart");
/** The `purgeTrigger` value of the demo's second `up`. */
export const PURGE_TRIGGER = "release-2026-11-24";

/** What each driver reports back. */
export interface DemoOutcome {
  fpDbId: string;
  purgeJobId: string;
  purgeJobStatus: string;
  deleteJobId: string;
}

/** Stack config pointing the provider at the emulator, with demo-sized timing. */
export function demoConfig(emulator: RunningEmulator): {
  config: Record<string, string>;
  secretKeys: string[];
} {
  return {
    config: {
      "alicloud:region": "cn-hangzhou",
      "alicloud:accessKey": DEFAULT_ACCESS_KEY_ID,
      "alicloud:secretKey": DEFAULT_ACCESS_KEY_SECRET,
      "pulumi-mps-fpdb:endpoint": emulator.endpoint,
      "pulumi-mps-fpdb:pollIntervalMs": "500",
      "pulumi-mps-fpdb:progressIntervalMs": "1000",
    },
    secretKeys: ["alicloud:secretKey"],
  };
}

/** Prints a section heading. */
export function heading(text: string): void {
  console.log(`\n=== ${text} ===`);
}
