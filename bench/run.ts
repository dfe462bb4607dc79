/**
 * `npm run bench`: teardown throughput and provider overhead of FingerprintLibrary through the engine harness
 * against the embedded emulator (100 requests/s per action, 3 s jobs), side by side with a naive provider.
 * JSON result lines on stdout, progress on stderr. `--libraries N` (env BENCH_LIBRARIES, default 1000);
 * `--only purge-all,teardown,teardown-naive,overhead` runs a subset.
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

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2), process.env);
  const { libraries, scenarios } = options;
  const emulator = await startEmulatorProcess({
    qps: SERVICE.requestsPerSecond,
    jobSeconds: SERVICE.jobSeconds,
    activateSeconds: SERVICE.activateSeconds,
    // Both stacks' libraries may exist at once, plus the overhead stack's.
    quota: 2 * libraries + 10,
    // Enough to keep every request of the largest run, for the timelines.
    requestLogLimit: 50 * libraries + 1000,
  });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-bench-"));
  const ctx: BenchContext = { emulator, work, libraries, cpuMsPerOperation: {} };
  progress(
    `${libraries} libraries; emulator ${emulator.endpoint}: ${SERVICE.requestsPerSecond} requests/s per action, ` +
      `jobs ${SERVICE.jobSeconds} s; scenarios ${scenarios.join(", ")}; state files in ${work}`,
  );
  try {
    let ours: OurRuns = {};
    let naive: NaiveRuns = {};
    if (scenarios.some((s) => s !== "teardown-naive")) ours = await runOurScenarios(ctx, scenarios);
    if (scenarios.includes("teardown-naive")) naive = await runNaiveScenario(ctx, ours.teardown);
    if (scenarios.includes("overhead")) await runOverheadScenario(ctx, ours, naive);
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
