/**
 * Destroy in process: protection and policy first, then exactly one Delete job (resumed when one is under way),
 * confirmed through ListFpShotDB before the resource leaves the state; a library already gone needs no job.
 */
import { JobFailedError, WaitTimeoutError } from "../../core/errors";
import { InProcessFixture, rejection, type Deployed } from "./support/fixture";

let fx: InProcessFixture;

beforeAll(async () => {
  fx = await InProcessFixture.start();
});
beforeEach(() => fx.reset());
afterAll(() => fx.close());

/** A created library that is active, made by an earlier run (`up`); the destroy is a new run. */
function requestsAfter(action: string, isoTime: string) {
  return fx.emulator.admin
    .requests()
    .filter((r) => r.action === action && Date.parse(r.time) >= Date.parse(isoTime));
}

describe("delete confirmation", () => {
  it("submits one Delete job, waits for it, and confirms through ListFpShotDB that the library is gone", async () => {
    const lib = await fx.deployed("doomed", { userData: "a b&c=d/é*()!'~" });

    await fx.delete(lib);

    const jobs = fx.jobs(lib.id);
    expect(jobs).toEqual([
      expect.objectContaining({ delType: "Delete", status: "Success", userData: "a b&c=d/é*()!'~" }),
    ]);
    expect(fx.library(lib.id)?.deleted).toBe(true);
    // The confirmation: a ListFpShotDB asked after the job ended, answered with the id in NonExistIds.
    expect(requestsAfter("ListFpShotDB", jobs[0].finishTime!).length).toBeGreaterThanOrEqual(1);
    // ...and no lookup before the submit: a library already gone is found out by the refused submit instead.
    expect(fx.calls("ListFpShotDB")).toBe(1);
    expect(fx.output()).toContain(`Submitted Delete job ${jobs[0].jobId} for library ${lib.id} (doomed)`);
    expect(fx.output()).toContain(
      `Deleted library ${lib.id} (doomed): Delete job ${jobs[0].jobId} succeeded`,
    );
  });

  it("GIVEN waitForCompletion false THEN destroy still waits for its Delete job and confirms the library gone", async () => {
    const lib = await fx.deployed("no-waits", { waitForCompletion: false });

    await fx.delete(lib);

    expect(fx.jobs(lib.id)).toEqual([expect.objectContaining({ delType: "Delete", status: "Success" })]);
    expect(fx.library(lib.id)?.deleted).toBe(true);
    // Waited for the job itself, not only for the library to disappear.
    const [job] = fx.jobs(lib.id);
    expect(fx.output()).toContain(`Delete job ${job.jobId} for library ${lib.id} (no-waits) succeeded`);
  });

  it("GIVEN ListFpShotDB lists the library in NonExistIds THEN destroy succeeds without submitting a job", async () => {
    const lib = await fx.deployed("twice");
    await fx.outOfBand().submitFpDbDeleteJob({ fpDbId: lib.id, delType: "Delete" });
    await fx.pass(10 * 60_000);
    const submitsBefore = fx.calls("SubmitFpDBDeleteJob");

    await fx.delete(lib);

    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(submitsBefore);
    expect(fx.jobs(lib.id)).toHaveLength(1);
    expect(fx.output()).toContain(`library ${lib.id} (twice) is already gone; nothing to delete`);
  });

  it("GIVEN a Delete job ends in Fail THEN destroy fails with its JobId, Code and Message and keeps the library; the re-run deletes it", async () => {
    const lib = await fx.deployed("flaky");
    fx.emulator.admin.addFault({
      type: "job-fail",
      delType: "Delete",
      fpDbIds: [lib.id],
      code: "ServiceUnavailable",
      message: "The request has failed due to a temporary failure of the server.",
    });

    const err = await rejection(fx.delete(lib));

    const [failed] = fx.jobs(lib.id);
    expect(failed).toMatchObject({ delType: "Delete", status: "Fail", code: "ServiceUnavailable" });
    expect(err).toBeInstanceOf(JobFailedError);
    expect(err.message).toBe(
      `Delete job ${failed.jobId} for library ${lib.id} (flaky) failed: ServiceUnavailable: The request has ` +
        "failed due to a temporary failure of the server. Run the operation again to submit a new job; if it " +
        "keeps failing, give the JobId to Alibaba Cloud support.",
    );
    expect(fx.library(lib.id)?.deleted).toBe(false);

    // The engine kept the resource: the next destroy runs on the same state.
    await fx.delete(lib);

    expect(fx.jobs(lib.id).map((j) => j.status)).toEqual(["Fail", "Success"]);
    expect(fx.library(lib.id)?.deleted).toBe(true);
  });
});

