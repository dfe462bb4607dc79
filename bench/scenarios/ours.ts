/**
 * FingerprintLibrary at scale: `up` of N libraries, then `up` with a purge-trigger change on all of them
 * (purge-all), a refresh, and `destroy` (teardown), each measured against its floor.
 */
import * as fs from "node:fs";
import { bulkRecord } from "../bulk-record";
import { noteCpu, providerBytes, SERVICE, type BenchContext } from "../context";
import { measure, type Measured } from "../measure";
import { emit, progress, round } from "../report";
import { ourStack, POLL_INTERVAL_MS } from "../stacks";
import { checkJobs, knownJobIds } from "../verify";
import type { ScenarioName } from "../options";

/** What the naive comparison and the overhead scenario need from these runs. */
export interface OurRuns {
  teardown?: Measured;
  providerBytes?: { oneCopy: number; perResource: number };
  stateBytesPerResource?: number;
}

const POLL_SECONDS = POLL_INTERVAL_MS / 1000;

/**
 * Creates the stack, runs purge-all and (for the overhead line) a refresh when `wanted` names them, and always
 * ends with the teardown, which also removes the stack.
 */
export async function runOurScenarios(ctx: BenchContext, wanted: readonly ScenarioName[]): Promise<OurRuns> {
  const { emulator, work, libraries } = ctx;
  const runs: OurRuns = {};
  const stack = ourStack(emulator, work, "ours", libraries);

  progress(`ours: up of ${libraries} libraries`);
  const created = await measure("ours up", "up", stack, emulator);
  emit(
    bulkRecord("create", libraries, created, {
      requestsPerSecond: SERVICE.requestsPerSecond,
      jobSeconds: SERVICE.activateSeconds,
      pollIntervalSeconds: POLL_SECONDS,
    }),
  );
  noteCpu(ctx, "create", created);
  // A failed create (say, an ambiguous CreateFpShotDB) is counted in the create line; the other scenarios run
  // on the libraries that made it into the state.
  if (!created.result.ok)
    progress(`ours: up failed for ${created.result.errors.length}: ${created.result.errors[0]}`);
  runs.providerBytes = providerBytes(created.result.state);
  runs.stateBytesPerResource = round(fs.statSync(stack.stackFile).size / libraries, 0);
  const ids = created.result.state.resources.filter((r) => r.custom).map((r) => r.id);
  const timing = {
    requestsPerSecond: SERVICE.requestsPerSecond,
    jobSeconds: SERVICE.jobSeconds,
    pollIntervalSeconds: POLL_SECONDS,
  };

  if (wanted.includes("purge-all")) {
    progress(`purge-all: up with a new purgeTrigger on ${libraries} libraries`);
    const before = await knownJobIds(emulator);
    const purged = await measure(
      "purge-all",
      "up",
      ourStack(emulator, work, "ours", libraries, { purgeTrigger: "release-2" }),
      emulator,
    );
    const check = await checkJobs(emulator, ids, "Purge", before);
    emit(
      bulkRecord("purge-all", libraries, purged, timing, {
        purgedOnce: check.librariesWithOneSuccessfulJob,
        duplicateJobs: check.extraJobs,
      }),
    );
    noteCpu(ctx, "purge", purged);
  }

  if (wanted.includes("overhead")) {
    progress(`ours: refresh of ${libraries} libraries (Read cost)`);
    noteCpu(ctx, "read", await measure("ours refresh", "refresh", stack, emulator));
  }

  progress(`teardown: destroy of ${libraries} libraries`);
  const before = await knownJobIds(emulator);
  const destroyed = await measure("teardown", "destroy", stack, emulator);
  const check = await checkJobs(emulator, ids, "Delete", before);
  emit(
    bulkRecord("teardown", libraries, destroyed, timing, {
      deletedOnce: check.librariesWithOneSuccessfulJob,
      duplicateJobs: check.extraJobs,
      librariesGone: check.librariesDeleted,
    }),
  );
  noteCpu(ctx, "delete", destroyed);
  runs.teardown = destroyed;
  return runs;
}
