/**
 * `plugin`, `plugin-waves` and `destroy-checkpoint`: the provider plugin `pulumi-resource-mps-fpdb` beside the dynamic provider, both
 * through Pulumi's own CLI (v3.248, `npm run build:pulumi-cli`) on a local file backend, default provider
 * settings, 3 s jobs. The engine harness runs only the dynamic provider's host, so the comparison that holds for
 * both front ends is the CLI's: the dynamic provider with the bench's TypeScript program (bench/programs/libraries),
 * the plugin with a YAML program of the same libraries (plugin-figures.ts writes it; YAML needs no SDK).
 *
 * - `plugin`: for each front end, in one run: `up` of N libraries, the state's bytes per resource
 *   (`pulumi stack export`), a purge of all N (`up` with a new `purgeTrigger`) and the teardown (`destroy`), each
 *   `--parallel` unbounded with `PULUMI_SKIP_CHECKPOINTS=true` like `teardown-real`: the provider's part, not the
 *   file backend's.
 * - `plugin-waves`: for each front end, a purge and a destroy of 40 libraries at the CLI's default parallelism,
 *   checkpoints on: what a user with default settings gets.
 * - `destroy-checkpoint` (not in the default set: about 8 minutes): the destroy of N libraries with checkpoints
 *   on (the default), once per front end, and the ratio of the two wall times: the file backend rewrites the whole
 *   state before and after every step, so a smaller state per resource is time a user gets back.
 *
 * Each line has the CLI run's wall time, the span of its API requests (as the emulator saw them) against the
 * floor (N / 100 requests/s + job + 1 s), API calls per library, a check that each library got exactly one job,
 * and the provider process's peak memory and CPU during the run. The packaged plugin is copied into the scratch
 * folder first, so a rebuild of dist/ during the run cannot change it under the CLI.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SERVICE, type BenchContext } from "../context";
import type { EmulatorProcess } from "../emulator-process";
import { callsBetween, cliRunFigures, type MeasuredCliRun } from "../floor";
import { HostMonitor, type HostUsage } from "../host-monitor";
import { emit, progress, round } from "../report";
import { CLI_DEFAULT_PARALLEL, UNBOUNDED } from "../stacks";
import { requestWindows } from "../timeline";
import { checkJobs, knownJobIds } from "../verify";
import {
  DYNAMIC_TYPE,
  librariesYaml,
  PLUGIN_PROJECT,
  PLUGIN_TYPE,
  stateBytes,
  type StateBytes,
} from "./plugin-figures";
import { WAVES_LIBRARIES } from "./waves";
import { cliStatus, createWorkspace, PLUGIN_DIR, type Workspace } from "../../test/real-engine/support/cli";

/** The two front ends, in the order each scenario runs them. */
export type FrontEnd = "dynamic" | "plugin";
const FRONT_ENDS: readonly FrontEnd[] = ["dynamic", "plugin"];

const DYNAMIC_PROGRAM = path.join(__dirname, "..", "programs", "libraries");
const PLUGIN_EXECUTABLE = "pulumi-resource-mps-fpdb";
const UNBOUNDED_FLAG = ["--parallel", String(UNBOUNDED)];
const SKIP_CHECKPOINTS = { PULUMI_SKIP_CHECKPOINTS: "true" };
/** How often the provider process is looked for and sampled while a CLI run goes on. */
const SAMPLE_EVERY_MS = 200;

/** Whether the CLI and the packaged plugin are there; if not, why. */
function missing(): string | undefined {
  const status = cliStatus();
  if (!status.ok) return status.reason;
  if (!fs.existsSync(path.join(PLUGIN_DIR, PLUGIN_EXECUTABLE))) {
    return `the packaged plugin ${path.join(PLUGIN_DIR, PLUGIN_EXECUTABLE)} is missing: run npm run build`;
  }
  return undefined;
}

/** A copy of the packaged plugin in the scratch folder (made once per benchmark run). */
export function pluginCopy(work: string): string {
  const copy = path.join(work, "plugin-package");
  if (!fs.existsSync(copy)) fs.cpSync(PLUGIN_DIR, copy, { recursive: true });
  return copy;
}

