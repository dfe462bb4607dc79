/**
 * FingerprintLibrary at scale, default settings, every step in flight (`--parallel` unbounded): for each job
 * duration (fixed 3 s, fixed 20 s, lognormal median 10 s / p95 30 s capped at 120 s), `up` of N libraries, `up`
 * with a purge-trigger change on all of them (purge-all), and `destroy` (teardown), each against its floor.
 */
import * as fs from "node:fs";
import { describeDuration, type DurationSpec } from "../../emulator";
import { bulkRecord } from "../bulk-record";
import { noteCpu, providerBytes, SERVICE, type BenchContext } from "../context";
import { measure, type Measured } from "../measure";
import { emit, progress, round } from "../report";
import { ourStack, POLL_INTERVAL_MS, UNBOUNDED } from "../stacks";
import { checkJobs, knownJobIds, ledgerFloorSeconds } from "../verify";
import type { ScenarioName } from "../options";

/** What the naive comparison and the overhead scenario need from these runs. */
export interface OurRuns {
  /** The teardown with fixed 3 s jobs (the naive provider's case). */
  teardown?: Measured;
  providerBytes?: { oneCopy: number; perResource: number };
  stateBytesPerResource?: number;
}

/** The job durations of the bulk scenarios. */
export const BULK_DURATIONS: readonly DurationSpec[] = [
  3,
  20,
  { lognormal: { median: 10, p95: 30, max: 120 } },
];

const POLL_SECONDS = POLL_INTERVAL_MS / 1000;

/** Goals of the issue: ratio and calls per library, for fixed and for distributed durations. */
function goals(spec: DurationSpec): { ratio: number; callsPerLibrary: number } {
  return typeof spec === "number"
    ? { ratio: 1.05, callsPerLibrary: 1.3 }
    : { ratio: 1.1, callsPerLibrary: 2.5 };
}

/**
 * For each duration: creates the stack, runs purge-all when `wanted` names it, a refresh for the overhead line
 * (first duration only), and always the teardown, which also removes the stack.
 */
export async function runOurScenarios(ctx: BenchContext, wanted: readonly ScenarioName[]): Promise<OurRuns> {
  const { emulator, work, libraries } = ctx;
  const runs: OurRuns = {};
  try {
    for (const [index, spec] of BULK_DURATIONS.entries()) {
      await emulator.admin.setSettings({ jobSeconds: spec, activateSeconds: SERVICE.activateSeconds });
      const label = describeDuration(spec);
      const name = `ours-${index}`;
      const stack = ourStack(emulator, work, name, libraries, { parallel: UNBOUNDED });

      progress(`ours: up of ${libraries} libraries (jobs ${label} for what follows)`);
      const created = await measure(`${name} up`, "up", stack, emulator);
      if (index === 0) {
        emit(
          bulkRecord("create", libraries, created, {
            requestsPerSecond: SERVICE.requestsPerSecond,
            jobSeconds: SERVICE.activateSeconds,
            pollIntervalSeconds: POLL_SECONDS,
          }),
        );
        noteCpu(ctx, "create", created);
        runs.providerBytes = providerBytes(created.result.state);
        runs.stateBytesPerResource = round(fs.statSync(stack.stackFile).size / libraries, 0);
      }
      if (!created.result.ok)
        progress(`ours: up failed for ${created.result.errors.length}: ${created.result.errors[0]}`);
      const ids = created.result.state.resources.filter((r) => r.custom).map((r) => r.id);

      if (wanted.includes("purge-all")) {
        progress(`purge-all: up with a new purgeTrigger on ${libraries} libraries, jobs ${label}`);
        const before = await knownJobIds(emulator);
        const purged = await measure(
          `purge-all ${label}`,
          "up",
          ourStack(emulator, work, name, libraries, { purgeTrigger: "release-2", parallel: UNBOUNDED }),
          emulator,
        );
        const check = await checkJobs(emulator, ids, "Purge", before);
        emit(
          await bulkLine(ctx, "purge-all", spec, purged, "Purge", before, "QueryFpDBDeleteJobList", {
            purgedOnce: check.librariesWithOneSuccessfulJob,
            duplicateJobs: check.extraJobs,
            oneJobPerLibrary: check.librariesWithOneSuccessfulJob === ids.length && check.extraJobs === 0,
          }),
        );
        if (index === 0) noteCpu(ctx, "purge", purged);
      }

      if (index === 0 && wanted.includes("overhead")) {
        progress(`ours: refresh of ${libraries} libraries (Read cost)`);
        noteCpu(ctx, "read", await measure("ours refresh", "refresh", stack, emulator));
      }

      progress(`teardown: destroy of ${libraries} libraries, jobs ${label}`);
      const before = await knownJobIds(emulator);
      const destroyed = await measure(`teardown ${label}`, "destroy", stack, emulator);
      const check = await checkJobs(emulator, ids, "Delete", before);
      if (wanted.includes("teardown") || index === 0) {
        emit(
          await bulkLine(ctx, "teardown", spec, destroyed, "Delete", before, "QueryFpDBDeleteJobList", {
            deletedOnce: check.librariesWithOneSuccessfulJob,
            duplicateJobs: check.extraJobs,
            librariesGone: check.librariesDeleted,
            oneJobPerLibrary: check.librariesWithOneSuccessfulJob === ids.length && check.extraJobs === 0,
          }),
        );
      }
      if (index === 0) {
        noteCpu(ctx, "delete", destroyed);
        runs.teardown = destroyed;
      }
    }
  } finally {
    await emulator.admin.setSettings({
      jobSeconds: SERVICE.jobSeconds,
      activateSeconds: SERVICE.activateSeconds,
    });
  }
  return runs;
}

