/**
 * `mps-fpdb jobs` against the real emulator: jobs found by the JobIds a stack export records (also outside the
 * service's 20 newest) and among the 20 newest, who submitted each as its UserData tag shows, and failures.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import type { LibraryJobs } from "../../cli/jobs";
import { jobTag, newJobTagKey } from "../../core/jobs/job-tag";
import { outOfBandApi } from "../support/mps";
import { cleanEnv, emulatorEnv, fakePulumi, runCli, tempDir } from "./run";

let emulator: RunningEmulator;
let work: string;
let env: NodeJS.ProcessEnv;
let old: string; // a library whose jobs are all older than the 20 newest
let recent: string;
const jobIds: { tagged?: string; console?: string; recent?: string } = {};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  emulator = await startEmulator({ port: 0, activateSeconds: 0, jobSeconds: 0.02, quota: 100 });
  work = tempDir("mps-fpdb-jobs-");
  env = cleanEnv(work, fakePulumi(work, "v3.248.0"), emulatorEnv(emulator.endpoint));
  const api = outOfBandApi(emulator.endpoint);
  old = emulator.admin.seedLibrary({ name: "old" });
  recent = emulator.admin.seedLibrary({ name: "recent" });

  const tag = jobTag(newJobTagKey(), { fpDbId: old, delType: "Purge", purpose: { trigger: "v1" } });
  jobIds.tagged = (await api.submitFpDbDeleteJob({ fpDbId: old, delType: "Purge", userData: tag })).jobId;
  // MPS reports job times to the second: the console's job is newer only when it starts in a later second.
  await sleep(1100 - (Date.now() % 1000));
  jobIds.console = (
    await api.submitFpDbDeleteJob({ fpDbId: old, delType: "Purge", userData: "by hand" })
  ).jobId;
  // 20 jobs of other libraries push those two out of the service's 20 newest.
  for (let i = 0; i < 20; i++) {
    const other = emulator.admin.seedLibrary({ name: `other-${i}` });
    await api.submitFpDbDeleteJob({ fpDbId: other, delType: "Purge" });
  }
  jobIds.recent = (await api.submitFpDbDeleteJob({ fpDbId: recent, delType: "Delete" })).jobId;
  await sleep(150);
});

afterAll(async () => {
  await emulator?.close();
  fs.rmSync(work, { recursive: true, force: true });
});

function stackExport(resources: unknown[]): string {
  const file = path.join(work, `export-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify({ version: 3, deployment: { manifest: {}, resources } }));
  return file;
}

const libraryResource = (fpDbId: string, outputs: Record<string, unknown>) => ({
  urn: `urn:pulumi:dev::proj::pulumi-nodejs:dynamic:Resource::${String(outputs.resourceName)}`,
  type: "pulumi-nodejs:dynamic:Resource",
  id: fpDbId,
  outputs: { fpDbId, region: "cn-hangzhou", schemaVersion: 2, ...outputs },
});

it("finds a library's recent jobs by its id among the 20 newest", async () => {
  const result = await runCli(["jobs", recent, "--json"], env);
  expect(result.code).toBe(0);
  const { libraries } = JSON.parse(result.stdout) as { libraries: LibraryJobs[] };
  expect(libraries).toEqual([
    {
      fpDbId: recent,
      endpoint: emulator.endpoint,
      jobs: [
        expect.objectContaining({
          jobId: jobIds.recent,
          delType: "Delete",
          status: "Success",
          createdAt: expect.stringMatching(/Z$/),
          finishedAt: expect.stringMatching(/Z$/),
          inStackState: false,
        }),
      ],
      missingJobIds: [],
    },
  ]);
  expect(libraries[0].jobs[0].submittedBy).toBeUndefined();
  expect(result.stderr).toContain(
    `the 20 newest jobs at ${emulator.endpoint} (environment MPS_FPDB_ENDPOINT)`,
  );
});

it("says so when a library's jobs are older than the 20 newest and no JobId is known", async () => {
  const result = await runCli(["jobs", old], env);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(
    `${old} at ${emulator.endpoint}\n  no jobs found (by the state's JobIds or among the 20 newest)`,
  );
});

it("finds the jobs a stack export records, with who submitted them, and JobIds MPS no longer knows", async () => {
  const file = stackExport([
    { urn: "urn:pulumi:dev::proj::pulumi:pulumi:Stack::proj-dev", type: "pulumi:pulumi:Stack", outputs: {} },
    libraryResource(old, {
      resourceName: "catalogue-dna",
      jobHistory: [
        { jobId: jobIds.tagged, delType: "Purge", status: "Success", submittedAt: "2025-01-01T00:00:00Z" },
        {
          jobId: "job-expired-long-ago",
          delType: "Purge",
          status: "Success",
          submittedAt: "2024-01-01T00:00:00Z",
        },
      ],
      purgeJobId: jobIds.console,
      jobTagKey: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", ciphertext: "x" },
    }),
    libraryResource(recent, { resourceName: "recent-dna", jobHistory: [] }),
  ]);
  const json = await runCli(["jobs", "--stack-export", file, "--json"], env);
  expect(json.code).toBe(0);
  const { libraries } = JSON.parse(json.stdout) as { libraries: LibraryJobs[] };
  expect(libraries.map((l) => [l.fpDbId, l.resourceName])).toEqual([
    [old, "catalogue-dna"],
    [recent, "recent-dna"],
  ]);
  expect(libraries[0].jobs.map((j) => [j.jobId, j.submittedBy, j.inStackState])).toEqual([
    [jobIds.console, undefined, true],
    [jobIds.tagged, "pulumi-mps-fpdb", true],
  ]);
  expect(libraries[0].missingJobIds).toEqual(["job-expired-long-ago"]);
  expect(libraries[1].jobs.map((j) => j.jobId)).toEqual([jobIds.recent]);

  const table = await runCli(["jobs", "--stack-export", file], env);
  expect(table.stdout).toContain(`${old} (catalogue-dna) at ${emulator.endpoint}`);
  expect(table.stdout).toMatch(/^ {2}JOB ID +TYPE +STATUS +CREATED +FINISHED +SUBMITTED BY$/m);
  expect(table.stdout).toMatch(
    new RegExp(
      `^  ${jobIds.tagged} +Purge +Success +\\S+Z +\\S+Z +pulumi-mps-fpdb \\(in stack state\\)$`,
      "m",
    ),
  );
  expect(table.stdout).toMatch(
    new RegExp(`^  ${jobIds.console} +Purge +Success .* - \\(in stack state\\)$`, "m"),
  );
  expect(table.stdout).toContain("  job-expired-long-ago: in the stack's state, but MPS no longer knows it");
});

it("shows a failed job's code", async () => {
  const lib = emulator.admin.seedLibrary({ name: "failing" });
  emulator.admin.addFault({ type: "job-fail", delType: "Purge", count: 1, code: "InternalError" });
  await outOfBandApi(emulator.endpoint).submitFpDbDeleteJob({ fpDbId: lib, delType: "Purge" });
  await sleep(150);
  const result = await runCli(["jobs", lib], env);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/ Purge +Fail /);
  expect(result.stdout).toMatch(/failed: InternalError/);
  emulator.admin.clearFaults();
});

it("fails with exit code 1 and a progress line per retry when the endpoint is down", async () => {
  const stopped = await startEmulator({ port: 0 });
  await stopped.close();
  const result = await runCli(["jobs", recent], {
    ...env,
    MPS_FPDB_ENDPOINT: stopped.endpoint,
    MPS_FPDB_MAX_ATTEMPTS: "2",
    MPS_FPDB_RETRY_BASE_MS: "1",
  });
  expect(result.code).toBe(1);
  expect(result.stderr).toMatch(
    /MPS QueryFpDBDeleteJobList at http:\/\/127\.0\.0\.1:\d+ failed with ECONNREFUSED on attempt 1 of 2; retrying in/,
  );
  expect(result.stdout).toContain("FAIL MPS QueryFpDBDeleteJobList failed: ECONNREFUSED");
  expect(result.stdout).toContain("Nothing accepts connections at");
});

it("refuses a command line without libraries, and an unreadable export, naming the fix", async () => {
  const none = await runCli(["jobs"], env);
  expect(none.code).toBe(2);
  expect(none.stderr).toContain("Give library ids (fpDbId) as arguments, or --stack-export <file>.");
  expect(none.stderr).toContain("Usage: mps-fpdb jobs");
  const missing = await runCli(["jobs", "--stack-export", path.join(work, "nope.json")], env);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain(
    "cannot read it (ENOENT). Write it with `pulumi stack export --file <file>`",
  );
});

it("prints its help", async () => {
  const result = await runCli(["jobs", "--help"], env);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^Usage: mps-fpdb jobs <fpDbId\.\.\.> \[options\]/);
});
