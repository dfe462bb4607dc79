/**
 * `waves`: 40 libraries destroyed at the Pulumi CLI's default parallelism (4 x CPUs, passed explicitly), 3 s jobs,
 * default settings. With 8 steps at a time the 40 Deletes run in 5 waves, so the floor is 5 x 3 s, and every
 * step's wait pays its own detection latency in sequence (goal: within 1.15 x the floor).
 */
import { SERVICE, type BenchContext } from "../context";
import { measure } from "../measure";
import { emit, progress, round } from "../report";
import { CLI_DEFAULT_PARALLEL, ourStack } from "../stacks";
import { checkJobs, knownJobIds } from "../verify";

/** Libraries in the scenario. */
export const WAVES_LIBRARIES = 40;

export async function runWavesScenario(ctx: BenchContext): Promise<void> {
  const { emulator, work } = ctx;
  const parallel = CLI_DEFAULT_PARALLEL;
  const jobSeconds = SERVICE.jobSeconds;
  await emulator.admin.setSettings({ jobSeconds, activateSeconds: SERVICE.activateSeconds });
  const stack = ourStack(emulator, work, "waves", WAVES_LIBRARIES, { parallel });
  progress(`waves: up of ${WAVES_LIBRARIES} libraries at parallelism ${parallel}`);
  const created = await measure("waves up", "up", stack, emulator);
  const ids = created.result.state.resources.filter((r) => r.custom).map((r) => r.id);
  progress(`waves: destroy of ${WAVES_LIBRARIES} libraries at parallelism ${parallel}, ${jobSeconds} s jobs`);
  const before = await knownJobIds(emulator);
  const destroyed = await measure("waves destroy", "destroy", stack, emulator);
  const check = await checkJobs(emulator, ids, "Delete", before);
  const waves = Math.ceil(WAVES_LIBRARIES / parallel);
  const floor = waves * jobSeconds;
  const steps =
    destroyed.timeline.firstStepStart !== undefined && destroyed.timeline.lastStepDone !== undefined
      ? destroyed.timeline.lastStepDone - destroyed.timeline.firstStepStart
      : undefined;
  const deleteSteps = destroyed.stepSeconds.filter((s) => s.op === "delete").map((s) => s.seconds);
  emit({
    scenario: "waves",
    libraries: WAVES_LIBRARIES,
    parallel,
    jobSeconds,
    waves,
    floorSeconds: floor,
    wallSeconds: round(destroyed.wallSeconds, 2),
    ratio: round(destroyed.wallSeconds / floor),
    stepsSeconds: steps === undefined ? undefined : round(steps, 2),
    stepsRatio: steps === undefined ? undefined : round(steps / floor),
    meanDeleteStepSeconds: deleteSteps.length
      ? round(deleteSteps.reduce((a, b) => a + b, 0) / deleteSteps.length, 2)
      : undefined,
    maxDeleteStepSeconds: deleteSteps.length ? round(Math.max(...deleteSteps), 2) : undefined,
    hostReadySeconds:
      destroyed.hostReadySeconds === undefined ? undefined : round(destroyed.hostReadySeconds, 2),
    apiCalls: destroyed.calls.total,
    callsPerLibrary: round(destroyed.calls.total / WAVES_LIBRARIES, 2),
    apiCallsByAction: destroyed.calls.byAction,
    throttled: destroyed.calls.throttled,
    errors: created.result.errors.length + destroyed.result.errors.length,
    deletedOnce: check.librariesWithOneSuccessfulJob,
    duplicateJobs: check.extraJobs,
    librariesGone: check.librariesDeleted,
  });
}
