import { createMpsClient, MpsClient } from "../../core/client/mps-client";
import type { TransportOptions } from "../../core/client/transport";
import { JobWatcher } from "../../core/jobs/watchers";
import { MpsApiError, WaitTimeoutError, type ErrorKind } from "../../core/errors";
import { RateLimiterRegistry } from "../../core/resilience/rate-limiter-registry";
import { FakeClock } from "../support/fake-clock";
import { FakeTransport } from "./fake-transport";

function client(transport: FakeTransport, clock = new FakeClock()): MpsClient {
  return new MpsClient({ transport, clock, random: () => 0.5, limiters: new RateLimiterRegistry({ clock }) });
}

function apiError(action: string, code: string, kind: ErrorKind, statusCode = 500): MpsApiError {
  return new MpsApiError(`MPS ${action} failed: ${code}.`, action, code, kind, statusCode, "RID-E");
}

const JOB = {
  Id: "job-1",
  FpDBId: "lib-1",
  DelType: "Delete",
  Status: "Fail",
  CreationTime: "2026-11-24T00:00:01Z",
  FinishTime: "2026-11-24T00:00:04Z",
  PipelineId: "pipe-1",
  UserData: "ud",
  Code: "ServiceUnavailable",
  Message: "The request has failed due to a temporary failure of the server.",
};

describe("MpsClient requests", () => {
  it("sends CreateFpShotDB parameters in the query, ModelId as a string, optional ones only when set", async () => {
    const transport = new FakeTransport().answer("CreateFpShotDB", {
      RequestId: "R1",
      FpShotDB: { FpDBId: "lib-1", Name: "n", State: "offline" },
    });
    const api = client(transport);
    await api.createFpShotDb({ name: "n", modelId: 12, description: "d", config: '{"a":1}' });
    await api.createFpShotDb({ name: "only-name" });
    expect(transport.calls.map((call) => call.query)).toEqual([
      { Name: "n", ModelId: "12", Description: "d", Config: '{"a":1}' },
      { Name: "only-name" },
    ]);
  });

  it.each([["Purge"], ["Delete"]] as const)("always sends DelType=%s explicitly", async (delType) => {
    const transport = new FakeTransport().answer("SubmitFpDBDeleteJob", { RequestId: "R2", JobId: "job-9" });
    await client(transport).submitFpDbDeleteJob({ fpDbId: "lib-1", delType });
    expect(transport.calls[0].query).toEqual({ FpDBId: "lib-1", DelType: delType });
  });

  it("passes PipelineId and UserData through to SubmitFpDBDeleteJob", async () => {
    const transport = new FakeTransport().answer("SubmitFpDBDeleteJob", { RequestId: "R2", JobId: "job-9" });
    await client(transport).submitFpDbDeleteJob({
      fpDbId: "lib-1",
      delType: "Purge",
      pipelineId: "pipe-1",
      userData: "a b&c",
    });
    expect(transport.calls[0].query).toEqual({
      FpDBId: "lib-1",
      DelType: "Purge",
      PipelineId: "pipe-1",
      UserData: "a b&c",
    });
  });

  it("joins ids with commas and asks for the 20 newest jobs when given none", async () => {
    const transport = new FakeTransport()
      .answer("ListFpShotDB", { RequestId: "R3" })
      .answer("QueryFpDBDeleteJobList", { RequestId: "R4" });
    const api = client(transport);
    await api.listFpShotDb(["a", "b"]);
    await api.queryFpDbDeleteJobList(["j1", "j2", "j3"]);
    await api.queryFpDbDeleteJobList();
    await api.queryFpDbDeleteJobList([]);
    expect(transport.calls.map((call) => [call.action, call.query])).toEqual([
      ["ListFpShotDB", { FpDBIds: "a,b" }],
      ["QueryFpDBDeleteJobList", { JobIds: "j1,j2,j3" }],
      ["QueryFpDBDeleteJobList", {}],
      ["QueryFpDBDeleteJobList", {}],
    ]);
  });

  it("refuses more than 10 ids per call without calling", async () => {
    const transport = new FakeTransport();
    const ids = Array.from({ length: 11 }, (_, i) => `id-${i}`);
    await expect(client(transport).listFpShotDb(ids)).rejects.toThrow(
      "ListFpShotDB takes at most 10 ids per call, got 11",
    );
    await expect(client(transport).queryFpDbDeleteJobList(ids)).rejects.toThrow(
      "QueryFpDBDeleteJobList takes at most 10 ids per call, got 11",
    );
    expect(transport.calls).toEqual([]);
  });

  it("answers ListFpShotDB of no ids with empty lists without calling", async () => {
    const transport = new FakeTransport();
    await expect(client(transport).listFpShotDb([])).resolves.toEqual({
      requestId: "",
      libraries: [],
      nonExistIds: [],
    });
    expect(transport.calls).toEqual([]);
  });
});