/** One measured CLI run. */
interface CliRun extends MeasuredCliRun {
  failedSteps: number;
  /** The busiest provider process of the run. */
  provider?: HostUsage;
  /** Provider processes the run started (the engine's, and for YAML the language host's for the schema). */
  providerProcesses: number;
}

/** A stack of N libraries through one front end, created with checkpoints skipped (the setup is not compared). */
interface BulkStack {
  frontEnd: FrontEnd;
  ws: Workspace;
  ids: string[];
  created: CliRun;
}

export async function runPluginScenario(ctx: BenchContext): Promise<void> {
  if (!(await ready(ctx, "plugin"))) return;
  const floor = ctx.libraries / SERVICE.requestsPerSecond + SERVICE.jobSeconds + 1;
  // Creates wait for activation (1 s), not for a job.
  const createFloor = ctx.libraries / SERVICE.requestsPerSecond + SERVICE.activateSeconds + 1;
  const results: Record<"create" | "purge" | "teardown", Partial<Record<FrontEnd, CliRun>>> = {
    create: {},
    purge: {},
    teardown: {},
  };
  const bytes: Partial<Record<FrontEnd, StateBytes>> = {};
  for (const frontEnd of FRONT_ENDS) {
    const stack = await createStack(ctx, frontEnd);
    try {
      results.create[frontEnd] = stack.created;
      emit(line("plugin-create", frontEnd, ctx.libraries, false, stack.created, createFloor));

      const exported = await stack.ws.run(["stack", "export"]);
      bytes[frontEnd] = stateBytes(exported.stdout, frontEnd === "plugin" ? PLUGIN_TYPE : DYNAMIC_TYPE);
      emit({
        scenario: "plugin-state-bytes",
        frontEnd,
        engine: "pulumi-cli",
        ...bytes[frontEnd],
        checkpointFileBytesPerResource: checkpointBytesPerResource(stack.ws, ctx.libraries),
      });

      progress(
        `plugin (${frontEnd}): purge of ${ctx.libraries} libraries, --parallel unbounded, no checkpoints`,
      );
      await stack.ws.setConfig(triggerKey(frontEnd), "release-2");
      const purgeJobs = await knownJobIds(ctx.emulator);
      const purged = await cliRun(
        ctx.emulator,
        stack.ws,
        ["up", "--yes", ...UNBOUNDED_FLAG],
        SKIP_CHECKPOINTS,
      );
      const purgeCheck = await checkJobs(ctx.emulator, stack.ids, "Purge", purgeJobs);
      results.purge[frontEnd] = purged;
      emit({
        ...line("plugin-purge-all", frontEnd, ctx.libraries, false, purged, floor),
        oneJobPerLibrary:
          purgeCheck.librariesWithOneSuccessfulJob === ctx.libraries && purgeCheck.extraJobs === 0,
      });

      progress(
        `plugin (${frontEnd}): destroy of ${ctx.libraries} libraries, --parallel unbounded, no checkpoints`,
      );
      const destroyed = await destroyRun(ctx.emulator, stack, false);
      results.teardown[frontEnd] = destroyed.run;
      emit({
        ...line("plugin-teardown", frontEnd, ctx.libraries, false, destroyed.run, floor),
        ...destroyed.check,
      });
    } finally {
      await stack.ws.close();
    }
  }
  const ratio = (a: number | undefined, b: number | undefined): number | undefined =>
    a === undefined || b === undefined || b === 0 ? undefined : round(a / b);
  emit({
    scenario: "plugin-vs-dynamic",
    engine: "pulumi-cli",
    libraries: ctx.libraries,
    pluginOverDynamic: Object.fromEntries(
      Object.entries(results).map(([op, r]) => [
        op,
        {
          wall: ratio(r.plugin?.wallSeconds, r.dynamic?.wallSeconds),
          requestSpan: ratio(r.plugin?.requestSpanSeconds, r.dynamic?.requestSpanSeconds),
          callsPerLibrary: ratio(r.plugin?.calls.total, r.dynamic?.calls.total),
        },
      ]),
    ),
    stateEntryBytes: ratio(bytes.plugin?.entryBytes, bytes.dynamic?.entryBytes),
  });
}

