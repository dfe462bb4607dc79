/**
 * How many Purge jobs each library gets when submits lose their answers or a run is killed mid-purge, through
 * Pulumi's own CLI, counted from the emulator's ledger. The promise: each trigger gets a Purge of its own, and a
 * duplicate only where an ambiguous submit's job cannot be found, each one logged with its library.
 */
import { RECENT_JOBS_WINDOW } from "../../core/jobs/verdicts";
import { outOfBandApi } from "../support/mps";
import type { Workspace } from "./support/cli";
import { scenarioSuite, setLibraries, type LibrarySpec } from "./support/fixture";

jest.setTimeout(300_000);

const LIBRARIES = 60;
const suite = scenarioSuite({ activateSeconds: 0.2, jobSeconds: 0.3, quota: 1000 });
const ledger = () => suite.emulator().admin;

function specs(prefix: string, trigger?: string): LibrarySpec[] {
  return Array.from({ length: LIBRARIES }, (_, i) => ({
    name: `${prefix}-${i}`,
    userData: null,
    ...(trigger === undefined ? {} : { purgeTrigger: trigger }),
  }));
}

/**
 * Another tenant of the account purging its own libraries at `perSecond` once `start()` holds, until stopped: the
 * 20-job window is account-wide, so this pushes the stack's jobs out of it within a fraction of a second.
 */
function busyAccount(perSecond: number, start: () => boolean): { stop(): Promise<number> } {
  const api = outOfBandApi(suite.emulator().endpoint);
  const others = Array.from({ length: 200 }, (_, i) => ledger().seedLibrary({ name: `tenant-${i}` }));
  let sent = 0;
  const pending: Promise<unknown>[] = [];
  const timer = setInterval(() => {
    if (sent === 0 && !start()) return;
    pending.push(
      api.submitFpDbDeleteJob({ fpDbId: others[sent % others.length], delType: "Purge" }).catch(() => 0),
    );
    sent += 1;
  }, 1000 / perSecond);
  return {
    stop: async () => {
      clearInterval(timer);
      await Promise.all(pending);
      return sent;
    },
  };
}

/** Purge jobs per library of the stack, from the emulator's ledger. */
async function purgesPerLibrary(
  of: { emulator(): { admin: ReturnType<typeof ledger> } },
  ws: Workspace,
): Promise<number[]> {
  const ids = (await ws.resources()).map((r) => r.id);
  const jobs = of
    .emulator()
    .admin.state()
    .jobs.filter((j) => j.delType === "Purge");
  return ids.map((id) => jobs.filter((j) => j.fpDbId === id).length);
}

test("submits whose answers time out after the job was made: found by their tag; a duplicate only where unseen, named", async () => {
  const ws = await suite.workspace(specs("slow"), { "pulumi-mps-fpdb:readTimeoutMs": "3000" });
  await ws.up(["--skip-preview"]);

  // Every first submit is executed, then its answer is held past the client's read timeout.
  ledger().addFault({
    type: "latency",
    action: "SubmitFpDBDeleteJob",
    latencyMs: 4_000,
    count: LIBRARIES,
  });
  await setLibraries(ws, specs("slow", "release-1"));
  // Once every library's job exists (their answers held back), the tenant pushes them out of the window.
  const ids = new Set((await ws.resources()).map((r) => r.id));
  const stackJobs = () =>
    suite
      .emulator()
      .admin.state()
      .jobs.filter((j) => ids.has(j.fpDbId));
  const tenant = busyAccount(50, () => stackJobs().length >= LIBRARIES);
  const up = await ws.up(["--skip-preview"]);
  // Enough of the tenant's jobs to push the stack's out of the 20 newest.
  expect(await tenant.stop()).toBeGreaterThan(RECENT_JOBS_WINDOW);

  // Lost submits were recognised by their tag, in the window or in an earlier read of it.
  expect(up.output).toContain("the job created by a submit whose answer was lost");
  // The promise: at most one duplicate per ambiguous submit, each named in a possible-duplicate warning. How many
  // jobs are recognised depends on how often the window is read before the tenant pushes them out, which a busy
  // machine slows down: on a quiet one none of the 60 is purged twice (the code before the tag: 4 of 60, unnamed).
  const counts = await purgesPerLibrary(suite, ws);
  const resources = await ws.resources();
  const doubled = resources.filter((_, i) => counts[i] > 1).map((r) => r.id ?? "");
  console.log(`timed-out submits: ${doubled.length} of ${LIBRARIES} libraries purged twice`);
  expect(counts.every((n) => n === 1 || n === 2)).toBe(true);
  const warnings = up.output.split("\n").filter((line) => line.includes("possible duplicate"));
  for (const id of doubled) expect(warnings.some((line) => line.includes(id))).toBe(true);
});

/**
 * The killed run's jobs must all be in the rerun's first window for the promise to be exact, so this scenario has an
 * emulator of its own (no other test's jobs in the account's 20 newest) and kills the run while its first jobs still
 * run: the engine starts at most `--parallel` updates at a time, and none ends before its job does.
 */
describe("a purge killed after some submits", () => {
  const killedSuite = scenarioSuite({ activateSeconds: 0.2, jobSeconds: 0.3, quota: 1000 });
  const PARALLEL = 8;

  test("run again: the killed run's jobs are taken by their tag, and no library gets a second Purge", async () => {
    const ws = await killedSuite.workspace(specs("killed"));
    await ws.up(["--skip-preview"]);
    const admin = killedSuite.emulator().admin;
    const ids = new Set((await ws.resources()).map((r) => r.id));
    const stackPurges = () => admin.state().jobs.filter((j) => j.delType === "Purge" && ids.has(j.fpDbId));

    admin.setSettings({ jobSeconds: 6 });
    await setLibraries(ws, specs("killed", "release-1"));
    const run = ws.start(["up", "--yes", "--skip-preview", "--parallel", String(PARALLEL)]);
    while (stackPurges().length < 4) await new Promise((resolve) => setTimeout(resolve, 10));
    run.signal("SIGKILL");
    await run.done.catch(() => undefined);
    const killedJobs = stackPurges().map((j) => j.jobId);
    // Some libraries have a job, the rest none; the window of 20 holds them all.
    expect(killedJobs.length).toBeGreaterThanOrEqual(4);
    expect(killedJobs.length).toBeLessThan(LIBRARIES);
    expect(killedJobs.length).toBeLessThan(RECENT_JOBS_WINDOW);

    admin.setSettings({ jobSeconds: 0.3 });
    await ws.run(["cancel", "--yes"]);
    const rerun = await ws.up(["--skip-preview"]);

    expect(await purgesPerLibrary(killedSuite, ws)).toEqual(Array(LIBRARIES).fill(1));
    // Each is taken by its tag: resumed while it runs, or accepted if it ended before the rerun looked.
    for (const jobId of killedJobs)
      expect(rerun.output).toMatch(
        new RegExp(`Resuming Purge job ${jobId}|Purge job ${jobId} for library \\w+ \\([^)]*\\) succeeded`),
      );
    expect(rerun.output).not.toContain("possible duplicate");
    const outputs = (await ws.resources()).map((r) => r.outputs?.purgeJobStatus);
    expect(outputs).toEqual(Array(LIBRARIES).fill("Success"));
  });
});
