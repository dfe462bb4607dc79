/**
 * The demo through the real Pulumi CLI, used when `pulumi` 3.146+ is on PATH (3.146 passes the dynamic provider's
 * log lines through, which is where the Delete JobId appears).
 *
 * Exercised by test/real-engine/demo.test.ts with the CLI that `npm run build:pulumi-cli` builds. The CLI runs
 * asynchronously: the emulator lives in this process and must keep answering while `pulumi` waits on it.
 */
import { execFileSync, spawn } from "node:child_process";
import type { RunningEmulator } from "../emulator";
import { demoConfig, heading, PROGRAM_DIR, PURGE_TRIGGER, type DemoOutcome } from "./common";

const MIN_CLI = [3, 146, 0];

/** The `pulumi` binary on PATH, if it is recent enough. */
export function findPulumiCli(): { path: string; version: string } | undefined {
  let version: string;
  try {
    version = execFileSync("pulumi", ["version"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    }).trim();
  } catch {
    return undefined;
  }
  const parts = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version)?.slice(1).map(Number);
  if (!parts) return undefined;
  for (let i = 0; i < 3; i++) {
    if (parts[i] !== MIN_CLI[i]) return parts[i] > MIN_CLI[i] ? { path: "pulumi", version } : undefined;
  }
  return { path: "pulumi", version };
}

/** Runs the quickstart through up, purge, destroy with the real CLI and a local file backend in `work`. */
export async function runWithCli(
  cli: { path: string },
  emulator: RunningEmulator,
  work: string,
): Promise<DemoOutcome> {
  const env = {
    ...process.env,
    PULUMI_BACKEND_URL: `file://${work}`,
    PULUMI_CONFIG_PASSPHRASE: "demo-only-passphrase",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true",
  };
  const run = (args: string[], capture = false): Promise<string> =>
    new Promise((resolve, reject) => {
      const child = spawn(cli.path, [...args, "--cwd", PROGRAM_DIR, "--non-interactive"], {
        env,
        stdio: capture ? ["ignore", "pipe", "inherit"] : "inherit",
      });
      let stdout = "";
      child.stdout?.on("data", (chunk: Buffer) => (stdout += chunk.toString("utf8")));
      child.on("error", reject);
      child.on("close", (status) =>
        status === 0 ? resolve(stdout) : reject(new Error(`pulumi ${args.join(" ")} exited with ${status}`)),
      );
    });
  const { config, secretKeys } = demoConfig(emulator);

  await run(["stack", "init", "demo"]);
  for (const [key, value] of Object.entries(config)) {
    await run(["config", "set", key, value, ...(secretKeys.includes(key) ? ["--secret"] : ["--plaintext"])]);
  }
  heading("1/3 pulumi up: create the library");
  await run(["up", "--yes", "--skip-preview"]);
  const fpDbId = JSON.parse(await run(["stack", "output", "fpDbId", "--json"], true)) as string;

  heading(`2/3 pulumi up: purgeTrigger set to "${PURGE_TRIGGER}"`);
  await run(["config", "set", "purgeTrigger", PURGE_TRIGGER, "--plaintext"]);
  await run(["up", "--yes", "--skip-preview"]);
  const purgeJobId = JSON.parse(await run(["stack", "output", "purgeJobId", "--json"], true)) as string;
  const purgeJobStatus = JSON.parse(
    await run(["stack", "output", "purgeJobStatus", "--json"], true),
  ) as string;

  heading("3/3 pulumi destroy: delete the library");
  await run(["destroy", "--yes", "--skip-preview"]);
  await run(["stack", "rm", "--yes"]);
  const deleteJob = emulator.admin
    .state()
    .jobs.find((job) => job.fpDbId === fpDbId && job.delType === "Delete");
  if (!deleteJob) throw new Error("no Delete job was submitted");
  return { fpDbId, purgeJobId, purgeJobStatus, deleteJobId: deleteJob.jobId };
}
