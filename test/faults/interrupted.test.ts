/**
 * An interrupted destroy (issue 5): the provider host is killed while the Delete jobs of 50 libraries are
 * under way, and the same destroy is run again. The re-run must resume the unfinished jobs instead of
 * submitting second ones, delete every library and leave the state empty.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { JobView } from "../../emulator";
import type { EngineEvent } from "../../harness/engine";
import { FaultStack } from "./support/fault-stack";
import { droppedFromStateProblems } from "./support/ledger";
import { SecretScan } from "./support/secret-scan";
import { SUITE_ACCESS_KEY_ID, SUITE_ACCESS_KEY_SECRET } from "./support/suite-account";

const LIBRARIES = 50;
/**
 * Long enough that jobs are still running when the host dies and when the re-run looks for them, however long a
 * busy machine takes to start the re-run's provider host.
 */
const JOB_SECONDS = 10;
/** The host is killed once this many Delete jobs were submitted. */
const KILL_AFTER_JOBS = 30;
const UNFINISHED = ["Queuing", "Analysing"];

let work: string;
let stack: FaultStack;
const scan = new SecretScan();

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-interrupted-"));
  stack = await FaultStack.start({
    name: "interrupted",
    work,
    count: LIBRARIES,
    emulator: { jobSeconds: JOB_SECONDS },
    scan,
  });
});

afterAll(async () => {
  await stack.close();
  fs.rmSync(work, { recursive: true, force: true });
});

/**
 * Kills the provider host (SIGKILL, by the pid the harness reported) as soon as `KILL_AFTER_JOBS` Delete jobs
 * exist, and returns the jobs as they were at that moment.
 */
function killHostMidway(): { onEvent: (e: EngineEvent) => void; jobsAtKill: () => JobView[] } {
  let pid: number | undefined;
  let atKill: JobView[] = [];
  const watch = setInterval(() => {
    if (pid === undefined) return;
    const jobs = stack.emulator.admin.state().jobs.filter((j) => j.delType === "Delete");
    if (jobs.length < KILL_AFTER_JOBS) return;
    clearInterval(watch);
    atKill = jobs;
    process.kill(pid, "SIGKILL");
  }, 5);
  return {
    onEvent: (e) => {
      if (e.kind === "host-started") pid = e.pid;
    },
    jobsAtKill: () => {
      clearInterval(watch);
      return atKill;
    },
  };
}

it(
  "resumes the unfinished Delete jobs after the provider host died mid-destroy: one job per library, all " +
    "deleted, state empty",
  async () => {
    const created = await stack.run("up", "create");
    expect(created.result.errors).toEqual([]);
    const ids = created.result.state.resources.map((r) => r.id);
    expect(ids).toHaveLength(LIBRARIES);

    const killer = killHostMidway();
    const killed = await stack.run("destroy", "destroy (host killed)", undefined, killer.onEvent);
    const atKill = killer.jobsAtKill();
    const unfinished = atKill.filter((j) => UNFINISHED.includes(j.status));
    expect(atKill.length).toBeGreaterThanOrEqual(KILL_AFTER_JOBS);
    expect(unfinished.length).toBeGreaterThan(0);
    expect(killed.result.ok).toBe(false);
    const record = {
      phase: "destroy" as const,
      ids,
      jobsBefore: new Set<string>(),
      runs: [killed],
      fired: 1,
    };
    expect(droppedFromStateProblems(record)).toEqual([]);
    const kept = killed.result.state.resources.map((r) => r.id);
    expect(kept).toEqual(expect.arrayContaining(unfinished.map((j) => j.fpDbId)));

    let unfinishedAtRerun: JobView[] = [];
    const rerun = await stack.run("destroy", "destroy re-run", undefined, (e) => {
      if (e.kind !== "host-started") return;
      unfinishedAtRerun = stack.emulator.admin.state().jobs.filter((j) => UNFINISHED.includes(j.status));
    });
    expect(rerun.result.errors).toEqual([]);
    expect(rerun.result.state.resources).toEqual([]);
    expect(stack.state().resources).toEqual([]);
    const libraries = rerun.after.libraries.filter((lib) => ids.includes(lib.fpDbId));
    expect(libraries.filter((lib) => !lib.deleted).map((lib) => lib.fpDbId)).toEqual([]);
    const jobsPerLibrary = ids.map((id) => rerun.after.jobs.filter((j) => j.fpDbId === id).length);
    expect(jobsPerLibrary).toEqual(ids.map(() => 1));
    expect(rerun.after.jobs.every((j) => j.delType === "Delete" && j.status === "Success")).toBe(true);

    // The re-run met jobs still running: those among the 20 newest are resumed by JobId, the others are waited
    // out (or, if one ends just before the provider looks, found gone); none gets a second job.
    expect(unfinishedAtRerun.length).toBeGreaterThan(0);
    const output = rerun.result.diagnostics.join("\n");
    const resumed = unfinishedAtRerun.filter((j) =>
      output.includes(`Resuming Delete job ${j.jobId} for library ${j.fpDbId}`),
    );
    expect(resumed.length).toBeGreaterThan(0);
    const waitedOut = unfinishedAtRerun.filter((j) =>
      new RegExp(
        `library ${j.fpDbId} \\([^)]*\\)(: a Delete job submitted earlier finished| is already gone)`,
      ).test(output),
    );
    expect(resumed.length + waitedOut.length).toBe(unfinishedAtRerun.length);
    console.log(
      `interrupted destroy: host killed with ${atKill.length} Delete jobs submitted (${unfinished.length} ` +
        `unfinished); ${unfinishedAtRerun.length} still running when the re-run started: ${resumed.length} ` +
        `resumed by JobId, ${waitedOut.length} waited out`,
    );
  },
  300_000,
);

it("never exposes the AccessKey secret in state files, host output, errors or the requests MPS received", async () => {
  await stack.close();
  expect(scan.size).toBeGreaterThan(5);
  expect(scan.find(SUITE_ACCESS_KEY_SECRET)).toEqual([]);
  expect([...scan.signers]).toEqual([SUITE_ACCESS_KEY_ID]);
});
