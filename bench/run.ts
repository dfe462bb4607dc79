/**
 * `npm run bench`: how promptly FingerprintLibrary's waits end, and its bulk throughput and overhead, through the
 * engine harness against the emulator in its own process (100 requests/s per action), with default provider
 * settings: `planner-sim` (the wait scheduler alone in virtual time: calls and lateness for jobs of 3 to 120 s),
 * `single` (1 library; 3, 20 and 120 s jobs), `lone-wait` (one 120 s Delete job, the only wait of its
 * process), `waves` (40 libraries at the CLI's default parallelism), `purge-all` and `teardown` (N libraries,
 * `--parallel` unbounded; fixed 3 s, fixed 20 s and lognormal jobs), the naive provider side by side for the 3 s
 * teardown, `teardown-sweep` (the destroy of N libraries on fixed jobs of 3 to 120 s: calls per library),
 * `overhead`, and `real-engine` (the destroys again through Pulumi's own CLI, when `npm run build:pulumi-cli`
 * has built it), `plugin-host` and `plugin` (the provider plugin beside the dynamic provider, both through the CLI:
 * scenarios/plugin.ts), `plugin-waves` (both front ends' purge and destroy of 40 libraries at the CLI's default
 * parallelism), and, only when `--only` names it, `destroy-checkpoint` (a destroy of N with checkpoints
 * on, per front end). JSON result lines on stdout, progress on stderr. `--libraries N` (env BENCH_LIBRARIES,
 * default 1000); `--only single,waves,...` runs a subset.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SERVICE, type BenchContext } from "./context";
import { startEmulatorProcess } from "./emulator-process";
import { parseOptions, UsageError } from "./options";
import { progress } from "./report";
import { runNaiveScenario, type NaiveRuns } from "./scenarios/naive";
import { runOurScenarios, type OurRuns } from "./scenarios/ours";
import { runOverheadScenario } from "./scenarios/overhead";
import { runDestroyCheckpointScenario, runPluginScenario, runPluginWavesScenario } from "./scenarios/plugin";
import { runPluginHostScenario } from "./scenarios/plugin-host";
import { runPlannerSimScenario } from "./scenarios/planner-sim";
import { runRealEngineScenario } from "./scenarios/real-engine";
import { runLoneWaitScenario } from "./scenarios/lone-wait";
import { runSingleScenario } from "./scenarios/single";
import { runTeardownSweepScenario } from "./scenarios/teardown-sweep";
import { runWavesScenario } from "./scenarios/waves";

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const { libraries, scenarios } = options;
  const emulator = await startEmulatorProcess({
    qps: SERVICE.requestsPerSecond,
    jobSeconds: SERVICE.jobSeconds,
    activateSeconds: SERVICE.activateSeconds,
    // Both stacks' libraries may exist at once, plus the small stacks'.
    quota: 2 * libraries + 100,
    // Enough to keep every request of the largest run, for the timelines.
    requestLogLimit: 50 * libraries + 1000,
  });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-bench-"));
  const ctx: BenchContext = { emulator, work, libraries, cpuMsPerOperation: {} };
  progress(
    `${libraries} libraries; emulator ${emulator.endpoint}: ${SERVICE.requestsPerSecond} requests/s per action, ` +
      `scenarios ${scenarios.join(", ")}; state files in ${work}`,
  );
  try {
    let ours: OurRuns = {};
    let naive: NaiveRuns = {};
    if (scenarios.includes("planner-sim")) await runPlannerSimScenario(ctx);
    if (scenarios.includes("single")) await runSingleScenario(ctx);
    if (scenarios.includes("lone-wait")) await runLoneWaitScenario(ctx);
    if (scenarios.includes("waves")) await runWavesScenario(ctx);
    if (scenarios.some((s) => ["purge-all", "teardown", "overhead"].includes(s)))
      ours = await runOurScenarios(ctx, scenarios);
    if (scenarios.includes("teardown-naive")) naive = await runNaiveScenario(ctx, ours.teardown);
    if (scenarios.includes("teardown-sweep")) await runTeardownSweepScenario(ctx);
    if (scenarios.includes("overhead")) await runOverheadScenario(ctx, ours, naive);
    if (scenarios.includes("real-engine")) await runRealEngineScenario(ctx);
    if (scenarios.includes("plugin-host")) await runPluginHostScenario(ctx);
    if (scenarios.includes("plugin")) await runPluginScenario(ctx);
    if (scenarios.includes("plugin-waves")) await runPluginWavesScenario(ctx);
    if (scenarios.includes("destroy-checkpoint")) await runDestroyCheckpointScenario(ctx);
  } finally {
    await emulator.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) console.error(`bench: ${err.message}`);
  else console.error(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.exitCode = 1;
});