/**
 * `plugin-waves`: what a user with default settings gets, for each front end: a purge and a destroy of
 * {@link WAVES_LIBRARIES} libraries at the CLI's own default parallelism (no `--parallel` flag: 4 x CPUs steps at a
 * time), checkpoints on, as `waves-real` does for the dynamic provider's destroy alone. The floor is the waves of
 * jobs: ceil(N / parallelism) x the job length.
 */
export async function runPluginWavesScenario(ctx: BenchContext): Promise<void> {
  if (!(await ready(ctx, "plugin-waves"))) return;
  const floor = Math.ceil(WAVES_LIBRARIES / CLI_DEFAULT_PARALLEL) * SERVICE.jobSeconds;
  const walls: Record<"purge" | "destroy", Partial<Record<FrontEnd, number>>> = { purge: {}, destroy: {} };
  for (const frontEnd of FRONT_ENDS) {
    const stack = await createStack(ctx, frontEnd, WAVES_LIBRARIES);
    try {
      progress(
        `plugin-waves (${frontEnd}): purge of ${WAVES_LIBRARIES} libraries at the CLI's default parallelism`,
      );
      await stack.ws.setConfig(triggerKey(frontEnd), "release-2");
      const purgeJobs = await knownJobIds(ctx.emulator);
      const purged = await cliRun(ctx.emulator, stack.ws, ["up", "--yes"], {});
      const purgeCheck = await checkJobs(ctx.emulator, stack.ids, "Purge", purgeJobs);
      walls.purge[frontEnd] = purged.wallSeconds;
      emit({
        ...line("plugin-waves-purge", frontEnd, WAVES_LIBRARIES, true, purged, floor, "default"),
        oneJobPerLibrary:
          purgeCheck.librariesWithOneSuccessfulJob === WAVES_LIBRARIES && purgeCheck.extraJobs === 0,
      });

      progress(
        `plugin-waves (${frontEnd}): destroy of ${WAVES_LIBRARIES} libraries at the CLI's default parallelism`,
      );
      const destroyed = await destroyRun(ctx.emulator, stack, true, []);
      walls.destroy[frontEnd] = destroyed.run.wallSeconds;
      emit({
        ...line("plugin-waves-destroy", frontEnd, WAVES_LIBRARIES, true, destroyed.run, floor, "default"),
        ...destroyed.check,
      });
    } finally {
      await stack.ws.close();
    }
  }
  const ratio = (op: "purge" | "destroy") =>
    walls[op].plugin !== undefined && walls[op].dynamic
      ? round(walls[op].plugin / walls[op].dynamic)
      : undefined;
  emit({
    scenario: "plugin-waves-vs-dynamic",
    engine: "pulumi-cli",
    libraries: WAVES_LIBRARIES,
    parallel: CLI_DEFAULT_PARALLEL,
    pluginOverDynamicWall: { purge: ratio("purge"), destroy: ratio("destroy") },
  });
}

/** The stack config key that holds the libraries' purgeTrigger, per front end's program. */
function triggerKey(frontEnd: FrontEnd): string {
  return frontEnd === "plugin" ? `${PLUGIN_PROJECT}:purgeTrigger` : "mps-fpdb-bench:purgeTrigger";
}

