/**
 * Purge triggers in process: a trigger change gets exactly one Purge job of its own; a Purge the state knows
 * (an earlier trigger's) is waited for and never stands in; an unknown newer Purge (a run killed after its
 * submit) is resumed or accepted, never repeated; and each way it goes wrong says what happened.
 */
import { jobTag } from "../../core/jobs/job-tag";
import { JobFailedError, LibraryGoneError, MpsApiError, WaitTimeoutError } from "../../core/errors";
import { InProcessFixture, MINUTE, rejection, type Deployed } from "./support/fixture";

let fx: InProcessFixture;

beforeAll(async () => {
  fx = await InProcessFixture.start();
});
beforeEach(() => fx.reset());
afterAll(() => fx.close());

function purgeJobs(fpDbId: string) {
  return fx.jobs(fpDbId).filter((job) => job.delType === "Purge");
}

/** An active library whose trigger has been through one purge (its job is in the state), then a new run. */
async function purgedOnce(name: string, inputs: Record<string, unknown> = {}): Promise<Deployed> {
  const lib = await fx.create(name, inputs);
  const purged = await fx.update(lib, { ...inputs, purgeTrigger: "release-1" });
  fx.newRun();
  return purged;
}

/** A QueryFpDBDeleteJobList without JobIds: a read of the account's 20 newest jobs. */
function isWindowRead(r: { action?: string; query: Record<string, string>; body?: string }): boolean {
  const params = new URLSearchParams(r.body ?? "");
  return r.action === "QueryFpDBDeleteJobList" && !r.query.JobIds && !params.get("JobIds");
}

/** A Purge submitted outside this run without the provider's tag: another stack's, another tool's, the console's. */
async function strayPurge(fpDbId: string, userData?: string): Promise<string> {
  return (await fx.outOfBand().submitFpDbDeleteJob({ fpDbId, delType: "Purge", userData })).jobId;
}

/**
 * The Purge a run killed right after its submit leaves: tagged for `trigger` as that run tagged it, from the state
 * it started from (the state the engine still holds).
 */
async function interruptedPurge(lib: Deployed, trigger: unknown): Promise<string> {
  const tag = jobTag(lib.outputs.jobTagKey as string, {
    fpDbId: lib.id,
    delType: "Purge",
    purpose: { trigger },
    afterJobId: lib.outputs.purgeJobId as string | undefined,
  });
  return strayPurge(lib.id, tag);
}

describe("a trigger change", () => {
  it("runs exactly one Purge job, waits for it, and records it in the state", async () => {
    const lib = await fx.create("purged", { purgeTrigger: "release-1" });
    expect(fx.jobs(lib.id)).toEqual([]);

    const updated = await fx.update(lib, { purgeTrigger: "release-2" });

    const [job] = fx.jobs(lib.id);
    expect(fx.jobs(lib.id)).toHaveLength(1);
    expect(job).toMatchObject({ delType: "Purge", status: "Success" });
    expect(updated.outputs).toMatchObject({
      purgeTrigger: "release-2",
      purgeJobId: job.jobId,
      purgeJobStatus: "Success",
      purgeRequestId: job.requestId,
      purgedAt: job.finishTime,
    });
    expect(updated.outputs.jobHistory).toEqual([
      expect.objectContaining({
        jobId: job.jobId,
        delType: "Purge",
        status: "Success",
        finishedAt: job.finishTime,
      }),
    ]);
    expect(fx.library(lib.id)?.fileCount).toBe(0);
    expect(fx.output()).toContain(`Purge job ${job.jobId} for library ${lib.id} (purged) succeeded`);
  });

  it("submits nothing when an update leaves the trigger as it is", async () => {
    const lib = await purgedOnce("steady");

    const { diff } = await fx.diff(lib, { purgeTrigger: "release-1" });
    const updated = await fx.update(lib, { purgeTrigger: "release-1", jobTimeoutSeconds: 600 });

    expect(diff.changes).toBe(false);
    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(0);
    expect(updated.outputs.purgeJobId).toBe(lib.outputs.purgeJobId);
  });

  it("with waitForCompletion false records the job as Queuing without waiting for it", async () => {
    const lib = await fx.create("quick", {});
    fx.newRun();

    const updated = await fx.update(lib, { waitForCompletion: false, purgeTrigger: "a" });

    const [job] = purgeJobs(lib.id);
    expect(updated.outputs).toMatchObject({ purgeJobId: job.jobId, purgeJobStatus: "Queuing" });
    expect(updated.outputs).not.toHaveProperty("purgedAt");
    expect(updated.outputs.jobHistory).toEqual([]);
    const jobLooks = fx.emulator.admin
      .requests()
      .filter((r) => r.action === "QueryFpDBDeleteJobList" && r.query.JobIds !== undefined);
    expect(jobLooks).toEqual([]);
  });
});