describe("a library MPS still lists as deleted", () => {
  /** The state of a created library whose id MPS lists with status `deleted` (and still takes jobs for). */
  async function listedDeleted(name: string): Promise<Deployed> {
    const lib = await fx.deployed(name);
    const fpDbId = fx.emulator.admin.seedLibrary({ name, status: "deleted" });
    return { ...lib, id: fpDbId, outputs: { ...lib.outputs, fpDbId } };
  }

  it("GIVEN its Delete job succeeds THEN destroy confirms it gone", async () => {
    const lib = await listedDeleted("listed-deleted");

    await fx.delete(lib);

    const [job] = fx.jobs(lib.id);
    expect(job).toMatchObject({ delType: "Delete", status: "Success" });
    expect(fx.output()).toContain(
      `Deleted library ${lib.id} (listed-deleted): Delete job ${job.jobId} succeeded`,
    );
  });

  it("GIVEN its Delete job fails THEN destroy succeeds, saying the library is gone although the job failed", async () => {
    const lib = await listedDeleted("listed-deleted-fail");
    fx.emulator.admin.addFault({
      type: "job-fail",
      delType: "Delete",
      fpDbIds: [lib.id],
      code: "InternalError",
    });

    await fx.delete(lib);

    const [job] = fx.jobs(lib.id);
    expect(job).toMatchObject({ delType: "Delete", status: "Fail" });
    expect(fx.output()).toContain(
      `library ${lib.id} (listed-deleted-fail) is gone (ListFpShotDB reports it deleted), although its Delete ` +
        `job ${job.jobId} failed; nothing is left to delete, so the destroy succeeds`,
    );
  });
});

describe("resume-or-submit for a Delete", () => {
  it("GIVEN an earlier destroy's Delete job still runs THEN it is resumed, not submitted again", async () => {
    const lib = await fx.deployed("interrupted");
    // What a destroy killed right after its submit leaves: a job MPS runs and the state does not know.
    const { jobId } = await fx.outOfBand().submitFpDbDeleteJob({ fpDbId: lib.id, delType: "Delete" });
    await fx.pass(30_000);
    const submitsBefore = fx.calls("SubmitFpDBDeleteJob");

    await fx.delete(lib);

    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(submitsBefore);
    expect(fx.jobs(lib.id).map((j) => j.jobId)).toEqual([jobId]);
    expect(fx.output()).toContain(
      `Resuming Delete job ${jobId} for library ${lib.id} (interrupted): an unfinished job from an earlier run (Queuing)`,
    );
    expect(fx.library(lib.id)?.deleted).toBe(true);
  });

  it.each(["error", "drop"] as const)(
    "GIVEN the submit is committed but its answer is lost (%s) THEN the job is found among the newest and resumed",
    async (mode) => {
      const lib = await fx.deployed(`lost-answer-${mode}`);
      fx.emulator.admin.addFault({ type: "commit-then-fail", action: "SubmitFpDBDeleteJob", mode, count: 1 });

      await fx.delete(lib);

      const jobs = fx.jobs(lib.id);
      expect(jobs).toEqual([expect.objectContaining({ delType: "Delete", status: "Success" })]);
      expect(fx.calls("SubmitFpDBDeleteJob")).toBe(1);
      expect(fx.output()).toContain(
        `Resuming Delete job ${jobs[0].jobId} for library ${lib.id} (lost-answer-${mode}): the job created by a submit whose answer was lost`,
      );
      expect(fx.library(lib.id)?.deleted).toBe(true);
    },
  );

  it("GIVEN the submit's connection drops before anything is committed THEN no job is found and it is submitted again, once", async () => {
    const lib = await fx.deployed("dropped");
    fx.emulator.admin.addFault({ type: "drop", action: "SubmitFpDBDeleteJob", count: 1 });

    await fx.delete(lib);

    expect(fx.emulator.admin.counts().byAction.SubmitFpDBDeleteJob).toMatchObject({
      total: 2,
      dropped: 1,
      ok: 1,
    });
    expect(fx.jobs(lib.id)).toEqual([expect.objectContaining({ delType: "Delete", status: "Success" })]);
    expect(fx.output()).toMatch(
      new RegExp(
        `Submit of a Delete job for library ${lib.id} \\(dropped\\) had an unknown outcome .*submitting again`,
      ),
    );
  });

  it("GIVEN a Purge job runs on the library THEN destroy waits for it to end, then submits the Delete", async () => {
    const lib = await fx.deployed("busy");
    const { jobId: purgeJobId } = await fx
      .outOfBand()
      .submitFpDbDeleteJob({ fpDbId: lib.id, delType: "Purge" });

    await fx.delete(lib);

    const [purge, del] = fx.jobs(lib.id);
    expect(purge).toMatchObject({ jobId: purgeJobId, delType: "Purge", status: "Success" });
    expect(del).toMatchObject({ delType: "Delete", status: "Success" });
    expect(Date.parse(del.submittedAt)).toBeGreaterThanOrEqual(Date.parse(purge.finishTime!));
    expect(fx.output()).toContain(
      `library ${lib.id} (busy) has an unfinished Purge job ${purgeJobId}; waiting for it to end before submitting the Delete job`,
    );
    expect(fx.output()).not.toContain("outside the 20 newest");
  });

  it("GIVEN a Purge runs longer than the destroy's jobTimeoutSeconds THEN nothing is submitted and the error says to run it again once it ends", async () => {
    const lib = await fx.deployed("busy-short", { jobTimeoutSeconds: 60 });
    fx.emulator.admin.setSettings({ purgeSeconds: 1800 });
    const { jobId: purgeJobId } = await fx
      .outOfBand()
      .submitFpDbDeleteJob({ fpDbId: lib.id, delType: "Purge" });
    const startedAt = fx.clock.now();

    const err = await rejection(fx.delete(lib));

    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err.message).toBe(
      `library ${lib.id} (busy-short) still has an unfinished Purge job ${purgeJobId} after waiting 60 s, so the ` +
        "Delete job was not submitted. Nothing is wrong with the request: run `pulumi destroy` again once it has " +
        "ended (QueryFpDBDeleteJobList shows its status), or raise jobTimeoutSeconds.",
    );
    expect(fx.clock.now() - startedAt).toBeLessThan(1800_000);
    expect(fx.jobs(lib.id).map((j) => j.delType)).toEqual(["Purge"]);
    // The destroy's one submit was refused (the library had a job), and nothing was submitted after it.
    expect(fx.emulator.admin.counts().byAction.SubmitFpDBDeleteJob).toMatchObject({
      total: 2,
      ok: 1,
      errors: { "InvalidParameter.InvalidState": 1 },
    });
  });
});

