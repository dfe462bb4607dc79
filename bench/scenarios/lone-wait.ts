/**
 * `lone-wait`: one library destroyed in a fresh provider host with default settings, on a 120 s Delete job: the
 * only wait of its process, so the request budget is idle for as long as it runs. How late after the job's end
 * (from the emulator's ledger) the Delete step ends, and how many job-status calls the wait spent on it. Goal:
 * the step ends within 1 s of the job; the calls it spends are ones no other wait needed.
 */
import { SERVICE, type BenchContext } from "../context";
import { measure } from "../measure";
import { emit, progress, round } from "../report";
import { CLI_DEFAULT_PARALLEL, ourStack } from "../stacks";
import { knownJobIds } from "../verify";

/** Job duration of the scenario, in seconds (env `BENCH_LONE_SECONDS` for another length while investigating). */
export const LONE_JOB_SECONDS = Number(process.env.BENCH_LONE_SECONDS ?? 120);

/** The goal: the Delete step ends within this long of the job's end. */
export const LONE_GOAL_SECONDS = 1;

export async function runLoneWaitScenario(ctx: BenchContext): Promise<void> {
  const { emulator, work } = ctx;
  const jobSeconds = LONE_JOB_SECONDS;
  try {
    await emulator.admin.setSettings({ jobSeconds, activateSeconds: SERVICE.activateSeconds });
    const stack = ourStack(emulator, work, "lone-wait", 1, { parallel: CLI_DEFAULT_PARALLEL });
    progress(`lone-wait: 1 library, then its destroy on a ${jobSeconds} s Delete job`);
    const created = await measure("lone-wait up", "up", stack, emulator);
    const before = await knownJobIds(emulator);
    const destroyed = await measure("lone-wait destroy", "destroy", stack, emulator);
    const job = (await emulator.admin.state()).jobs.find(
      (j) => !before.has(j.jobId) && j.delType === "Delete",
    );
    const step = destroyed.stepSeconds.find((s) => s.op === "delete")?.seconds;
    const { lastStepDone } = destroyed.timeline;
    // From the job's end in the emulator's ledger to the end of the step that waited for it: what the wait's
    // looks cost in latency, without the submit before it or the host's start.
    const jobEnd = job === undefined ? undefined : Date.parse(job.submittedAt) + job.durationMs;
    const lateSeconds =
      jobEnd === undefined || lastStepDone === undefined
        ? undefined
        : round((destroyed.startedAt + lastStepDone * 1000 - jobEnd) / 1000, 2);
    emit({
      scenario: "lone-wait",
      libraries: 1,
      jobSeconds,
      deleteStepSeconds: step === undefined ? undefined : round(step, 2),
      lateSeconds,
      goalLateSeconds: LONE_GOAL_SECONDS,
      withinGoal: lateSeconds !== undefined && lateSeconds <= LONE_GOAL_SECONDS,
      jobStatusCalls: destroyed.calls.byAction.QueryFpDBDeleteJobList ?? 0,
      apiCallsByAction: destroyed.calls.byAction,
      throttled: destroyed.calls.throttled,
      errors: created.result.errors.length + destroyed.result.errors.length,
    });
  } finally {
    await emulator.admin.setSettings({
      jobSeconds: SERVICE.jobSeconds,
      activateSeconds: SERVICE.activateSeconds,
    });
  }
}