describe("Purge jobs the state knows", () => {
  it("GIVEN the last trigger's Purge still runs WHEN the trigger changes again THEN a new Purge follows it", async () => {
    const lib = await fx.create("quick-purges", {});
    const first = await fx.update(lib, { waitForCompletion: false, purgeTrigger: "a" });
    fx.newRun();

    const second = await fx.update(first, { waitForCompletion: false, purgeTrigger: "b" });

    const [a, b] = purgeJobs(lib.id);
    expect(purgeJobs(lib.id)).toHaveLength(2);
    expect(a.jobId).toBe(first.outputs.purgeJobId);
    expect(b.jobId).toBe(second.outputs.purgeJobId);
    expect(Date.parse(b.submittedAt)).toBeGreaterThanOrEqual(Date.parse(a.finishTime!));
    expect(fx.output()).toContain(
      `Purge job ${a.jobId} for library ${lib.id} (quick-purges) (Queuing) was submitted for an earlier request and ` +
        "cannot satisfy this one; waiting for it to end, then submitting a Purge job of this request's own",
    );
  });

  it("GIVEN the last trigger's Purge outlasts jobTimeoutSeconds THEN nothing is submitted and the error says to run `pulumi up` again", async () => {
    fx.emulator.admin.setSettings({ purgeSeconds: 30 * 60 });
    const lib = await fx.create("long-purge", { jobTimeoutSeconds: 120 });
    const first = await fx.update(lib, {
      jobTimeoutSeconds: 120,
      waitForCompletion: false,
      purgeTrigger: "a",
    });
    fx.newRun();

    const err = await rejection(fx.update(first, { jobTimeoutSeconds: 120, purgeTrigger: "b" }));

    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err.message).toBe(
      `library ${lib.id} (long-purge) still has an unfinished Purge job ${first.outputs.purgeJobId} after waiting ` +
        "120 s, so the Purge job was not submitted. Nothing is wrong with the request: run `pulumi up` again once " +
        "it has ended (QueryFpDBDeleteJobList shows its status), or raise jobTimeoutSeconds.",
    );
    expect(purgeJobs(lib.id)).toHaveLength(1);
    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(0);
  });
});

