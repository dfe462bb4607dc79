/**
 * `real-engine`: the destroys of `waves` and `teardown` again, through Pulumi's own CLI (v3.248, built from Pulumi's
 * Go modules by `npm run build:pulumi-cli`) with a local file backend, default provider settings and 3 s jobs. The
 * engine harness follows the engine's rules but not its costs, and users get the engine's:
 *
 * - `waves-real`: 40 libraries at the CLI's own default parallelism (no `--parallel` flag), floor 5 waves x 3 s;
 * - `teardown-real`: `--parallel` unbounded, N libraries with `PULUMI_SKIP_CHECKPOINTS=true` (the provider's part),
 *   and 200 libraries with and without it side by side: a file backend writes the whole state before and after
 *   every step, so with checkpoints a bulk operation's time grows with the square of the stack's size.
 *
 * Each line has the CLI run's wall time (process start to exit) and the span of its API requests (first to last,
 * as the emulator saw them), each against the floor. Without a built CLI the scenario says why and emits a line
 * with `skipped`.
 */
import * as path from "node:path";
import type { EmulatorProcess } from "../emulator-process";
import { callsBetween, cliRunFigures, type MeasuredCliRun } from "../floor";
import { emit, progress } from "../report";
import { SERVICE, type BenchContext } from "../context";
import { requestWindows } from "../timeline";
import { CLI_DEFAULT_PARALLEL, UNBOUNDED } from "../stacks";
import { checkJobs, knownJobIds } from "../verify";
import { WAVES_LIBRARIES } from "./waves";
import { cliStatus, createWorkspace, type Workspace } from "../../test/real-engine/support/cli";

const PROGRAM = path.join(__dirname, "..", "programs", "libraries");
/** `--parallel` unbounded, as the CLI's flag takes it. */
const UNBOUNDED_FLAG = String(UNBOUNDED);
/** Stack size of the side-by-side run with and without checkpoints. */
const CHECKPOINT_LIBRARIES = 200;
const SKIP_CHECKPOINTS = { PULUMI_SKIP_CHECKPOINTS: "true" };

/** One measured CLI run. */
interface CliRun extends MeasuredCliRun {
  deletedOnce: number;
  duplicateJobs: number;
}

export async function runRealEngineScenario(ctx: BenchContext): Promise<void> {
  const status = cliStatus();
  if (!status.ok) {
    progress(`real-engine: skipped: ${status.reason}`);
    emit({ scenario: "real-engine", skipped: status.reason });
    return;
  }
  const { emulator } = ctx;
  await emulator.admin.setSettings({
    jobSeconds: SERVICE.jobSeconds,
    activateSeconds: SERVICE.activateSeconds,
  });

  progress(`waves-real: destroy of ${WAVES_LIBRARIES} libraries at the CLI's default parallelism`);
  const waves = await destroyed(emulator, WAVES_LIBRARIES, { parallel: undefined, checkpoints: true });
  const wavesFloor = Math.ceil(WAVES_LIBRARIES / CLI_DEFAULT_PARALLEL) * SERVICE.jobSeconds;
  emit(line("waves-real", WAVES_LIBRARIES, "default", true, waves, wavesFloor));

  for (const [libraries, checkpoints] of [
    [CHECKPOINT_LIBRARIES, true],
    [CHECKPOINT_LIBRARIES, false],
    [ctx.libraries, false],
  ] as const) {
    progress(
      `teardown-real: destroy of ${libraries} libraries, --parallel unbounded, ` +
        `${checkpoints ? "with checkpoints" : "PULUMI_SKIP_CHECKPOINTS=true"}`,
    );
    const run = await destroyed(emulator, libraries, { parallel: UNBOUNDED_FLAG, checkpoints });
    const floor = libraries / SERVICE.requestsPerSecond + SERVICE.jobSeconds + 1;
    emit(line("teardown-real", libraries, "unbounded", checkpoints, run, floor));
  }
}

function line(
  scenario: string,
  libraries: number,
  parallel: string,
  checkpoints: boolean,
  run: CliRun,
  floor: number,
): Record<string, unknown> & { scenario: string } {
  return {
    scenario,
    libraries,
    parallel,
    checkpoints,
    jobSeconds: SERVICE.jobSeconds,
    ...cliRunFigures(run, libraries, floor),
    oneJobPerLibrary: run.deletedOnce === libraries && run.duplicateJobs === 0,
  };
}

/**
 * Creates a stack of `libraries` (with checkpoints skipped: the setup is not measured), then measures its destroy.
 */
async function destroyed(
  emulator: EmulatorProcess,
  libraries: number,
  options: { parallel: string | undefined; checkpoints: boolean },
): Promise<CliRun> {
  const ws = await createWorkspace({
    program: PROGRAM,
    emulator,
    timing: "defaults",
    config: { "mps-fpdb-bench:libraries": String(libraries) },
  });
  try {
    const parallel = options.parallel === undefined ? [] : ["--parallel", options.parallel];
    await ws.up(["--parallel", UNBOUNDED_FLAG], { env: SKIP_CHECKPOINTS });
    const ids = (await ws.resources()).map((r) => r.id).filter((id): id is string => id !== undefined);
    return await measured(emulator, ws, ids, parallel, options.checkpoints);
  } finally {
    await ws.close();
  }
}

async function measured(
  emulator: EmulatorProcess,
  ws: Workspace,
  ids: string[],
  parallel: string[],
  checkpoints: boolean,
): Promise<CliRun> {
  const jobsBefore = await knownJobIds(emulator);
  const countsBefore = await emulator.admin.counts();
  const started = Date.now();
  await ws.destroy(parallel, checkpoints ? {} : { env: SKIP_CHECKPOINTS });
  const wallSeconds = (Date.now() - started) / 1000;
  const calls = callsBetween(countsBefore, await emulator.admin.counts());
  const windows = Object.values(requestWindows(await emulator.admin.requests(), started));
  const first = Math.min(...windows.map(([a]) => a));
  const last = Math.max(...windows.map(([, b]) => b));
  const check = await checkJobs(emulator, ids, "Delete", jobsBefore);
  return {
    wallSeconds,
    requestSpanSeconds: last - first,
    calls,
    deletedOnce: check.librariesWithOneSuccessfulJob,
    duplicateJobs: check.extraJobs,
  };
}
