/**
 * Waits and lookups under faults and concurrency, in process: transient and throttled looks are retried and the
 * wait goes on; a refused look ends it at once; concurrent waits share batched calls; a lookup refused for one
 * id's sake fails only that id; a submit refused as "not found" while the library lives is not taken as gone.
 */
import { MpsApiError, WaitTimeoutError } from "../../core/errors";
import { ResourceInitFailure } from "../../core/lifecycle/init-failure";
import { InProcessFixture, MINUTE, rejection, type Deployed } from "./support/fixture";

let fx: InProcessFixture;

beforeAll(async () => {
  fx = await InProcessFixture.start();
});
beforeEach(() => fx.reset());
afterAll(() => fx.close());

describe("looks that fail", () => {
  it("GIVEN job looks answer 503 five times THEN they are retried and the destroy completes", async () => {
    const lib = await fx.deployed("bumpy");
    fx.emulator.admin.addFault({
      type: "error",
      action: "QueryFpDBDeleteJobList",
      code: "ServiceUnavailable",
      httpStatus: 503,
      count: 5,
    });

    await fx.delete(lib);

    expect(fx.emulator.admin.counts().byAction.QueryFpDBDeleteJobList?.errors).toEqual({
      ServiceUnavailable: 5,
    });
    expect(fx.jobs(lib.id)).toEqual([expect.objectContaining({ delType: "Delete", status: "Success" })]);
    expect(fx.library(lib.id)?.deleted).toBe(true);
  });

  it("GIVEN library looks are throttled THEN the create's wait backs off and still sees `active`", async () => {
    fx.emulator.admin.addFault({
      type: "error",
      action: "ListFpShotDB",
      code: "Throttling.User",
      httpStatus: 400,
      count: 6,
    });

    const lib = await fx.create("throttled-looks", {});

    expect(lib.outputs.status).toBe("active");
    expect(fx.emulator.admin.counts().byAction.ListFpShotDB?.errors).toEqual({ "Throttling.User": 6 });
  });

  it("GIVEN a look is refused for permissions THEN the create's wait ends at once, recording the library", async () => {
    fx.emulator.admin.addFault({
      type: "error",
      action: "ListFpShotDB",
      code: "Forbidden.RAM",
      httpStatus: 403,
      message: "User not authorized to operate on the specified resource.",
    });

    const err = await rejection(fx.create("forbidden", {}));

    expect(err).toBeInstanceOf(ResourceInitFailure);
    const [library] = fx.emulator.admin.state().libraries;
    expect(err.message).toContain(
      `library ${library.fpDbId} (forbidden) was created but did not become active`,
    );
    expect(err.message).toContain("Forbidden.RAM");
    expect(err.message).toContain("Grant the RAM identity permission for MPS");
    expect(fx.calls("ListFpShotDB")).toBe(1);
  });

  it("GIVEN job looks keep failing transiently THEN the wait runs out at jobTimeoutSeconds, and the next destroy finds the job done", async () => {
    const lib = await fx.deployed("unlucky", { jobTimeoutSeconds: 120 });
    const startedAt = fx.clock.now();

    fx.onNextAnswer("SubmitFpDBDeleteJob", () =>
      fx.emulator.admin.addFault({
        type: "error",
        action: "QueryFpDBDeleteJobList",
        code: "InternalError",
        httpStatus: 500,
      }),
    );

    const err = await rejection(fx.delete(lib));

    const [job] = fx.jobs(lib.id);
    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err.message).toMatch(
      new RegExp(
        `^Timed out after [\\d.]+ s waiting for job ${job.jobId} for library ${lib.id} \\(unlucky\\); ` +
          "last status: unknown \\(not polled yet\\)\\. The job may still finish",
      ),
    );
    expect(fx.clock.now() - startedAt).toBeGreaterThanOrEqual(2 * MINUTE);
    expect(fx.emulator.admin.counts().byAction.QueryFpDBDeleteJobList?.ok).toBe(1);

    // The job finished meanwhile: the next destroy needs no new job.
    fx.emulator.admin.clearFaults();
    fx.newRun();
    await fx.delete(lib);
    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(0);
    expect(fx.jobs(lib.id)).toHaveLength(1);
    expect(fx.library(lib.id)?.deleted).toBe(true);
    expect(fx.output()).toContain(`library ${lib.id} (unlucky) is already gone; nothing to delete`);
  });

  it("GIVEN the newest-jobs lookup fails on every attempt THEN destroy fails before submitting, naming the library", async () => {
    const lib = await fx.deployed("no-view");
    fx.emulator.admin.addFault({
      type: "error",
      action: "QueryFpDBDeleteJobList",
      code: "InternalError",
      httpStatus: 500,
    });

    const err = await rejection(fx.delete(lib));

    expect(err).toBeInstanceOf(MpsApiError);
    expect(err.message).toMatch(
      new RegExp(
        `^library ${lib.id} \\(no-view\\): MPS QueryFpDBDeleteJobList failed: InternalError \\(HTTP 500\\)`,
      ),
    );
    expect(err.message).toContain("Gave up after 8 attempts.");
    expect(fx.calls("QueryFpDBDeleteJobList")).toBe(8);
    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(0);
  });
});