describe("a purge interrupted by a killed run", () => {
  it("GIVEN the killed run's Purge has succeeded WHEN the run is repeated THEN it is taken as the trigger's, with no second job", async () => {
    const lib = await purgedOnce("interrupted-done");
    const stray = await interruptedPurge(lib, "release-2");
    await fx.pass(10 * MINUTE);

    const rerun = await fx.update(lib, { purgeTrigger: "release-2" });

    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(1);
    expect(purgeJobs(lib.id).map((j) => j.jobId)).toEqual([lib.outputs.purgeJobId, stray]);
    expect(rerun.outputs).toMatchObject({ purgeJobId: stray, purgeJobStatus: "Success" });
    expect((rerun.outputs.jobHistory as { jobId: string }[]).map((j) => j.jobId)).toEqual([
      lib.outputs.purgeJobId,
      stray,
    ]);
    expect(fx.output()).toContain(`Purge job ${stray} for library ${lib.id} (interrupted-done) succeeded`);
    expect(fx.output()).toContain("it is taken as this request's purge and no new job is submitted");
  });

  it("GIVEN waitForCompletion false WHEN an interrupted run's succeeded Purge is taken THEN the state records it as done", async () => {
    const lib = await purgedOnce("interrupted-nowait");
    const stray = await interruptedPurge(lib, "release-2");
    await fx.pass(10 * MINUTE);

    const rerun = await fx.update(lib, { purgeTrigger: "release-2", waitForCompletion: false });

    const finished = purgeJobs(lib.id).find((j) => j.jobId === stray)!;
    expect(rerun.outputs).toMatchObject({
      purgeJobId: stray,
      purgeJobStatus: "Success",
      purgedAt: finished.finishTime,
    });
    expect((rerun.outputs.jobHistory as { jobId: string }[]).map((j) => j.jobId)).toContain(stray);
  });

  it("GIVEN the killed run's Purge still runs WHEN the run is repeated THEN it is resumed, not submitted again", async () => {
    const lib = await purgedOnce("interrupted-running");
    const stray = await interruptedPurge(lib, "release-2");
    await fx.pass(MINUTE);

    const rerun = await fx.update(lib, { purgeTrigger: "release-2" });

    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(1);
    expect(purgeJobs(lib.id)).toHaveLength(2);
    expect(rerun.outputs).toMatchObject({ purgeJobId: stray, purgeJobStatus: "Success" });
    expect(fx.output()).toContain(
      `Resuming Purge job ${stray} for library ${lib.id} (interrupted-running): submitted for this request by an ` +
        "earlier run that did not finish (Analysing)",
    );
  });

  it("GIVEN an interrupted run's Purge for another trigger WHEN the run is repeated with a new one THEN it is not taken", async () => {
    const lib = await purgedOnce("interrupted-other-trigger");
    const older = await interruptedPurge(lib, "release-2");
    await fx.pass(10 * MINUTE);

    const rerun = await fx.update(lib, { purgeTrigger: "release-3" });

    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(2); // the other Purge and its own
    expect(purgeJobs(lib.id).map((j) => j.jobId)).toEqual([
      lib.outputs.purgeJobId,
      older,
      rerun.outputs.purgeJobId,
    ]);
  });

  it("GIVEN a run's wait for its Purge timed out WHEN `up` runs again THEN that Purge is resumed, so the trigger has one job", async () => {
    fx.emulator.admin.setSettings({ purgeSeconds: 10 * 60 });
    const lib = await purgedOnce("timed-out");
    const startedAt = fx.clock.now();

    const err = await rejection(fx.update(lib, { purgeTrigger: "release-2", jobTimeoutSeconds: 120 }));

    const [, timedOut] = purgeJobs(lib.id);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err.message).toBe(
      `Timed out after 120 s waiting for job ${timedOut.jobId} for library ${lib.id} (timed-out); last status: ` +
        "Queuing. The job may still finish: raise jobTimeoutSeconds, or run the operation again to resume waiting " +
        "for it.",
    );
    expect(fx.clock.now() - startedAt).toBeLessThan(10 * MINUTE);

    // The engine kept the old state (the failed update recorded nothing); the next `up` asks for release-2 again.
    fx.newRun();
    const rerun = await fx.update(lib, { purgeTrigger: "release-2" });

    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(0);
    expect(purgeJobs(lib.id)).toHaveLength(2);
    expect(rerun.outputs).toMatchObject({ purgeJobId: timedOut.jobId, purgeJobStatus: "Success" });
  });

  it("GIVEN the library's jobs fell out of the 20 newest WHEN a Purge is submitted THEN it is logged as a possible duplicate", async () => {
    const lib = await purgedOnce("hidden");
    const api = fx.outOfBand();
    for (let i = 0; i < 20; i++) {
      const other = fx.emulator.admin.seedLibrary({ name: `other-${i}` });
      await api.submitFpDbDeleteJob({ fpDbId: other, delType: "Purge" });
    }
    await fx.pass(10 * MINUTE);
    fx.newRun();

    const rerun = await fx.update(lib, { purgeTrigger: "release-2" });

    expect(purgeJobs(lib.id)).toHaveLength(2);
    expect(fx.output()).toContain(
      `Purge job ${rerun.outputs.purgeJobId} for library ${lib.id} (hidden) is a possible duplicate: the 20 newest ` +
        "jobs of the account do not reach back to the jobs this stack knows",
    );
    expect(fx.lines.find((l) => l.line.includes("possible duplicate"))?.stream).toBe("stderr");
  });

  it("GIVEN a run purges more libraries than the 20-job window holds THEN its own submits make no Purge a possible duplicate", async () => {
    const libs: Deployed[] = [];
    for (let i = 0; i < 25; i++) libs.push(await fx.create(`bulk-${i}`, { purgeTrigger: "release-1" }));
    await fx.pass(10 * MINUTE);
    fx.newRun();

    // One run, every update in flight: once 20 of them have submitted, a window read now shows only this run's
    // jobs, newer than what any library's state knows. The run's first window is the one that speaks for the
    // earlier runs.
    const updates: Promise<Deployed>[] = [];
    for (const [i, lib] of libs.entries()) {
      updates.push(fx.update(lib, { purgeTrigger: "release-2" }));
      while (fx.calls("SubmitFpDBDeleteJob") <= i) await new Promise((resolve) => setImmediate(resolve));
    }
    const updated = await Promise.all(updates);

    for (const [i, lib] of libs.entries())
      expect(purgeJobs(lib.id).map((j) => j.jobId)).toEqual([updated[i].outputs.purgeJobId]);
    expect(fx.output()).not.toContain("possible duplicate");
    expect(fx.emulator.admin.requests().filter(isWindowRead)).toHaveLength(1);
  });

  it("GIVEN an adopted library with a Purge from before the stack managed it THEN the first trigger submits its own", async () => {
    const fpDbId = fx.emulator.admin.seedLibrary({ name: "adopted-with-history" });
    const manual = await strayPurge(fpDbId);
    await fx.pass(10 * MINUTE);
    const lib = await fx.create("adopted", { fpDbId, purgeTrigger: "r0" });
    fx.newRun();

    const updated = await fx.update(lib, { fpDbId, purgeTrigger: "r1" });

    const jobs = purgeJobs(fpDbId);
    expect(jobs.map((j) => j.jobId)).toEqual([manual, updated.outputs.purgeJobId]);
    // The state was written after the manual Purge, and the window reaches back to it: no doubt, no warning.
    expect(fx.output()).not.toContain("possible duplicate");
  });

  it("GIVEN a state from before recordedAt that knows no job THEN an unknown Purge in view makes the submit a possible duplicate", async () => {
    const fpDbId = fx.emulator.admin.seedLibrary({ name: "old-state" });
    const lib = await fx.create("old-state", { fpDbId });
    const manual = await strayPurge(fpDbId);
    await fx.pass(10 * MINUTE);
    fx.newRun();
    const { recordedAt: _none, deletion: _alsoNew, jobTagKey: _newer, ...schema1 } = lib.outputs;

    const updated = await fx.update(
      { ...lib, outputs: { ...schema1, schemaVersion: 1 } },
      { fpDbId, purgeTrigger: "r1" },
    );

    expect(purgeJobs(fpDbId).map((j) => j.jobId)).toEqual([manual, updated.outputs.purgeJobId]);
    expect(fx.output()).toContain(
      `Purge job ${updated.outputs.purgeJobId} for library ${fpDbId} (old-state) is a possible duplicate`,
    );
  });
});

