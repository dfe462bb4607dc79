/**
 * `single`: one library with default settings, through a fresh provider host per operation, for jobs of 3 s,
 * 20 s and 120 s: how long the Purge update step and the Delete step take against the job itself. A wait that
 * ends when the job ends takes the job plus a call or two (goal: within 1.1 x job + 0.6 s).
 */
import { SERVICE, type BenchContext } from "../context";
import { measure, type Measured } from "../measure";
import { emit, progress, round } from "../report";
import { CLI_DEFAULT_PARALLEL, ourStack } from "../stacks";

/** Job durations of the scenario, in seconds (env `BENCH_SINGLE_SECONDS=3,20` for a shorter run while investigating). */
export const SINGLE_JOB_SECONDS: readonly number[] = process.env.BENCH_SINGLE_SECONDS
  ? process.env.BENCH_SINGLE_SECONDS.split(",").map(Number)
  : [3, 20, 120];

function stepOf(m: Measured, op: string): number | undefined {
  return m.stepSeconds.find((s) => s.op === op)?.seconds;
}

/** Runs the scenario for each job duration; emits one line per duration. */
export async function runSingleScenario(ctx: BenchContext): Promise<void> {
  const { emulator, work } = ctx;
  try {
    for (const jobSeconds of SINGLE_JOB_SECONDS) {
      await emulator.admin.setSettings({ jobSeconds, activateSeconds: SERVICE.activateSeconds });
      const name = `single-${jobSeconds}`;
      progress(`single: 1 library, ${jobSeconds} s jobs: up, purge, destroy`);
      const stack = (purgeTrigger?: string) =>
        ourStack(emulator, work, name, 1, { purgeTrigger, parallel: CLI_DEFAULT_PARALLEL });
      const created = await measure(`${name} up`, "up", stack(), emulator);
      const purged = await measure(`${name} purge`, "up", stack("release-2"), emulator);
      const destroyed = await measure(`${name} destroy`, "destroy", stack("release-2"), emulator);
      const purgeStep = stepOf(purged, "update");
      const deleteStep = stepOf(destroyed, "delete");
      const limit = 1.1 * jobSeconds + 0.6;
      const calls = purged.calls.total + destroyed.calls.total;
      emit({
        scenario: "single",
        libraries: 1,
        jobSeconds,
        floorSeconds: jobSeconds,
        goalSeconds: round(limit, 2),
        purgeStepSeconds: purgeStep === undefined ? undefined : round(purgeStep, 2),
        purgeRatio: purgeStep === undefined ? undefined : round(purgeStep / jobSeconds),
        deleteStepSeconds: deleteStep === undefined ? undefined : round(deleteStep, 2),
        deleteRatio: deleteStep === undefined ? undefined : round(deleteStep / jobSeconds),
        withinGoal:
          purgeStep !== undefined && deleteStep !== undefined && Math.max(purgeStep, deleteStep) <= limit,
        purgeWallSeconds: round(purged.wallSeconds, 2),
        deleteWallSeconds: round(destroyed.wallSeconds, 2),
        callsPerLibrary: calls,
        apiCallsByAction: mergeCounts(purged.calls.byAction, destroyed.calls.byAction),
        throttled: purged.calls.throttled + destroyed.calls.throttled,
        errors: created.result.errors.length + purged.result.errors.length + destroyed.result.errors.length,
      });
    }
  } finally {
    await emulator.admin.setSettings({
      jobSeconds: SERVICE.jobSeconds,
      activateSeconds: SERVICE.activateSeconds,
    });
  }
}

function mergeCounts(...counts: Record<string, number>[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const c of counts) for (const [k, v] of Object.entries(c)) out[k] = (out[k] ?? 0) + v;
  return out;
}
