import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  startEmulator,
  type RunningEmulator,
} from "../../emulator";
import { FakeClock } from "../support/fake-clock";
import { sdkCaller, sdkError, type SdkCaller } from "../support/emulator";
import { send, signV3 } from "./raw-request";

const REQUEST_ID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const RESOURCE_ID = /^[0-9a-f]{32}$/;
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

// Response and error shapes of the four actions, exactly as docs/mps-api.md, 'Actions',
// 'Statuses and error codes' and 'Conventions' describe them, seen through the real SDK.
describe("emulator actions", () => {
  let emu: RunningEmulator;
  let call: SdkCaller;
  let other: SdkCaller;
  let clock: FakeClock;

  beforeAll(async () => {
    clock = new FakeClock(Date.now());
    emu = await startEmulator({
      clock,
      activateSeconds: 1,
      jobSeconds: 3,
      accounts: [
        {
          accountId: "111",
          accessKeys: [{ accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET }],
        },
        {
          accountId: "222",
          accessKeys: [{ accessKeyId: "LTAI5tOtherAccount", accessKeySecret: "other-secret" }],
        },
      ],
    });
    call = sdkCaller({ host: emu.host });
    other = sdkCaller({ host: emu.host, accessKeyId: "LTAI5tOtherAccount", accessKeySecret: "other-secret" });
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.admin.reset());

  describe("errors", () => {
    it("have exactly the gateway's fields: RequestId, HostId, Code, Message, Recommend", async () => {
      const error = await sdkError(call("CreateFpShotDB", {}));
      expect(error.data).toEqual({
        RequestId: expect.stringMatching(REQUEST_ID),
        HostId: emu.host,
        Code: "MissingParameter.Name",
        Message: 'The input parameter "Name" that is mandatory for processing this request is not supplied.',
        Recommend: "https://next.api.aliyun.com/troubleshoot?q=MissingParameter.Name&product=Mts",
        statusCode: 400,
      });
    });

    it("answer an unknown action with 404 InvalidAction.NotFound", async () => {
      const error = await sdkError(call("UpdateFpShotDB", { FpDBId: "x" }));
      expect([error.statusCode, error.code, error.data.Message]).toEqual([
        404,
        "InvalidAction.NotFound",
        'Specified api "UpdateFpShotDB" is not found, please check your url and method.',
      ]);
    });

    it("answer another API version with 400 InvalidVersion", async () => {
      const raw = signV3({
        host: emu.host,
        action: "ListFpShotDB",
        version: "2020-11-09",
        accessKeyId: DEFAULT_ACCESS_KEY_ID,
        accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
        date: new Date(clock.now()).toISOString().replace(/\.\d{3}Z$/, "Z"),
      });
      const answer = await send(emu.port, raw);
      expect([answer.status, answer.body.Code]).toEqual([400, "InvalidVersion"]);
    });
  });

  describe("CreateFpShotDB", () => {
    it("returns the new library with State offline and every field it was given", async () => {
      const answer = await call("CreateFpShotDB", {
        Name: "videos",
        ModelId: "12",
        Description: "d",
        Config: "{}",
      });
      expect(answer.body).toEqual({
        RequestId: expect.stringMatching(REQUEST_ID),
        FpShotDB: {
          FpDBId: expect.stringMatching(RESOURCE_ID),
          Name: "videos",
          Description: "d",
          ModelId: 12,
          Config: "{}",
          State: "offline",
        },
      });
    });

    it("omits ModelId, Description and Config when they were not given", async () => {
      const answer = await call("CreateFpShotDB", { Name: "plain" });
      expect(Object.keys(answer.body.FpShotDB as object)).toEqual(["FpDBId", "Name", "State"]);
    });

    it("requires Name: 400 MissingParameter.Name", async () => {
      const error = await sdkError(call("CreateFpShotDB", { Name: "" }));
      expect([error.statusCode, error.code]).toEqual([400, "MissingParameter.Name"]);
    });

    it.each([["10"], ["15"], ["video"], ["12.5"]])(
      "refuses ModelId %s: 400 InvalidParameter.ModelId",
      async (modelId) => {
        const error = await sdkError(call("CreateFpShotDB", { Name: "x", ModelId: modelId }));
        expect([error.statusCode, error.code, error.data.Message]).toEqual([
          400,
          "InvalidParameter.ModelId",
          `The specified parameter "ModelId" is invalid: "${modelId}" is not one of 11, 12, 13, 14.`,
        ]);
        expect(emu.admin.state().libraries).toEqual([]);
      },
    );

    it("refuses a library beyond the quota: 403 QuotaExceeded.FpShotDB", async () => {
      for (let i = 0; i < 5; i++) await call("CreateFpShotDB", { Name: `lib-${i}` });
      const error = await sdkError(call("CreateFpShotDB", { Name: "one-too-many" }));
      expect([error.statusCode, error.code, error.data.Message]).toEqual([
        403,
        "QuotaExceeded.FpShotDB",
        "The number of fingerprint libraries has reached the quota of this account (5). Delete libraries you no longer need (SubmitFpDBDeleteJob with DelType Delete) or ask for a higher quota.",
      ]);
    });

    it("counts the quota per account", async () => {
      for (let i = 0; i < 5; i++) await call("CreateFpShotDB", { Name: `lib-${i}` });
      await expect(other("CreateFpShotDB", { Name: "others" })).resolves.toMatchObject({ statusCode: 200 });
    });
  });

  describe("ListFpShotDB", () => {
    it("returns found libraries with Status (not State) and lists unknown ids in NonExistIds", async () => {
      const created = await call("CreateFpShotDB", { Name: "a", ModelId: "13", Description: "audio" });
      const id = (created.body.FpShotDB as { FpDBId: string }).FpDBId;
      const answer = await call("ListFpShotDB", { FpDBIds: `${id},nope-1, nope-2` });
      expect(answer.body).toEqual({
        RequestId: expect.stringMatching(REQUEST_ID),
        FpShotDBList: {
          FpShotDB: [{ FpDBId: id, Name: "a", Description: "audio", ModelId: 13, Status: "offline" }],
        },
        NonExistIds: { String: ["nope-1", "nope-2"] },
      });
    });

    it("omits NonExistIds when every id exists, and ModelId when the library has none", async () => {
      const id = emu.admin.seedLibrary({ name: "seeded" });
      const answer = await call("ListFpShotDB", { FpDBIds: id });
      expect(answer.body).toEqual({
        RequestId: expect.stringMatching(REQUEST_ID),
        FpShotDBList: { FpShotDB: [{ FpDBId: id, Name: "seeded", Status: "active" }] },
      });
    });

    it("returns an empty list when no ids are given", async () => {
      emu.admin.seedLibrary({ name: "seeded" });
      const answer = await call("ListFpShotDB", {});
      expect(answer.body).toEqual({
        RequestId: expect.stringMatching(REQUEST_ID),
        FpShotDBList: { FpShotDB: [] },
      });
    });

    it("refuses more than 10 ids: 400 InvalidParameter.FpDBIds", async () => {
      const ids = Array.from({ length: 11 }, (_, i) => `id-${i}`).join(",");
      const error = await sdkError(call("ListFpShotDB", { FpDBIds: ids }));
      expect([error.statusCode, error.code, error.data.Message]).toEqual([
        400,
        "InvalidParameter.FpDBIds",
        'The specified parameter "FpDBIds" is invalid: at most 10 ids are allowed per call, got 11.',
      ]);
    });

    it("accepts exactly 10 ids", async () => {
      const ids = Array.from({ length: 10 }, (_, i) => `id-${i}`);
      const answer = await call("ListFpShotDB", { FpDBIds: ids.join(",") });
      expect(answer.body.NonExistIds).toEqual({ String: ids });
    });

    it("reports another account's library as non-existent", async () => {
      const id = emu.admin.seedLibrary({ name: "mine", accountId: "111" });
      const answer = await other("ListFpShotDB", { FpDBIds: id });
      expect(answer.body).toMatchObject({ FpShotDBList: { FpShotDB: [] }, NonExistIds: { String: [id] } });
    });

    it("shows a seeded, pinned status as it is", async () => {
      const id = emu.admin.seedLibrary({ name: "p", status: "paused" });
      const answer = await call("ListFpShotDB", { FpDBIds: id });
      expect(answer.body.FpShotDBList).toEqual({ FpShotDB: [{ FpDBId: id, Name: "p", Status: "paused" }] });
    });
  });

  describe("SubmitFpDBDeleteJob", () => {
    it("returns the JobId and records every parameter", async () => {
      const id = emu.admin.seedLibrary({ name: "lib" });
      const answer = await call("SubmitFpDBDeleteJob", {
        FpDBId: id,
        DelType: "Purge",
        PipelineId: "pipe-1",
        UserData: "audit:42",
      });
      expect(answer.body).toEqual({
        RequestId: expect.stringMatching(REQUEST_ID),
        JobId: expect.stringMatching(RESOURCE_ID),
      });
      expect(emu.admin.state().jobs).toEqual([
        {
          accountId: "111",
          jobId: answer.body.JobId,
          fpDbId: id,
          delType: "Purge",
          pipelineId: "pipe-1",
          userData: "audit:42",
          status: "Queuing",
          creationTime: expect.stringMatching(ISO),
          submittedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
          durationMs: 3000,
          requestId: answer.body.RequestId,
        },
      ]);
    });

    it("defaults DelType to Purge, as the API does", async () => {
      const id = emu.admin.seedLibrary({ name: "lib" });
      await call("SubmitFpDBDeleteJob", { FpDBId: id });
      expect(emu.admin.state().jobs[0]!.delType).toBe("Purge");
    });

    it("requires FpDBId: 400 MissingParameter.FpDBId", async () => {
      const error = await sdkError(call("SubmitFpDBDeleteJob", { DelType: "Delete" }));
      expect([error.statusCode, error.code]).toEqual([400, "MissingParameter.FpDBId"]);
    });

    it("accepts only Purge and Delete: 400 InvalidParameter.DelType", async () => {
      const id = emu.admin.seedLibrary({ name: "lib" });
      const error = await sdkError(call("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "delete" }));
      expect([error.statusCode, error.code, error.data.Message]).toEqual([
        400,
        "InvalidParameter.DelType",
        'The specified parameter "DelType" is invalid: "delete" is not one of Purge, Delete.',
      ]);
    });

    it("accepts UserData of exactly 128 UTF-8 bytes and refuses 129: 400 InvalidParameter.UserData", async () => {
      const id = emu.admin.seedLibrary({ name: "lib" });
      const ok = "é".repeat(64); // 128 bytes
      const tooLong = "指".repeat(43); // 129 bytes, 43 characters
      await call("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "Delete", UserData: ok });
      const other = emu.admin.seedLibrary({ name: "lib2" });
      const error = await sdkError(
        call("SubmitFpDBDeleteJob", { FpDBId: other, DelType: "Delete", UserData: tooLong }),
      );
      expect([error.statusCode, error.code, error.data.Message]).toEqual([
        400,
        "InvalidParameter.UserData",
        'The specified parameter "UserData" is invalid: 129 UTF-8 bytes exceed the limit of 128.',
      ]);
    });

    it("answers an unknown library with 404 InvalidParameter.ResourceNotFound", async () => {
      const error = await sdkError(call("SubmitFpDBDeleteJob", { FpDBId: "no-such-lib", DelType: "Delete" }));
      expect([error.statusCode, error.code, error.data.Message]).toEqual([
        404,
        "InvalidParameter.ResourceNotFound",
        'The resource operated "no-such-lib" cannot be found.',
      ]);
    });

    it("answers another account's library with 404 InvalidParameter.ResourceNotFound", async () => {
      const id = emu.admin.seedLibrary({ name: "mine", accountId: "111" });
      const error = await sdkError(other("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "Delete" }));
      expect(error.code).toBe("InvalidParameter.ResourceNotFound");
    });

    it.each([[11], [12], [13], [14]])(
      "refuses Purge on a ModelId %i library with 400 InvalidParameter.NotSupported, accepts Delete",
      async (modelId) => {
        const id = emu.admin.seedLibrary({ name: "typed", modelId });
        const error = await sdkError(call("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "Purge" }));
        expect([error.statusCode, error.code, error.data.Message]).toEqual([
          400,
          "InvalidParameter.NotSupported",
          `DelType "Purge" is not supported for library "${id}" with ModelId ${modelId}: libraries with ModelId 11-14 accept only DelType "Delete".`,
        ]);
        await expect(call("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "Delete" })).resolves.toMatchObject({
          statusCode: 200,
        });
      },
    );

    it("refuses a second job while one is unfinished: 400 InvalidParameter.InvalidState", async () => {
      const id = emu.admin.seedLibrary({ name: "busy" });
      await call("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "Purge" });
      const error = await sdkError(call("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "Delete" }));
      expect([error.statusCode, error.code, error.data.Message]).toEqual([
        400,
        "InvalidParameter.InvalidState",
        `Cannot submit a job for library "${id}": the library has an unfinished job. Wait until it finishes (QueryFpDBDeleteJobList), then submit again if still needed.`,
      ]);
      clock.advance(3000);
      await expect(call("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "Delete" })).resolves.toMatchObject({
        statusCode: 200,
      });
    });
  });

  describe("QueryFpDBDeleteJobList", () => {
    it("returns the jobs asked for, with unknown ids in NonExistIds", async () => {
      const id = emu.admin.seedLibrary({ name: "lib" });
      const jobId = (await call("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "Delete", PipelineId: "p" }))
        .body.JobId;
      const answer = await call("QueryFpDBDeleteJobList", { JobIds: `${jobId},missing-job` });
      expect(answer.body).toEqual({
        RequestId: expect.stringMatching(REQUEST_ID),
        FpDBDeleteJobList: {
          FpDBDeleteJob: [
            {
              Id: jobId,
              FpDBId: id,
              DelType: "Delete",
              Status: "Queuing",
              CreationTime: expect.stringMatching(ISO),
              PipelineId: "p",
            },
          ],
        },
        NonExistIds: { String: ["missing-job"] },
      });
    });

    it("adds FinishTime once the job succeeded, and no Code or Message", async () => {
      const id = emu.admin.seedLibrary({ name: "lib" });
      const jobId = String((await call("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "Purge" })).body.JobId);
      clock.advance(3000);
      const answer = await call("QueryFpDBDeleteJobList", { JobIds: jobId });
      const [job] = (answer.body.FpDBDeleteJobList as { FpDBDeleteJob: Record<string, unknown>[] })
        .FpDBDeleteJob;
      expect(job).toEqual({
        Id: jobId,
        FpDBId: id,
        DelType: "Purge",
        Status: "Success",
        CreationTime: expect.stringMatching(ISO),
        FinishTime: expect.stringMatching(ISO),
      });
      expect(answer.body).not.toHaveProperty("NonExistIds");
    });

    it("returns the account's 20 newest jobs, newest first, when no JobIds are given", async () => {
      const jobIds: string[] = [];
      for (let i = 0; i < 25; i++) {
        const id = emu.admin.seedLibrary({ name: `lib-${i}` });
        jobIds.push(
          String((await call("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "Delete" })).body.JobId),
        );
      }
      await other("SubmitFpDBDeleteJob", {
        FpDBId: emu.admin.seedLibrary({ name: "theirs", accountId: "222" }),
        DelType: "Delete",
      });
      const answer = await call("QueryFpDBDeleteJobList", {});
      const listed = (answer.body.FpDBDeleteJobList as { FpDBDeleteJob: { Id: string }[] }).FpDBDeleteJob;
      expect(listed.map((j) => j.Id)).toEqual(jobIds.slice(5).reverse());
      expect(answer.body).not.toHaveProperty("NonExistIds");
    });

    it("refuses more than 10 JobIds: 400 InvalidParameter.JobIds", async () => {
      const ids = Array.from({ length: 11 }, (_, i) => `job-${i}`).join(",");
      const error = await sdkError(call("QueryFpDBDeleteJobList", { JobIds: ids }));
      expect([error.statusCode, error.code, error.data.Message]).toEqual([
        400,
        "InvalidParameter.JobIds",
        'The specified parameter "JobIds" is invalid: at most 10 ids are allowed per call, got 11.',
      ]);
    });

    it("reports another account's job as non-existent", async () => {
      const id = emu.admin.seedLibrary({ name: "lib" });
      const jobId = String((await call("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "Delete" })).body.JobId);
      const answer = await other("QueryFpDBDeleteJobList", { JobIds: jobId });
      expect(answer.body).toMatchObject({
        FpDBDeleteJobList: { FpDBDeleteJob: [] },
        NonExistIds: { String: [jobId] },
      });
    });
  });
});