describe("concurrent resources in one provider", () => {
  it("waits for three creates with shared ListFpShotDB calls", async () => {
    const libs = await Promise.all(["a", "b", "c"].map((name) => fx.create(`batch-${name}`, {})));

    expect(libs.map((l) => l.outputs.status)).toEqual(["active", "active", "active"]);
    const looks = fx.emulator.admin.requests().filter((r) => r.action === "ListFpShotDB");
    const shared = looks.filter((r) => r.query.FpDBIds?.split(",").length === 3);
    expect(shared.length).toBeGreaterThan(0);
    expect(looks.length).toBeLessThan(3 * shared.length);
  });

  it("destroys three libraries at once, looking at their jobs in shared QueryFpDBDeleteJobList calls", async () => {
    const libs = await Promise.all(["x", "y", "z"].map((name) => fx.create(`many-${name}`, {})));
    fx.newRun();

    await Promise.all(libs.map((lib) => fx.delete(lib)));

    expect(fx.jobs().map((j) => [j.delType, j.status])).toEqual([
      ["Delete", "Success"],
      ["Delete", "Success"],
      ["Delete", "Success"],
    ]);
    expect(fx.calls("SubmitFpDBDeleteJob")).toBe(3);
    const looks = fx.emulator.admin
      .requests()
      .filter((r) => r.action === "QueryFpDBDeleteJobList" && r.query.JobIds !== undefined);
    expect(looks.some((r) => r.query.JobIds.split(",").length === 3)).toBe(true);
  });

  it("GIVEN one id among concurrent reads is malformed THEN only that read fails, naming the id", async () => {
    const ids = ["one", "two", "three"].map((name) => fx.emulator.admin.seedLibrary({ name }));
    const bad = "0123456789abcdef,0123456789abcdee";

    const settled = await Promise.allSettled(
      [...ids, bad].map((id) => fx.provider.read(id, { resourceName: `get-${id.slice(0, 4)}` })),
    );

    expect(settled.slice(0, 3).map((s) => s.status === "fulfilled" && s.value.props.reportedName)).toEqual([
      "one",
      "two",
      "three",
    ]);
    const last = settled[3];
    expect(last.status).toBe("rejected");
    const reason = (last as PromiseRejectedResult).reason as MpsApiError;
    expect(reason).toBeInstanceOf(MpsApiError);
    expect(reason.message).toContain(`"${bad}"`);
  });
});