export async function runDestroyCheckpointScenario(ctx: BenchContext): Promise<void> {
  if (!(await ready(ctx, "destroy-checkpoint"))) return;
  const floor = ctx.libraries / SERVICE.requestsPerSecond + SERVICE.jobSeconds + 1;
  const walls: Partial<Record<FrontEnd, number>> = {};
  for (const frontEnd of FRONT_ENDS) {
    const stack = await createStack(ctx, frontEnd);
    try {
      progress(`destroy-checkpoint (${frontEnd}): destroy of ${ctx.libraries} libraries, checkpoints on`);
      const destroyed = await destroyRun(ctx.emulator, stack, true);
      walls[frontEnd] = destroyed.run.wallSeconds;
      emit({
        ...line("destroy-checkpoint", frontEnd, ctx.libraries, true, destroyed.run, floor),
        ...destroyed.check,
      });
    } finally {
      await stack.ws.close();
    }
  }
  emit({
    scenario: "destroy-checkpoint-ratio",
    engine: "pulumi-cli",
    libraries: ctx.libraries,
    dynamicWallSeconds: walls.dynamic,
    pluginWallSeconds: walls.plugin,
    dynamicOverPlugin:
      walls.dynamic !== undefined && walls.plugin ? round(walls.dynamic / walls.plugin) : undefined,
  });
}

/**
 * Whether `scenario` can run (the CLI and the packaged plugin are there; if not, the skip is reported), with the
 * emulator set to the fixed job and activation times every plugin scenario measures against.
 */
async function ready(ctx: BenchContext, scenario: string): Promise<boolean> {
  const reason = missing();
  if (reason) {
    progress(`${scenario}: skipped: ${reason}`);
    emit({ scenario, skipped: reason });
    return false;
  }
  await ctx.emulator.admin.setSettings({
    jobSeconds: SERVICE.jobSeconds,
    activateSeconds: SERVICE.activateSeconds,
  });
  return true;
}

/** The workspace of N libraries through `frontEnd`, and its `up` (measured, but with checkpoints skipped). */
async function createStack(
  ctx: BenchContext,
  frontEnd: FrontEnd,
  libraries = ctx.libraries,
): Promise<BulkStack> {
  const { emulator, work } = ctx;
  let ws: Workspace;
  if (frontEnd === "plugin") {
    const program = path.join(work, `plugin-program-${libraries}`);
    fs.mkdirSync(program, { recursive: true });
    fs.writeFileSync(path.join(program, "Pulumi.yaml"), librariesYaml(libraries));
    ws = await createWorkspace({
      program,
      emulator,
      timing: "defaults",
      provider: "plugin",
      pluginDir: pluginCopy(work),
    });
  } else {
    ws = await createWorkspace({
      program: DYNAMIC_PROGRAM,
      emulator,
      timing: "defaults",
      config: { "mps-fpdb-bench:libraries": String(libraries), "mps-fpdb-bench:purgeTrigger": "release-1" },
    });
  }
  try {
    progress(
      `${frontEnd}: up of ${libraries} libraries through the CLI, --parallel unbounded, no checkpoints`,
    );
    const created = await cliRun(emulator, ws, ["up", "--yes", ...UNBOUNDED_FLAG], SKIP_CHECKPOINTS);
    if (created.failedSteps > 0) throw new Error(`${frontEnd}: ${created.failedSteps} create steps failed`);
    const type = frontEnd === "plugin" ? PLUGIN_TYPE : DYNAMIC_TYPE;
    const ids = (await ws.resources(type)).map((r) => r.id).filter((id): id is string => id !== undefined);
    if (ids.length !== libraries)
      throw new Error(`${frontEnd}: ${ids.length} of ${libraries} libraries created`);
    return { frontEnd, ws, ids, created };
  } catch (err) {
    await ws.close();
    throw err;
  }
}

async function destroyRun(
  emulator: EmulatorProcess,
  stack: BulkStack,
  checkpoints: boolean,
  parallelFlag: readonly string[] = UNBOUNDED_FLAG,
): Promise<{ run: CliRun; check: Record<string, unknown> }> {
  const before = await knownJobIds(emulator);
  const run = await cliRun(
    emulator,
    stack.ws,
    ["destroy", "--yes", ...parallelFlag],
    checkpoints ? {} : SKIP_CHECKPOINTS,
  );
  const check = await checkJobs(emulator, stack.ids, "Delete", before);
  return {
    run,
    check: {
      librariesGone: check.librariesDeleted,
      oneJobPerLibrary: check.librariesWithOneSuccessfulJob === stack.ids.length && check.extraJobs === 0,
    },
  };
}