describe("a purge without waiting", () => {
  it("GIVEN a library created without waiting WHEN a Purge is submitted without waiting THEN the status is current", async () => {
    const lib = await fx.create("no-waits", { waitForCompletion: false });
    expect(lib.outputs.status).toBe("offline");
    await fx.pass(MINUTE);

    const updated = await fx.update(lib, { waitForCompletion: false, purgeTrigger: "r1" });

    expect(updated.outputs).toMatchObject({ status: "active", purgeJobStatus: "Queuing" });
  });
});

describe("someone else's Purge never answers this stack's trigger", () => {
  it("GIVEN another stack that adopted the library purged it WHEN this stack sets its first trigger THEN it submits its own", async () => {
    const fpDbId = fx.emulator.admin.seedLibrary({ name: "shared-library" });
    const lib = await fx.create("stack-b", { fpDbId });
    const stackA = await strayPurge(fpDbId, "stack A's purge");
    await fx.pass(10 * MINUTE);
    fx.newRun();

    const updated = await fx.update(lib, { fpDbId, purgeTrigger: "b-1" });

    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(1);
    expect(updated.outputs.purgeJobId).not.toBe(stackA);
    expect(purgeJobs(fpDbId).map((j) => j.jobId)).toEqual([stackA, updated.outputs.purgeJobId]);
    expect(fx.output()).not.toContain("an earlier run submitted it");
    expect(fx.output()).not.toContain("possible duplicate");
  });

  it("GIVEN an out-of-band Purge between two triggers WHEN the trigger changes THEN a Purge of its own follows", async () => {
    const lib = await purgedOnce("out-of-band");
    const manual = await strayPurge(lib.id);
    await fx.pass(10 * MINUTE);

    const updated = await fx.update(lib, { purgeTrigger: "release-2" });

    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(2); // the other Purge and its own
    expect(purgeJobs(lib.id).map((j) => j.jobId)).toEqual([
      lib.outputs.purgeJobId,
      manual,
      updated.outputs.purgeJobId,
    ]);
  });

  it("GIVEN someone else's Purge still runs THEN it waits for it, says so, and then submits its own", async () => {
    const lib = await purgedOnce("busy-elsewhere");
    const theirs = await strayPurge(lib.id, "console");

    const updated = await fx.update(lib, { purgeTrigger: "release-2" });

    const [, other, own] = purgeJobs(lib.id);
    expect(other.jobId).toBe(theirs);
    expect(own.jobId).toBe(updated.outputs.purgeJobId);
    expect(Date.parse(own.submittedAt)).toBeGreaterThanOrEqual(Date.parse(other.finishTime!));
    expect(fx.output()).toContain(
      `Purge job ${theirs} for library ${lib.id} (busy-elsewhere) (Queuing) cannot be taken for this request: it ` +
        "does not carry this request's tag",
    );
  });

  it("GIVEN the user sets userData THEN jobs carry it unchanged and a running Purge is never taken as its own", async () => {
    const lib = await purgedOnce("own-user-data", { userData: "team-a" });
    expect(purgeJobs(lib.id)[0].userData).toBe("team-a");
    const same = await strayPurge(lib.id, "team-a");

    const updated = await fx.update(lib, { userData: "team-a", purgeTrigger: "release-2" });

    expect(purgeJobs(lib.id).map((j) => j.jobId)).toEqual([
      lib.outputs.purgeJobId,
      same,
      updated.outputs.purgeJobId,
    ]);
    expect(fx.output()).toContain("this resource sets `userData`, so its jobs carry no tag");
  });

  it("GIVEN userData unset THEN every job carries the provider's tag, and the tag does not contain the trigger", async () => {
    const lib = await fx.create("tagged", {});
    await fx.update(lib, { purgeTrigger: "a-guessable-secret" });
    const [job] = purgeJobs(lib.id);
    expect(job.userData).toMatch(/^mps-fpdb:1:[A-Za-z0-9_-]{22}$/);
    expect(job.userData).not.toContain("secret");
  });
});

