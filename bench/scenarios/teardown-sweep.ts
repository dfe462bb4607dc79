/**
 * `teardown-sweep`: a destroy of N libraries, every step in flight, for fixed job lengths from 3 s to 120 s
 * (default settings). What it watches is the polling's cost as jobs get longer: calls per library against the
 * goal of 1.3 at every length, with the submits (one per library), the job-status calls and the library
 * confirmations apart, and how long after the last job's end (from the emulator's ledger) the destroy ended.
 */
import { SERVICE, type BenchContext } from "../context";
import { measure } from "../measure";
import { emit, progress, round } from "../report";
import { ourStack, UNBOUNDED } from "../stacks";
import { checkJobs, knownJobIds } from "../verify";

/** Job lengths of the sweep, in seconds (env `BENCH_SWEEP_SECONDS=45,120` for a subset while investigating). */
export const SWEEP_JOB_SECONDS: readonly number[] = process.env.BENCH_SWEEP_SECONDS
  ? process.env.BENCH_SWEEP_SECONDS.split(",").map(Number)
  : [3, 10, 20, 45, 90, 120];

/** The goal at every fixed job length: calls per library, submits included. */
export const SWEEP_GOAL_CALLS_PER_LIBRARY = 1.3;

export async function runTeardownSweepScenario(ctx: BenchContext): Promise<void> {
  const { emulator, work, libraries } = ctx;
  try {
    for (const jobSeconds of SWEEP_JOB_SECONDS) {
      await emulator.admin.setSettings({ jobSeconds, activateSeconds: SERVICE.activateSeconds });
      const stack = ourStack(emulator, work, `sweep-${jobSeconds}`, libraries, { parallel: UNBOUNDED });
      progress(`teardown-sweep: up of ${libraries} libraries, then their destroy on ${jobSeconds} s jobs`);
      const created = await measure(`sweep ${jobSeconds} s up`, "up", stack, emulator);
      const ids = created.result.state.resources.filter((r) => r.custom).map((r) => r.id);
      const before = await knownJobIds(emulator);
      const destroyed = await measure(`sweep ${jobSeconds} s destroy`, "destroy", stack, emulator);
      const check = await checkJobs(emulator, ids, "Delete", before);
      const jobs = (await emulator.admin.state()).jobs.filter(
        (j) => !before.has(j.jobId) && j.delType === "Delete",
      );
      const lastJobEnd = Math.max(...jobs.map((j) => Date.parse(j.submittedAt) + j.durationMs));
      const { lastStepDone } = destroyed.timeline;
      const per = (action: string): number => round((destroyed.calls.byAction[action] ?? 0) / libraries, 3);
      const callsPerLibrary = round(destroyed.calls.total / libraries, 3);
      emit({
        scenario: "teardown-sweep",
        libraries,
        jobSeconds,
        callsPerLibrary,
        goalCallsPerLibrary: SWEEP_GOAL_CALLS_PER_LIBRARY,
        withinGoal: callsPerLibrary <= SWEEP_GOAL_CALLS_PER_LIBRARY,
        submitsPerLibrary: per("SubmitFpDBDeleteJob"),
        jobStatusCallsPerLibrary: per("QueryFpDBDeleteJobList"),
        libraryCallsPerLibrary: per("ListFpShotDB"),
        // From the last job's end to the last step's end: the last wait's latency plus its confirmation.
        afterLastJobSeconds:
          lastStepDone === undefined || !Number.isFinite(lastJobEnd)
            ? undefined
            : round((destroyed.startedAt + lastStepDone * 1000 - lastJobEnd) / 1000, 2),
        wallSeconds: round(destroyed.wallSeconds, 2),
        apiCallsByAction: destroyed.calls.byAction,
        throttled: destroyed.calls.throttled,
        errors: created.result.errors.length + destroyed.result.errors.length,
        oneJobPerLibrary: check.librariesWithOneSuccessfulJob === ids.length && check.extraJobs === 0,
        librariesGone: check.librariesDeleted,
      });
    }
  } finally {
    await emulator.admin.setSettings({
      jobSeconds: SERVICE.jobSeconds,
      activateSeconds: SERVICE.activateSeconds,
    });
  }
}