/**
 * Runs `pulumi <args>` with an event log (as `teardown-real` does) and measures it; each provider process, once it
 * appears among the CLI's descendants, is sampled for memory and CPU until the run ends.
 */
async function cliRun(
  emulator: EmulatorProcess,
  ws: Workspace,
  args: string[],
  env: NodeJS.ProcessEnv,
): Promise<CliRun> {
  const countsBefore = await emulator.admin.counts();
  const eventLog = path.join(ws.dir, `bench-events-${Date.now()}.jsonl`);
  const started = Date.now();
  const running = ws.start([...args, "--event-log", eventLog], { env });
  // Every provider process the run starts is sampled: a YAML program's language host starts one of its own, to
  // read the schema, beside the engine's, and the one that did the work is the one with the most CPU.
  const monitors = new Map<number, HostMonitor>();
  const finder = setInterval(() => {
    for (const pid of running.descendants().filter(isProviderProcess)) {
      if (monitors.has(pid)) continue;
      const monitor = new HostMonitor();
      monitor.attach(pid);
      monitors.set(pid, monitor);
    }
  }, SAMPLE_EVERY_MS);
  let result;
  try {
    result = await running.done;
  } finally {
    clearInterval(finder);
  }
  const wallSeconds = (Date.now() - started) / 1000;
  const usages = [...monitors.values()]
    .map((m) => m.stop())
    .filter((u): u is HostUsage => u !== undefined)
    .sort((a, b) => b.cpuSeconds - a.cpuSeconds);
  fs.rmSync(eventLog, { force: true });
  const calls = callsBetween(countsBefore, await emulator.admin.counts());
  const windows = Object.values(requestWindows(await emulator.admin.requests(), started));
  const span =
    windows.length === 0 ? 0 : Math.max(...windows.map(([, b]) => b)) - Math.min(...windows.map(([a]) => a));
  return {
    wallSeconds,
    requestSpanSeconds: span,
    calls,
    failedSteps: result.steps.filter((s) => s.result !== "ok").length,
    provider: usages[0],
    providerProcesses: usages.length,
  };
}

/** Whether `pid` is a provider: the plugin's bundle or Pulumi's dynamic-provider host, both run by Node.js. */
function isProviderProcess(pid: number): boolean {
  try {
    const cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return (
      cmdline[0].endsWith("node") &&
      cmdline.some((a) => /pulumi-resource-mps-fpdb\.js$|dynamic-provider[\\/]index\.js$/.test(a))
    );
  } catch {
    return false;
  }
}

/** The file backend's checkpoint of the workspace's stack, in bytes per library. */
function checkpointBytesPerResource(ws: Workspace, libraries: number): number | undefined {
  const stacks = path.join(ws.dir, "state", ".pulumi", "stacks");
  const files = fs.existsSync(stacks) ? listFiles(stacks).filter((f) => /\.json(\.gz)?$/.test(f)) : [];
  const file = files.find((f) => f.endsWith(`${path.sep}${ws.stack}.json`)) ?? files[0];
  return file === undefined ? undefined : Math.round(fs.statSync(file).size / libraries);
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}

function line(
  scenario: string,
  frontEnd: FrontEnd,
  libraries: number,
  checkpoints: boolean,
  run: CliRun,
  floor: number,
  parallel: "unbounded" | "default" = "unbounded",
): Record<string, unknown> & { scenario: string } {
  return {
    scenario,
    frontEnd,
    engine: "pulumi-cli",
    program: frontEnd === "plugin" ? "yaml" : "typescript",
    libraries,
    parallel,
    checkpoints,
    jobSeconds: SERVICE.jobSeconds,
    ...cliRunFigures(run, libraries, floor),
    failedSteps: run.failedSteps,
    providerPeakRssMb: run.provider ? round(run.provider.peakRssMb, 1) : undefined,
    providerCpuSeconds: run.provider ? round(run.provider.cpuSeconds, 2) : undefined,
    providerProcesses: run.providerProcesses,
  };
}