describe("a submit refused as not found", () => {
  it("GIVEN SubmitFpDBDeleteJob says the library is not found while ListFpShotDB still lists it THEN destroy fails and nothing is taken as gone", async () => {
    const lib = await fx.deployed("still-here");
    fx.emulator.admin.addFault({
      type: "error",
      action: "SubmitFpDBDeleteJob",
      code: "InvalidParameter.ResourceNotFound",
      httpStatus: 404,
      count: 1,
    });

    const err = await rejection(fx.delete(lib));

    expect(err).toBeInstanceOf(MpsApiError);
    expect(err.message).toContain(`library ${lib.id} (still-here)`);
    expect(err.message).toContain("InvalidParameter.ResourceNotFound");
    expect(fx.jobs(lib.id)).toEqual([]);
    expect(fx.library(lib.id)?.deleted).toBe(false);
    expect(fx.output()).not.toContain("already gone");
  });
});

describe("a library deleted while a destroy runs", () => {
  it("GIVEN the library goes between the destroy's look at the newest jobs and its submit THEN the refused submit is confirmed gone through ListFpShotDB", async () => {
    const lib = await fx.deployed("raced");
    fx.emulator.admin.setSettings({ deleteSeconds: 0 });
    // Someone deletes it in the console right after the destroy found no job under way.
    fx.onNextAnswer("QueryFpDBDeleteJobList", async () => {
      await fx.outOfBand().submitFpDbDeleteJob({ fpDbId: lib.id, delType: "Delete" });
    });

    await fx.delete(lib);

    expect(fx.jobs(lib.id)).toHaveLength(1);
    expect(fx.emulator.admin.counts().byAction.SubmitFpDBDeleteJob).toMatchObject({
      ok: 1,
      errors: { "InvalidParameter.ResourceNotFound": 1 },
    });
    expect(fx.calls("ListFpShotDB")).toBe(1);
    expect(fx.output()).toContain(`library ${lib.id} (raced) is already gone; nothing to delete`);
  });
});

describe("a library busy with a job outside the 20 newest", () => {
  async function hiddenPurge(lib: Deployed): Promise<string> {
    const api = fx.outOfBand();
    const { jobId } = await api.submitFpDbDeleteJob({ fpDbId: lib.id, delType: "Purge" });
    for (let i = 0; i < 20; i++) {
      const other = fx.emulator.admin.seedLibrary({ name: `other-${i}` });
      await api.submitFpDbDeleteJob({ fpDbId: other, delType: "Purge" });
    }
    return jobId;
  }

  it("GIVEN the Purge ends within the timeout THEN destroy backs off, submits the Delete once it is accepted, and says why it waited", async () => {
    fx.emulator.admin.setSettings({ purgeSeconds: 5 * 60 });
    const lib = await fx.deployed("hidden-busy");
    const purgeJobId = await hiddenPurge(lib);

    await fx.delete(lib);

    const [purge, del] = fx.jobs(lib.id);
    expect(purge.jobId).toBe(purgeJobId);
    expect(del).toMatchObject({ delType: "Delete", status: "Success" });
    expect(Date.parse(del.submittedAt)).toBeGreaterThanOrEqual(Date.parse(purge.finishTime!));
    expect(fx.output()).toContain(
      `library ${lib.id} (hidden-busy) already has an unfinished job outside the 20 newest; waiting 1 s before ` +
        "submitting the Delete job again",
    );
    const refused = fx.emulator.admin.counts().byAction.SubmitFpDBDeleteJob?.errors ?? {};
    expect(refused["InvalidParameter.InvalidState"]).toBeGreaterThan(1);
  });

  it("GIVEN the Purge outlasts the timeout THEN destroy fails saying the library still has an unfinished job", async () => {
    fx.emulator.admin.setSettings({ purgeSeconds: 60 * 60 });
    const lib = await fx.deployed("hidden-long", { jobTimeoutSeconds: 120 });
    await hiddenPurge(lib);

    const err = await rejection(fx.delete(lib));

    expect(err).toBeInstanceOf(WaitTimeoutError);
    expect(err.message).toContain(
      `library ${lib.id} (hidden-long) still has an unfinished job (outside the 20 newest) after waiting 120 s, so ` +
        "the Delete job was not submitted",
    );
    expect(fx.jobs(lib.id).map((j) => j.delType)).toEqual(["Purge"]);
  });
});