describe("MpsClient response parsing", () => {
  it("reads CreateFpShotDB's State as the status and keeps Config", async () => {
    const transport = new FakeTransport().answer("CreateFpShotDB", {
      RequestId: "R1",
      FpShotDB: {
        FpDBId: "lib-1",
        Name: "n",
        Description: "d",
        ModelId: 12,
        Config: "null",
        State: "offline",
      },
    });
    await expect(client(transport).createFpShotDb({ name: "n" })).resolves.toEqual({
      requestId: "R1",
      library: {
        fpDbId: "lib-1",
        name: "n",
        description: "d",
        modelId: 12,
        config: "null",
        status: "offline",
      },
    });
  });

  it("unwraps ListFpShotDB lists, leaves out an absent ModelId and reads NonExistIds", async () => {
    const transport = new FakeTransport().answer("ListFpShotDB", {
      RequestId: "R3",
      FpShotDBList: {
        FpShotDB: [
          { FpDBId: "a", Name: "A", Status: "active" },
          { FpDBId: "b", Name: "B", Description: "", ModelId: "13", Status: "deleted" },
        ],
      },
      NonExistIds: { String: ["c"] },
    });
    const result = await client(transport).listFpShotDb(["a", "b", "c"]);
    expect(result).toEqual({
      requestId: "R3",
      libraries: [
        { fpDbId: "a", name: "A", status: "active" },
        { fpDbId: "b", name: "B", modelId: 13, status: "deleted" },
      ],
      nonExistIds: ["c"],
    });
    expect(Object.keys(result.libraries[0])).toEqual(["fpDbId", "name", "status"]);
  });

  it("treats an omitted NonExistIds and an omitted list as empty", async () => {
    const transport = new FakeTransport().answer("ListFpShotDB", { RequestId: "R3" });
    await expect(client(transport).listFpShotDb(["a"])).resolves.toEqual({
      requestId: "R3",
      libraries: [],
      nonExistIds: [],
    });
  });

  it("reads every job field, and leaves out empty ones", async () => {
    const transport = new FakeTransport().answer("QueryFpDBDeleteJobList", {
      RequestId: "R4",
      FpDBDeleteJobList: {
        FpDBDeleteJob: [
          JOB,
          {
            Id: "job-2",
            FpDBId: "lib-2",
            DelType: "Purge",
            Status: "Queuing",
            FinishTime: "",
            Code: "",
            Message: "",
          },
        ],
      },
      NonExistIds: { String: ["job-3"] },
    });
    await expect(client(transport).queryFpDbDeleteJobList(["job-1", "job-2", "job-3"])).resolves.toEqual({
      requestId: "R4",
      jobs: [
        {
          jobId: "job-1",
          fpDbId: "lib-1",
          delType: "Delete",
          status: "Fail",
          creationTime: "2026-11-24T00:00:01Z",
          finishTime: "2026-11-24T00:00:04Z",
          pipelineId: "pipe-1",
          userData: "ud",
          code: "ServiceUnavailable",
          message: "The request has failed due to a temporary failure of the server.",
        },
        { jobId: "job-2", fpDbId: "lib-2", delType: "Purge", status: "Queuing" },
      ],
      nonExistIds: ["job-3"],
    });
  });

  it("reports a submit answer without JobId as ambiguous (it may have been executed) and does not retry", async () => {
    const transport = new FakeTransport().answer("SubmitFpDBDeleteJob", { RequestId: "R5" });
    const error = await client(transport)
      .submitFpDbDeleteJob({ fpDbId: "lib-1", delType: "Delete" })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      message:
        "MPS SubmitFpDBDeleteJob failed: InvalidResponse: the response has no JobId. RequestId: R5. The request " +
        "may have been executed: check the service state before sending it again.",
      code: "InvalidResponse",
      kind: "ambiguous",
      requestId: "R5",
    });
    expect(transport.calls).toHaveLength(1);
  });

  it("retries a read whose answer lacks an id", async () => {
    const transport = new FakeTransport().answer(
      "ListFpShotDB",
      { RequestId: "R6", FpShotDBList: { FpShotDB: [{ Name: "no id" }] } },
      { RequestId: "R7", FpShotDBList: { FpShotDB: [{ FpDBId: "a", Name: "A", Status: "active" }] } },
    );
    const result = await client(transport).listFpShotDb(["a"]);
    expect(result.requestId).toBe("R7");
    expect(transport.calls).toHaveLength(2);
  });
});