describe("before any API call", () => {
  it("refuses to destroy a protected library, calling nothing", async () => {
    const lib = await fx.deployed("protected", { deletionProtection: true });

    const err = await rejection(fx.delete(lib));

    expect(err.message).toContain(`library ${lib.id} (protected) has \`deletionProtection\` enabled`);
    expect(fx.allCalls()).toBe(0);
    expect(fx.library(lib.id)?.deleted).toBe(false);
  });

  it("forgets a library with deletionPolicy Retain, calling nothing", async () => {
    const lib = await fx.deployed("kept", { deletionPolicy: "Retain" });

    await fx.delete(lib);

    expect(fx.allCalls()).toBe(0);
    expect(fx.output()).toContain(`Retained library ${lib.id} (kept): deletionPolicy is Retain;`);
  });

  it("refuses deletionPolicy Purge for a library whose ModelId accepts only Delete jobs", async () => {
    const fpDbId = fx.emulator.admin.seedLibrary({ name: "video", modelId: 14 });
    const lib = await fx.create("video", { fpDbId, deletionPolicy: "Delete" });
    fx.newRun();

    const outputs = {
      ...lib.outputs,
      deletionPolicy: "Purge",
      deletion: { policy: "Purge", protection: false },
    };
    const err = await rejection(fx.delete({ ...lib, outputs }));

    expect(err.message).toContain(
      `library ${fpDbId} (video) has a ModelId that only accepts Delete jobs, so \`deletionPolicy: "Purge"\` cannot work`,
    );
    expect(fx.allCalls()).toBe(0);
  });
});

describe("deletionPolicy Purge", () => {
  it("purges the library, keeps it, and records nothing more (the resource leaves the state)", async () => {
    const lib = await fx.deployed("emptied", { deletionPolicy: "Purge" });

    await fx.delete(lib);

    expect(fx.jobs(lib.id)).toEqual([expect.objectContaining({ delType: "Purge", status: "Success" })]);
    expect(fx.library(lib.id)).toMatchObject({ deleted: false, fileCount: 0 });
    expect(fx.output()).toContain(
      `Purged library ${lib.id} (emptied) and removed it from the stack (deletionPolicy Purge); the library is kept`,
    );
  });
});
