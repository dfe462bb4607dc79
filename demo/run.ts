/**
 * `npm run demo`: the quickstart example through its whole life on the embedded MPS emulator: `up` (create),
 * a `purgeTrigger` change and `up` (a Purge job), then `destroy` (a Delete job), printing each step's plan, the
 * JobIds and their final status, and a closing summary checked against the emulator's own records.
 *
 * With a `pulumi` CLI 3.146+ on PATH it drives the real CLI (local file backend in a temporary folder); otherwise
 * the engine harness, which runs Pulumi's real dynamic-provider host the way the CLI does. It says which.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../emulator";
import { findPulumiCli, runWithCli } from "./cli-driver";
import { heading, type DemoOutcome } from "./common";
import { runWithHarness } from "./harness-driver";

async function main(): Promise<void> {
  const started = Date.now();
  const emulator = await startEmulator({ region: "cn-hangzhou", activateSeconds: 1, jobSeconds: 3 });
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-demo-"));
  try {
    console.log("pulumi-mps-fpdb demo: the quickstart example on the embedded MPS emulator");
    console.log(`MPS emulator listening on ${emulator.endpoint} (region cn-hangzhou, jobs take 3 s)`);
    const cli = findPulumiCli();
    console.log(
      cli
        ? `Engine: the Pulumi CLI ${cli.version} (${cli.path}), local file backend in ${work}`
        : "Engine: the engine harness (harness/), which drives Pulumi's real dynamic-provider host like the CLI " +
            "does; no pulumi CLI 3.146+ on PATH",
    );
    const outcome = cli
      ? await runWithCli(cli, emulator, work)
      : await runWithHarness(emulator, path.join(work, "stack.json"));
    summarize(emulator, outcome, Date.now() - started);
  } finally {
    await emulator.close();
    fs.rmSync(work, { recursive: true, force: true });
  }
}

function summarize(emulator: RunningEmulator, outcome: DemoOutcome, elapsedMs: number): void {
  const state = emulator.admin.state();
  const library = state.libraries.find((l) => l.fpDbId === outcome.fpDbId);
  const jobs = state.jobs.filter((j) => j.fpDbId === outcome.fpDbId);
  heading("Summary");
  console.log(`Library ${outcome.fpDbId}: created, purged, deleted`);
  console.log(`  Purge job  ${outcome.purgeJobId}: ${outcome.purgeJobStatus}`);
  console.log(
    `  Delete job ${outcome.deleteJobId}: ${jobs.find((j) => j.jobId === outcome.deleteJobId)?.status}`,
  );
  console.log(
    `The emulator recorded ${jobs.length} job(s) for the library (${jobs.map((j) => `${j.delType} ${j.status}`).join(", ")}); ` +
      `library ${library?.deleted ? "deleted" : "STILL PRESENT"}`,
  );
  const expected =
    library?.deleted === true &&
    jobs.length === 2 &&
    jobs.some((j) => j.jobId === outcome.purgeJobId && j.delType === "Purge" && j.status === "Success") &&
    jobs.some((j) => j.jobId === outcome.deleteJobId && j.delType === "Delete" && j.status === "Success");
  console.log(`Finished in ${(elapsedMs / 1000).toFixed(1)} s: ${expected ? "OK" : "UNEXPECTED RESULT"}`);
  if (!expected) process.exitCode = 1;
}

if (require.main === module) {
  main().catch((err: unknown) => {
    console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
    process.exitCode = 1;
  });
}
