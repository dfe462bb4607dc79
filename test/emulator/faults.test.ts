import { startEmulator, type FaultRule, type RunningEmulator } from "../../emulator";
import { FakeClock } from "../support/fake-clock";
import { sdkCaller, sdkError, type SdkCaller } from "../support/emulator";

type JobItem = { Id: string; Status: string; Code?: string; Message?: string; FinishTime?: string };

// Fault injection: every rule type, its count and rate, set at start or at run time.
describe("emulator faults", () => {
  let emu: RunningEmulator;
  let call: SdkCaller;
  let clock: FakeClock;

  const start = async (faults: FaultRule[] = [], seed = 7) => {
    clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
    emu = await startEmulator({ clock, faults, seed, qps: 100000, quota: 100000, jobSeconds: 3 });
    call = sdkCaller({ host: emu.host, readTimeoutMs: 2000 });
  };
  afterEach(() => emu.close());

  const libraryCount = () => emu.admin.state().libraries.length;
  const jobs = async (...jobIds: string[]): Promise<JobItem[]> =>
    (
      (await call("QueryFpDBDeleteJobList", { JobIds: jobIds.join(",") })).body.FpDBDeleteJobList as {
        FpDBDeleteJob: JobItem[];
      }
    ).FpDBDeleteJob;

  describe("error", () => {
    it("answers with the rule's status and code and the documented message, committing nothing", async () => {
      await start([{ type: "error", action: "CreateFpShotDB", code: "InternalError", httpStatus: 500 }]);
      const error = await sdkError(call("CreateFpShotDB", { Name: "x" }));
      expect([error.statusCode, error.code, error.data.Message]).toEqual([
        500,
        "InternalError",
        "The operation has failed due to some unknown error, exception or failure.",
      ]);
      expect(libraryCount()).toBe(0);
      await expect(call("ListFpShotDB", {})).resolves.toMatchObject({ statusCode: 200 });
      expect(emu.admin.counts().byAction.CreateFpShotDB!.errors).toEqual({ InternalError: 1 });
    });

    it("uses a custom message, and stops after `count` firings", async () => {
      await start([
        {
          type: "error",
          action: "*",
          code: "ServiceUnavailable",
          httpStatus: 503,
          message: "busy",
          count: 2,
        },
      ]);
      for (let i = 0; i < 2; i++) {
        const error = await sdkError(call("ListFpShotDB", {}));
        expect([error.statusCode, error.code, error.data.Message]).toEqual([
          503,
          "ServiceUnavailable",
          "busy",
        ]);
      }
      await expect(call("ListFpShotDB", {})).resolves.toMatchObject({ statusCode: 200 });
      expect(emu.admin.state().faults).toEqual([
        {
          rule: {
            type: "error",
            action: "*",
            code: "ServiceUnavailable",
            httpStatus: 503,
            message: "busy",
            count: 2,
          },
          fired: 2,
        },
      ]);
    });

    it("fires at its rate, reproducibly for a given seed", async () => {
      const rule: FaultRule = {
        type: "error",
        action: "*",
        rate: 0.2,
        code: "InternalError",
        httpStatus: 500,
      };
      const pattern = async (): Promise<string> => {
        let out = "";
        for (let i = 0; i < 100; i++) {
          out += await call("ListFpShotDB", {}).then(
            () => ".",
            () => "x",
          );
        }
        return out;
      };
      await start([rule], 42);
      const first = await pattern();
      emu.admin.reset();
      emu.admin.setFaults([rule]);
      const afterReset = await pattern();
      const failures = first.split("").filter((c) => c === "x").length;
      expect(afterReset).toBe(first);
      expect(failures).toBeGreaterThanOrEqual(8);
      expect(failures).toBeLessThanOrEqual(35);
      expect(emu.admin.counts().overall.errors.InternalError).toBe(failures);
    });
  });

  describe("drop", () => {
    it("destroys the connection without an answer and commits nothing", async () => {
      await start([{ type: "drop", action: "CreateFpShotDB" }]);
      const error = await sdkError(call("CreateFpShotDB", { Name: "x" }));
      expect(error.code).toBe("ECONNRESET");
      expect(libraryCount()).toBe(0);
      expect(emu.admin.counts().byAction.CreateFpShotDB).toMatchObject({ total: 1, dropped: 1, ok: 0 });
      expect(emu.admin.requests().at(-1)).toMatchObject({ code: "(dropped)" });
    });
  });

  describe("commit-then-fail", () => {
    it("mode error: commits the job, then answers 500 InternalError; the library now has an unfinished job", async () => {
      await start([{ type: "commit-then-fail", action: "SubmitFpDBDeleteJob", mode: "error", count: 1 }]);
      const fpDbId = emu.admin.seedLibrary({ name: "lib" });
      const error = await sdkError(call("SubmitFpDBDeleteJob", { FpDBId: fpDbId, DelType: "Delete" }));
      expect([error.statusCode, error.code]).toEqual([500, "InternalError"]);
      expect(emu.admin.state().jobs).toEqual([
        expect.objectContaining({ fpDbId, delType: "Delete", status: "Queuing" }),
      ]);
      const retry = await sdkError(call("SubmitFpDBDeleteJob", { FpDBId: fpDbId, DelType: "Delete" }));
      expect(retry.code).toBe("InvalidParameter.InvalidState");
      const recent = (await call("QueryFpDBDeleteJobList", {})).body.FpDBDeleteJobList as {
        FpDBDeleteJob: JobItem[];
      };
      expect(recent.FpDBDeleteJob.map((j) => j.Id)).toEqual([emu.admin.state().jobs[0]!.jobId]);
    });

    it("mode drop: commits the library, then destroys the connection", async () => {
      await start([{ type: "commit-then-fail", action: "CreateFpShotDB", mode: "drop" }]);
      const error = await sdkError(call("CreateFpShotDB", { Name: "ghost" }));
      expect(error.code).toBe("ECONNRESET");
      expect(emu.admin.state().libraries).toEqual([expect.objectContaining({ name: "ghost" })]);
      expect(emu.admin.counts().byAction.CreateFpShotDB).toMatchObject({ total: 1, dropped: 1 });
    });
  });

  describe("latency", () => {
    it("commits, then answers after latencyMs of real time", async () => {
      await start([{ type: "latency", action: "CreateFpShotDB", latencyMs: 250 }]);
      const began = Date.now();
      await call("CreateFpShotDB", { Name: "slow" });
      expect(Date.now() - began).toBeGreaterThanOrEqual(240);
      const other = Date.now();
      await call("ListFpShotDB", {});
      expect(Date.now() - other).toBeLessThan(200);
    });

    it("beyond the client's read timeout: the client times out, yet the write was committed", async () => {
      await start([{ type: "latency", action: "CreateFpShotDB", latencyMs: 1500 }]);
      const impatient = sdkCaller({ host: emu.host, readTimeoutMs: 200 });
      const error = await sdkError(impatient("CreateFpShotDB", { Name: "ambiguous" }));
      expect(error.name).toBe("RequestTimeoutError");
      expect(emu.admin.state().libraries).toEqual([expect.objectContaining({ name: "ambiguous" })]);
    });
  });

  describe("job-fail", () => {
    it("fails only the first job of each library it picks, with Code and Message, and keeps the library", async () => {
      await start([
        {
          type: "job-fail",
          delType: "Delete",
          code: "ServiceUnavailable",
          message: "backend hiccup",
          rate: 1,
        },
      ]);
      const fpDbId = emu.admin.seedLibrary({ name: "lib" });
      const first = String(
        (await call("SubmitFpDBDeleteJob", { FpDBId: fpDbId, DelType: "Delete" })).body.JobId,
      );
      clock.advance(2999);
      expect((await jobs(first))[0]!).not.toHaveProperty("Code");
      clock.advance(1);
      expect((await jobs(first))[0]).toMatchObject({
        Status: "Fail",
        Code: "ServiceUnavailable",
        Message: "backend hiccup",
        FinishTime: expect.any(String),
      });
      expect(emu.admin.state().libraries[0]).toMatchObject({ deleted: false });
      const second = String(
        (await call("SubmitFpDBDeleteJob", { FpDBId: fpDbId, DelType: "Delete" })).body.JobId,
      );
      clock.advance(3000);
      expect((await jobs(second))[0]).toMatchObject({ Status: "Success" });
      expect((await jobs(second))[0]).not.toHaveProperty("Code");
      expect(emu.admin.state().libraries[0]).toMatchObject({ deleted: true });
    });

    it("defaults to ServiceUnavailable with the documented message, and honours delType and fpDbIds filters", async () => {
      await start();
      const picked = emu.admin.seedLibrary({ name: "picked" });
      const spared = emu.admin.seedLibrary({ name: "spared" });
      emu.admin.addFault({ type: "job-fail", delType: "Purge", fpDbIds: [picked] });
      const purgePicked = String(
        (await call("SubmitFpDBDeleteJob", { FpDBId: picked, DelType: "Purge" })).body.JobId,
      );
      const purgeSpared = String(
        (await call("SubmitFpDBDeleteJob", { FpDBId: spared, DelType: "Purge" })).body.JobId,
      );
      clock.advance(3000);
      const deletePicked = String(
        (await call("SubmitFpDBDeleteJob", { FpDBId: picked, DelType: "Delete" })).body.JobId,
      );
      clock.advance(3000);
      const [a, b, c] = await jobs(purgePicked, purgeSpared, deletePicked);
      expect(a).toMatchObject({
        Status: "Fail",
        Code: "ServiceUnavailable",
        Message: "The request has failed due to a temporary failure of the server.",
      });
      expect([b!.Status, c!.Status]).toEqual(["Success", "Success"]);
      expect(emu.admin.state().jobs.find((j) => j.jobId === purgePicked)).toMatchObject({
        status: "Fail",
        code: "ServiceUnavailable",
      });
    });
  });

  describe("rules at run time", () => {
    it("can be replaced, added and cleared while the emulator runs", async () => {
      await start([{ type: "error", action: "ListFpShotDB", code: "InternalError", httpStatus: 500 }]);
      expect((await sdkError(call("ListFpShotDB", {}))).code).toBe("InternalError");
      emu.admin.setFaults([
        { type: "error", action: "QueryFpDBDeleteJobList", code: "Throttling", httpStatus: 400 },
      ]);
      await expect(call("ListFpShotDB", {})).resolves.toMatchObject({ statusCode: 200 });
      expect((await sdkError(call("QueryFpDBDeleteJobList", {}))).code).toBe("Throttling");
      emu.admin.addFault({ type: "drop", action: "ListFpShotDB" });
      expect((await sdkError(call("ListFpShotDB", {}))).code).toBe("ECONNRESET");
      emu.admin.clearFaults();
      await expect(call("ListFpShotDB", {})).resolves.toMatchObject({ statusCode: 200 });
      await expect(call("QueryFpDBDeleteJobList", {})).resolves.toMatchObject({ statusCode: 200 });
    });

    it("refuses a malformed rule with a message naming the problem", async () => {
      await start();
      expect(() => emu.admin.addFault({ type: "latency", action: "*" } as unknown as FaultRule)).toThrow(
        'Invalid emulator fault rule {"type":"latency","action":"*"}: `latencyMs` must be a number >= 0.',
      );
      expect(() => emu.admin.setFaults([{ type: "error", action: "*", code: "X", httpStatus: 200 }])).toThrow(
        "`httpStatus` must be an HTTP error status (400-599)",
      );
      expect(emu.admin.state().faults).toEqual([]);
    });
  });
});