/**
 * The result line of a bulk purge or teardown. Fixed durations: floor = busiest action's calls / 100 + job + 1 s.
 * Distributions: floor = the latest job's submit time plus its duration (from the emulator's ledger) + 1 s.
 */
async function bulkLine(
  ctx: BenchContext,
  scenario: string,
  spec: DurationSpec,
  m: Measured,
  delType: "Purge" | "Delete",
  before: Set<string>,
  pollAction: string,
  extra: Record<string, unknown>,
): Promise<Record<string, unknown> & { scenario: string }> {
  const fixed = typeof spec === "number";
  const base = bulkRecord(scenario, ctx.libraries, m, {
    requestsPerSecond: SERVICE.requestsPerSecond,
    jobSeconds: fixed ? spec : 0,
    pollIntervalSeconds: POLL_SECONDS,
  });
  const ledgerFloor = await ledgerFloorSeconds(ctx.emulator, delType, before, m.startedAt, POLL_SECONDS);
  const floor = fixed ? (base.floorSeconds as number) : (ledgerFloor ?? NaN);
  const goal = goals(spec);
  const callsPerLibrary = round(m.calls.total / ctx.libraries, 3);
  // A ledger floor counts from the operation's start; the steps' share of it starts at the first step.
  const { firstStepStart, lastStepDone } = m.timeline;
  const stepsRatio =
    fixed || firstStepStart === undefined || lastStepDone === undefined
      ? base.stepsRatio
      : round((lastStepDone - firstStepStart) / (floor - firstStepStart));
  // The provider's part: from its first API request to the last step's end. Between a step's start and that
  // request lies the engine's work (for an update, the checkpoint it writes before calling the provider, while
  // the program is still registering the other resources).
  const firstRequest = Math.min(...Object.values(m.timeline.requests).map(([first]) => first));
  const providerSeconds =
    lastStepDone === undefined || !Number.isFinite(firstRequest) ? undefined : lastStepDone - firstRequest;
  return {
    ...base,
    ...(fixed ? { jobSeconds: spec } : { jobDistribution: describeDuration(spec) }),
    floorSeconds: round(floor, 2),
    ratio: round(m.wallSeconds / floor),
    stepsRatio,
    providerSeconds: providerSeconds === undefined ? undefined : round(providerSeconds, 2),
    providerRatio:
      providerSeconds === undefined
        ? undefined
        : round(providerSeconds / (fixed ? floor : floor - firstRequest)),
    ledgerFloorSeconds: ledgerFloor === undefined ? undefined : round(ledgerFloor, 2),
    goalRatio: goal.ratio,
    callsPerLibrary,
    pollCallsPerLibrary: round((m.calls.byAction[pollAction] ?? 0) / ctx.libraries, 3),
    goalCallsPerLibrary: goal.callsPerLibrary,
    parallel: "unbounded",
    ...extra,
  };
}