describe("MpsClient retries", () => {
  it("retries reads on transient failures and throttling until they succeed", async () => {
    const transport = new FakeTransport().answer(
      "QueryFpDBDeleteJobList",
      apiError("QueryFpDBDeleteJobList", "InternalError", "transient"),
      apiError("QueryFpDBDeleteJobList", "Throttling.User", "throttling", 400),
      apiError("QueryFpDBDeleteJobList", "RequestTimeout", "transient"),
      { RequestId: "R8" },
    );
    const clock = new FakeClock();
    await expect(client(transport, clock).queryFpDbDeleteJobList(["j"])).resolves.toMatchObject({
      requestId: "R8",
    });
    expect(transport.calls).toHaveLength(4);
    // The throttled attempt waits a second's floor plus its jitter (0.5 x 1000 x 2^1).
    expect(clock.sleeps.filter((ms) => ms >= 50)).toEqual([100, 2000, 400]);
  });

  it("does not retry a write whose outcome is ambiguous", async () => {
    const failure = apiError("SubmitFpDBDeleteJob", "InternalError", "ambiguous");
    const transport = new FakeTransport().answer("SubmitFpDBDeleteJob", failure, {
      RequestId: "R",
      JobId: "j",
    });
    await expect(client(transport).submitFpDbDeleteJob({ fpDbId: "l", delType: "Delete" })).rejects.toBe(
      failure,
    );
    expect(transport.calls).toHaveLength(1);
  });

  it("retries a throttled write", async () => {
    const transport = new FakeTransport().answer(
      "CreateFpShotDB",
      apiError("CreateFpShotDB", "Throttling.User", "throttling", 400),
      { RequestId: "R", FpShotDB: { FpDBId: "lib-1", Name: "n", State: "offline" } },
    );
    await expect(client(transport).createFpShotDb({ name: "n" })).resolves.toMatchObject({ requestId: "R" });
    expect(transport.calls).toHaveLength(2);
  });

  it.each([["ListFpShotDB"], ["CreateFpShotDB"]])("never retries a fatal failure of %s", async (action) => {
    const failure = apiError(action, "SignatureDoesNotMatch", "fatal", 400);
    const transport = new FakeTransport().answer(action, failure);
    const api = client(transport);
    const call = action === "ListFpShotDB" ? api.listFpShotDb(["a"]) : api.createFpShotDb({ name: "n" });
    await expect(call).rejects.toBe(failure);
    expect(transport.calls).toHaveLength(1);
  });

  it("stops after maxAttempts", async () => {
    const transport = new FakeTransport().answer(
      "ListFpShotDB",
      apiError("ListFpShotDB", "ServiceUnavailable", "transient", 503),
    );
    const clock = new FakeClock();
    const api = new MpsClient({
      transport,
      clock,
      retry: { maxAttempts: 3 },
      limiters: new RateLimiterRegistry({ clock }),
    });
    await expect(api.listFpShotDb(["a"])).rejects.toThrow(
      "MPS ListFpShotDB failed: ServiceUnavailable. Gave up after 3 attempts.",
    );
    expect(transport.calls).toHaveLength(3);
  });

  it("refuses a maxAttempts below 1", () => {
    expect(() => new MpsClient({ transport: new FakeTransport(), retry: { maxAttempts: 0 } })).toThrow(
      "maxAttempts must be a whole number of at least 1, got 0",
    );
  });

  it("shares one bucket per action among clients of the same registry and endpoint", async () => {
    const clock = new FakeClock();
    const limiters = new RateLimiterRegistry({ clock });
    const a = new FakeTransport().answer("ListFpShotDB", { RequestId: "R" });
    const b = new FakeTransport().answer("ListFpShotDB", { RequestId: "R" });
    const start = clock.now();
    const times: number[] = [];
    const calls = [
      new MpsClient({ transport: a, clock, limiters }),
      new MpsClient({ transport: b, clock, limiters }),
    ]
      .flatMap((api) => Array.from({ length: 10 }, () => api.listFpShotDb(["x"])))
      .map((p) => p.then(() => times.push(clock.now() - start)));
    await Promise.all(calls);
    // 20 calls through one bucket: 5 at once, then 15 more at 95/s.
    expect(Math.max(...times)).toBeCloseTo((15 * 1000) / 95, 2);
  });
});