describe("a purge that goes wrong", () => {
  it("GIVEN the Purge job ends in Fail THEN the update fails with its JobId, Code and Message; the re-run submits a new one", async () => {
    const lib = await purgedOnce("failing");
    fx.emulator.admin.addFault({
      type: "job-fail",
      delType: "Purge",
      fpDbIds: [lib.id],
      code: "InternalError",
      message: "Disk quota.",
    });

    const err = await rejection(fx.update(lib, { purgeTrigger: "release-2" }));

    const failed = purgeJobs(lib.id)[1];
    expect(failed).toMatchObject({ status: "Fail", code: "InternalError" });
    expect(err).toBeInstanceOf(JobFailedError);
    expect(err.message).toBe(
      `Purge job ${failed.jobId} for library ${lib.id} (failing) failed: InternalError: Disk quota. Run the ` +
        "operation again to submit a new job; if it keeps failing, give the JobId to Alibaba Cloud support.",
    );

    fx.newRun();
    const rerun = await fx.update(lib, { purgeTrigger: "release-2" });

    expect(purgeJobs(lib.id).map((j) => j.status)).toEqual(["Success", "Fail", "Success"]);
    expect(rerun.outputs.purgeJobId).toBe(purgeJobs(lib.id)[2].jobId);
  });

  it("GIVEN the library was deleted outside the stack THEN the purge fails suggesting `pulumi refresh`", async () => {
    const lib = await fx.create("vanished", {});
    await fx.outOfBand().submitFpDbDeleteJob({ fpDbId: lib.id, delType: "Delete" });
    await fx.pass(10 * MINUTE);
    fx.newRun();

    const err = await rejection(fx.update(lib, { purgeTrigger: "a" }));

    expect(err).toBeInstanceOf(LibraryGoneError);
    expect(err.message).toContain(`library ${lib.id} (vanished) no longer exists in MPS`);
    expect(err.message).toContain("Run `pulumi refresh` to drop it from the stack");
    expect(err.message).not.toContain("Fix the request or the configuration");
  });

  it("GIVEN a submit is committed but its answer is lost THEN the job is found and waited for, with no second submit", async () => {
    const lib = await purgedOnce("lost-answer");
    fx.emulator.admin.addFault({
      type: "commit-then-fail",
      action: "SubmitFpDBDeleteJob",
      mode: "error",
      count: 1,
    });

    const rerun = await fx.update(lib, { purgeTrigger: "release-2" });

    const [, job] = purgeJobs(lib.id);
    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(1);
    expect(rerun.outputs).toMatchObject({ purgeJobId: job.jobId, purgeJobStatus: "Success" });
    expect(fx.output()).toContain(
      `Resuming Purge job ${job.jobId} for library ${lib.id} (lost-answer): the job created by a submit whose answer was lost`,
    );
    expect(fx.output()).not.toContain("possible duplicate");
  });

  it("GIVEN every submit's answer is lost and none made a job THEN it gives up after four, warning that a re-run may duplicate", async () => {
    const lib = await purgedOnce("unreachable");
    fx.emulator.admin.addFault({ type: "drop", action: "SubmitFpDBDeleteJob" });

    const err = await rejection(fx.update(lib, { purgeTrigger: "release-2" }));

    expect(err).toBeInstanceOf(MpsApiError);
    expect((err as MpsApiError).kind).toBe("ambiguous");
    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(4);
    expect(fx.emulator.admin.counts().byAction.SubmitFpDBDeleteJob).toMatchObject({ ok: 1, dropped: 4 });
    expect(purgeJobs(lib.id)).toHaveLength(1);
    expect(fx.output()).toContain(
      `Gave up submitting a Purge job for library ${lib.id} (unreachable) after 4 submits with an unknown ` +
        "outcome: the library may be being purged, and running the operation again may add a duplicate Purge job",
    );
  });
});
