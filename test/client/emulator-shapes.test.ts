import { createMpsClient } from "../../core/client/mps-client";
import { MpsApiError } from "../../core/errors";
import { processRateLimiters } from "../../core/resilience/rate-limiter-registry";
import { DEFAULT_ACCESS_KEY_ID, startEmulator } from "../../emulator";
import { accessKeyCredential } from "../support/mps";
import { EmulatorFixture } from "./emulator-fixture";

/** Typed results and MpsApiError fields of every action, through openapi-client against the emulator. */

const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

let fixture: EmulatorFixture;

beforeAll(async () => {
  fixture = await EmulatorFixture.start({ quota: 3, activateSeconds: 1, jobSeconds: 3 });
});
afterAll(() => fixture.close());
beforeEach(() => fixture.emulator.admin.reset());

async function apiFailure(promise: Promise<unknown>): Promise<MpsApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MpsApiError);
  return error as MpsApiError;
}

describe("success shapes", () => {
  it("CreateFpShotDB returns the new library offline, with every field it was given", async () => {
    const result = await fixture.client().createFpShotDb({
      name: "videos",
      modelId: 12,
      description: "release videos",
      config: '{"k":"v"}',
    });
    expect(result.requestId).toMatch(REQUEST_ID);
    expect(result.library).toEqual({
      fpDbId: expect.stringMatching(/^[0-9a-f]{32}$/),
      name: "videos",
      description: "release videos",
      modelId: 12,
      config: '{"k":"v"}',
      status: "offline",
    });
  });

  it("CreateFpShotDB without ModelId gives a library without modelId", async () => {
    const { library } = await fixture.client().createFpShotDb({ name: "plain" });
    expect(library).toEqual({ fpDbId: library.fpDbId, name: "plain", status: "offline" });
  });

  it("ListFpShotDB unwraps libraries, reports unknown ids, and shows the library turning active", async () => {
    const api = fixture.client();
    const { library } = await api.createFpShotDb({ name: "lib" });
    const before = await api.listFpShotDb([library.fpDbId, "0123456789abcdef0123456789abcdef"]);
    expect(before).toEqual({
      requestId: expect.stringMatching(REQUEST_ID),
      libraries: [{ fpDbId: library.fpDbId, name: "lib", status: "offline" }],
      nonExistIds: ["0123456789abcdef0123456789abcdef"],
    });
    await fixture.clock.sleep(1000);
    const after = await api.listFpShotDb([library.fpDbId]);
    expect(after.libraries).toEqual([{ fpDbId: library.fpDbId, name: "lib", status: "active" }]);
    expect(after.nonExistIds).toEqual([]);
  });

  it("SubmitFpDBDeleteJob and QueryFpDBDeleteJobList follow a Purge job from Queuing to Success", async () => {
    const api = fixture.client();
    const { library } = await api.createFpShotDb({ name: "lib" });
    const submitted = await api.submitFpDbDeleteJob({
      fpDbId: library.fpDbId,
      delType: "Purge",
      pipelineId: "pipeline-1",
      userData: "release 42",
    });
    expect(submitted).toEqual({
      requestId: expect.stringMatching(REQUEST_ID),
      jobId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    const queued = await api.queryFpDbDeleteJobList([submitted.jobId, "fedcba9876543210fedcba9876543210"]);
    expect(queued).toEqual({
      requestId: expect.stringMatching(REQUEST_ID),
      jobs: [
        {
          jobId: submitted.jobId,
          fpDbId: library.fpDbId,
          delType: "Purge",
          status: "Queuing",
          creationTime: expect.stringMatching(ISO_SECONDS),
          pipelineId: "pipeline-1",
          userData: "release 42",
        },
      ],
      nonExistIds: ["fedcba9876543210fedcba9876543210"],
    });
    await fixture.clock.sleep(1500);
    expect((await api.queryFpDbDeleteJobList([submitted.jobId])).jobs[0].status).toBe("Analysing");
    await fixture.clock.sleep(1500);
    const done = await api.queryFpDbDeleteJobList([submitted.jobId]);
    expect(done.jobs[0]).toMatchObject({ status: "Success", finishTime: expect.stringMatching(ISO_SECONDS) });
    expect(done.jobs[0]).not.toHaveProperty("code");
    expect(done.nonExistIds).toEqual([]);
  });

  it("QueryFpDBDeleteJobList without ids returns the newest jobs", async () => {
    const api = fixture.client();
    const { library } = await api.createFpShotDb({ name: "lib" });
    const { jobId } = await api.submitFpDbDeleteJob({ fpDbId: library.fpDbId, delType: "Delete" });
    const recent = await api.queryFpDbDeleteJobList();
    expect(recent.jobs.map((job) => [job.jobId, job.delType])).toEqual([[jobId, "Delete"]]);
    expect(recent.nonExistIds).toEqual([]);
  });

  it("a successful Delete job makes ListFpShotDB report the library in NonExistIds", async () => {
    const api = fixture.client();
    const { library } = await api.createFpShotDb({ name: "lib", modelId: 13 });
    await api.submitFpDbDeleteJob({ fpDbId: library.fpDbId, delType: "Delete" });
    await fixture.clock.sleep(3000);
    expect(await api.listFpShotDb([library.fpDbId])).toMatchObject({
      libraries: [],
      nonExistIds: [library.fpDbId],
    });
  });

  it("a failed job carries Code and Message", async () => {
    fixture.emulator.admin.setFaults([{ type: "job-fail" }]);
    const api = fixture.client();
    const { library } = await api.createFpShotDb({ name: "lib" });
    const { jobId } = await api.submitFpDbDeleteJob({ fpDbId: library.fpDbId, delType: "Purge" });
    await fixture.clock.sleep(3000);
    const [job] = (await api.queryFpDbDeleteJobList([jobId])).jobs;
    expect(job).toMatchObject({
      status: "Fail",
      code: "ServiceUnavailable",
      message: "The request has failed due to a temporary failure of the server.",
    });
  });
});

describe("error shapes", () => {
  it("Purge on a Delete-only library: InvalidParameter.NotSupported, fatal, sent once", async () => {
    const api = fixture.client();
    const { library } = await api.createFpShotDb({ name: "video", modelId: 12 });
    const error = await apiFailure(api.submitFpDbDeleteJob({ fpDbId: library.fpDbId, delType: "Purge" }));
    expect(error).toMatchObject({
      action: "SubmitFpDBDeleteJob",
      code: "InvalidParameter.NotSupported",
      kind: "fatal",
      statusCode: 400,
      requestId: expect.stringMatching(REQUEST_ID),
    });
    expect(error.message).toMatch(
      /^MPS SubmitFpDBDeleteJob failed: InvalidParameter.NotSupported \(HTTP 400\): /,
    );
    expect(error.message).toContain(`RequestId: ${error.requestId}.`);
    expect(fixture.emulator.admin.counts().byAction.SubmitFpDBDeleteJob.total).toBe(1);
  });

  it("a job for an unknown library: InvalidParameter.ResourceNotFound (404), fatal", async () => {
    const error = await apiFailure(
      fixture.client().submitFpDbDeleteJob({ fpDbId: "0123456789abcdef0123456789abcdef", delType: "Delete" }),
    );
    expect(error).toMatchObject({
      code: "InvalidParameter.ResourceNotFound",
      kind: "fatal",
      statusCode: 404,
    });
  });

  it("a second job while one is unfinished: InvalidParameter.InvalidState, fatal, sent once", async () => {
    const api = fixture.client();
    const { library } = await api.createFpShotDb({ name: "lib" });
    await api.submitFpDbDeleteJob({ fpDbId: library.fpDbId, delType: "Purge" });
    const error = await apiFailure(api.submitFpDbDeleteJob({ fpDbId: library.fpDbId, delType: "Purge" }));
    expect(error).toMatchObject({ code: "InvalidParameter.InvalidState", kind: "fatal", statusCode: 400 });
    expect(fixture.emulator.admin.counts().byAction.SubmitFpDBDeleteJob.total).toBe(2);
  });

  it("the library quota: QuotaExceeded.FpShotDB (403), fatal", async () => {
    const api = fixture.client();
    for (let i = 0; i < 3; i++) await api.createFpShotDb({ name: `lib-${i}` });
    const error = await apiFailure(api.createFpShotDb({ name: "one too many" }));
    expect(error).toMatchObject({ code: "QuotaExceeded.FpShotDB", kind: "fatal", statusCode: 403 });
    expect(error.message).toMatch(
      /Fix the request or the configuration; retrying the same request will not help\.$/,
    );
  });

  it("a wrong secret: SignatureDoesNotMatch, fatal, and the message never holds the secret", async () => {
    const secret = "definitely-the-wrong-secret";
    const error = await apiFailure(
      fixture.client({ accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: secret }).listFpShotDb(["a"]),
    );
    expect(error).toMatchObject({ code: "SignatureDoesNotMatch", kind: "fatal", statusCode: 400 });
    expect(error.message).toMatch(
      /Check the AccessKey pair \(and security token\) configured for this provider\.$/,
    );
    expect(error.message).not.toContain(secret);
    expect(fixture.emulator.admin.counts().byAction.ListFpShotDB.total).toBe(1);
  });

  it("an unknown AccessKeyId: InvalidAccessKeyId.NotFound (404), fatal", async () => {
    const error = await apiFailure(
      fixture.client({ accessKeyId: "LTAI-unknown", accessKeySecret: "x" }).queryFpDbDeleteJobList(),
    );
    expect(error).toMatchObject({ code: "InvalidAccessKeyId.NotFound", kind: "fatal", statusCode: 404 });
  });
});

describe("createMpsClient", () => {
  it("builds a working client from transport options and tuning, on the system clock", async () => {
    const emulator = await startEmulator();
    try {
      const retried: string[] = [];
      emulator.admin.setFaults([
        { type: "error", action: "ListFpShotDB", code: "InternalError", httpStatus: 500, count: 1 },
      ]);
      const api = createMpsClient({
        endpoint: emulator.endpoint,
        credential: accessKeyCredential(),
        connectTimeoutMs: 2000,
        readTimeoutMs: 2000,
        requestsPerSecond: 50,
        retryBaseMs: 1,
        retryThrottleBaseMs: 1,
        retryMaxDelayMs: 5,
        maxAttempts: 2,
        onRetry: (info) => retried.push(`${info.action} ${info.kind}`),
      });
      await expect(api.listFpShotDb(["0123456789abcdef0123456789abcdef"])).resolves.toMatchObject({
        nonExistIds: ["0123456789abcdef0123456789abcdef"],
      });
      expect(retried).toEqual(["ListFpShotDB transient"]);
      expect(processRateLimiters().limiterFor(emulator.host, "ListFpShotDB").limit).toBeCloseTo(50, 9);
    } finally {
      await emulator.close();
    }
  });
});