describe("a read bounded by retryUntil", () => {
  it("starts no retry at or after retryUntil and throws the last failure", async () => {
    const clock = new FakeClock();
    const transport = new FakeTransport().answer(
      "ListFpShotDB",
      apiError("ListFpShotDB", "ServiceUnavailable", "transient", 503),
    );
    const startedAt = clock.now();
    const error = await client(transport, clock)
      .listFpShotDb(["lib-1"], { retryUntil: startedAt + 1_000 })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "ServiceUnavailable" });
    // Full jitter at 0.5: delays of 100, 200, 400 and 800 ms, so attempts at 0, 0.1, 0.3 and 0.7 s; a fifth
    // would start at 1.5 s, past the bound.
    expect(transport.callsTo("ListFpShotDB")).toHaveLength(4);
    expect(clock.now() - startedAt).toBeLessThan(1_000);
  });

  it("a wait whose looks keep failing ends at its bound, retries of the last look included", async () => {
    const clock = new FakeClock();
    const transport = new FakeTransport().answer(
      "QueryFpDBDeleteJobList",
      apiError("QueryFpDBDeleteJobList", "ServiceUnavailable", "transient", 503),
    );
    const watcher = new JobWatcher(client(transport, clock), { clock });
    const startedAt = clock.now();
    const error = await watcher
      .waitForJob("job-1", { intervalMs: 5_000, timeoutMs: 300_000, describe: "library lib-1 (my-lib)" })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect((error as WaitTimeoutError).waitedMs).toBeLessThanOrEqual(300_000);
    expect(clock.now() - startedAt).toBeLessThanOrEqual(300_000);
  });
});

describe("createMpsClient", () => {
  it("GIVEN a transport factory THEN it builds the transport from the endpoint options and every call goes through it", async () => {
    const transport = new FakeTransport().answer("ListFpShotDB", {
      RequestId: "R1",
      FpShotDBList: { FpShotDB: [] },
      NonExistIds: { String: ["lib-1"] },
    });
    const built: TransportOptions[] = [];
    const api = createMpsClient({
      endpoint: "http://127.0.0.1:9",
      credential: { getCredential: () => Promise.reject(new Error("never asked: the fake is the wire")) },
      connectTimeoutMs: 1000,
      readTimeoutMs: 2000,
      transportFactory: (options) => {
        built.push(options);
        return transport;
      },
    });
    await api.listFpShotDb(["lib-1"]);
    expect(built).toHaveLength(1);
    expect(built[0]).toMatchObject({
      endpoint: "http://127.0.0.1:9",
      connectTimeoutMs: 1000,
      readTimeoutMs: 2000,
    });
    expect(transport.callsTo("ListFpShotDB")).toEqual([
      { action: "ListFpShotDB", query: { FpDBIds: "lib-1" } },
    ]);
  });
});
