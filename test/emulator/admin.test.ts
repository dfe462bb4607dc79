import { request } from "node:http";
import {
  createAdminClient,
  DEFAULT_ACCOUNT_ID,
  startEmulator,
  type RemoteEmulatorAdmin,
  type RunningEmulator,
} from "../../emulator";
import { sdkCaller, sdkError } from "../support/emulator";

/** A raw admin call, for answers the typed client turns into exceptions. */
function rawAdmin(
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, method, path, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString()) }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

// The admin surfaces: in-process and over HTTP (/_emulator/), for tests and for other processes.
describe("emulator admin", () => {
  let emu: RunningEmulator;
  let remote: RemoteEmulatorAdmin;

  beforeAll(async () => {
    emu = await startEmulator({ region: "cn-shanghai", qps: 50, requestLogLimit: 5, activateSeconds: 0 });
    remote = createAdminClient(emu.endpoint);
  });
  afterAll(() => emu.close());
  beforeEach(() => emu.admin.reset());

  it("serves state over HTTP: region, accounts, libraries and jobs with all their parameters", async () => {
    const call = sdkCaller({ host: emu.host });
    const fpDbId = await remote.seedLibrary({ name: "seeded", modelId: 12, fileCount: 3, description: "d" });
    const jobId = (
      await call("SubmitFpDBDeleteJob", { FpDBId: fpDbId, DelType: "Delete", PipelineId: "p", UserData: "u" })
    ).body.JobId;
    const state = await remote.state();
    expect(state).toMatchObject({
      region: "cn-shanghai",
      accountIds: [DEFAULT_ACCOUNT_ID],
      libraries: [
        {
          accountId: DEFAULT_ACCOUNT_ID,
          fpDbId,
          name: "seeded",
          description: "d",
          modelId: 12,
          status: "active",
          deleted: false,
          fileCount: 3,
        },
      ],
      jobs: [{ jobId, fpDbId, delType: "Delete", pipelineId: "p", userData: "u", status: "Queuing" }],
      settings: { qps: 50 },
    });
    expect({ ...state, now: undefined }).toEqual({ ...emu.admin.state(), now: undefined });
  });

  it("seeds a library with a chosen id and refuses a duplicate id with 400", async () => {
    await expect(remote.seedLibrary({ fpDbId: "my-own-id", name: "x" })).resolves.toBe("my-own-id");
    await expect(remote.seedLibrary({ fpDbId: "my-own-id", name: "y" })).rejects.toThrow(
      'Emulator admin POST libraries failed (400): seedLibrary: a library with FpDBId "my-own-id" already exists.',
    );
  });

  it("sets, adds, lists and clears faults over HTTP", async () => {
    await remote.setFaults([
      { type: "error", action: "ListFpShotDB", code: "InternalError", httpStatus: 500 },
    ]);
    await remote.addFault({ type: "latency", action: "*", latencyMs: 1 });
    expect(emu.admin.state().faults.map((f) => f.rule.type)).toEqual(["error", "latency"]);
    const call = sdkCaller({ host: emu.host });
    expect((await sdkError(call("ListFpShotDB", {}))).code).toBe("InternalError");
    await remote.clearFaults();
    expect((await remote.state()).faults).toEqual([]);
    await expect(remote.setFaults([{ type: "nope" } as never])).rejects.toThrow(
      'Emulator admin PUT faults failed (400): Invalid emulator fault rule {"type":"nope"}: `type` must be one of error, commit-then-fail, drop, latency, job-fail.',
    );
  });

  it("changes settings at run time and refuses unknown or invalid ones", async () => {
    await expect(remote.setSettings({ qps: 5, jobSeconds: 0.5 })).resolves.toMatchObject({
      qps: 5,
      jobSeconds: 0.5,
    });
    expect(emu.admin.settings()).toMatchObject({ qps: 5, jobSeconds: 0.5, quota: 5 });
    await expect(remote.setSettings({ qps: 0 })).rejects.toThrow(
      "Emulator admin POST settings failed (400): Emulator setting `qps` must be a finite number > 0, got 0.",
    );
    await expect(remote.setSettings({ speed: 1 } as never)).rejects.toThrow(
      "Unknown emulator setting `speed`; the settings are qps, throttleAlgorithm, quota, activateSeconds, jobSeconds, purgeSeconds, deleteSeconds, maxSkewSeconds.",
    );
  });

  it("counts requests per action and overall, and serves the counts over HTTP", async () => {
    const call = sdkCaller({ host: emu.host });
    await call("ListFpShotDB", {});
    await sdkError(call("CreateFpShotDB", {}));
    await sdkError(call("NoSuchAction", {}));
    expect(await remote.counts()).toEqual({
      byAction: {
        ListFpShotDB: { total: 1, ok: 1, throttled: 0, dropped: 0, errors: {} },
        CreateFpShotDB: { total: 1, ok: 0, throttled: 0, dropped: 0, errors: { "MissingParameter.Name": 1 } },
        NoSuchAction: { total: 1, ok: 0, throttled: 0, dropped: 0, errors: { "InvalidAction.NotFound": 1 } },
      },
      overall: {
        total: 3,
        ok: 1,
        throttled: 0,
        dropped: 0,
        errors: { "MissingParameter.Name": 1, "InvalidAction.NotFound": 1 },
      },
    });
  });

  it("keeps a bounded request log, newest last, and does not log admin calls", async () => {
    const call = sdkCaller({ host: emu.host });
    for (let i = 0; i < 8; i++) await call("ListFpShotDB", { FpDBIds: `id-${i}` });
    await remote.state();
    const logged = await remote.requests();
    expect(logged.map((r) => r.query.FpDBIds)).toEqual(["id-3", "id-4", "id-5", "id-6", "id-7"]);
    expect(logged[4]).toMatchObject({
      method: "POST",
      path: "/",
      action: "ListFpShotDB",
      signatureVersion: "v3",
      accountId: DEFAULT_ACCOUNT_ID,
      status: 200,
      requestId: expect.any(String),
    });
  });

  it("resets libraries, jobs, counts, log and faults, and restores the start settings", async () => {
    const call = sdkCaller({ host: emu.host });
    await call("CreateFpShotDB", { Name: "x" });
    emu.admin.addFault({ type: "drop", action: "Nothing" });
    emu.admin.setSettings({ qps: 1 });
    await remote.reset();
    const state = emu.admin.state();
    expect([state.libraries, state.jobs, state.faults]).toEqual([[], [], []]);
    expect(state.settings.qps).toBe(50);
    expect(emu.admin.counts().overall.total).toBe(0);
    expect(emu.admin.requests()).toEqual([]);
  });

  it("answers an unknown admin route with 404 and bad JSON with 400", async () => {
    expect(await rawAdmin(emu.port, "GET", "/_emulator/nothing")).toEqual({
      status: 404,
      body: { error: "No admin route GET /_emulator/nothing; see emulator/admin/http-routes.ts." },
    });
    const bad = await rawAdmin(emu.port, "POST", "/_emulator/settings", "{not json");
    expect(bad.status).toBe(400);
  });

  it("fails a remote admin call clearly when nothing listens", async () => {
    const other = await startEmulator();
    const endpoint = other.endpoint;
    await other.close();
    await expect(createAdminClient(endpoint).state()).rejects.toThrow(
      `Emulator admin GET state at ${other.host}: connect ECONNREFUSED ${other.host}`,
    );
  });
});
