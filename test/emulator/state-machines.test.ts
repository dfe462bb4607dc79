import { Agent } from "node:http";
import {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  startEmulator,
  type RunningEmulator,
} from "../../emulator";
import { FakeClock } from "../support/fake-clock";
import { sdkCaller, sdkError, type SdkCaller } from "../support/emulator";
import { send, signV3 } from "./raw-request";

const keys = { accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET };

type JobItem = { Id: string; Status: string; FinishTime?: string; CreationTime: string };

// Library and job state machines, driven by an injected clock: nothing here sleeps.
describe("emulator state machines", () => {
  let emu: RunningEmulator;
  let call: SdkCaller;
  let clock: FakeClock;

  beforeEach(async () => {
    // Real start time: the SDK signs with the real clock, and the emulator checks the skew against this one.
    clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
    emu = await startEmulator({ clock, activateSeconds: 1.5, jobSeconds: 3, qps: 10000 });
    call = sdkCaller({ host: emu.host });
  });
  afterEach(() => emu.close());

  const status = async (fpDbId: string) => {
    const answer = await call("ListFpShotDB", { FpDBIds: fpDbId });
    const [lib] = (answer.body.FpShotDBList as { FpShotDB: { Status: string }[] }).FpShotDB;
    return lib?.Status ?? (answer.body.NonExistIds ? "non-existent" : "?");
  };
  const job = async (jobId: string): Promise<JobItem> => {
    const answer = await call("QueryFpDBDeleteJobList", { JobIds: jobId });
    return (answer.body.FpDBDeleteJobList as { FpDBDeleteJob: JobItem[] }).FpDBDeleteJob[0]!;
  };
  const create = async (query: Record<string, string> = {}) =>
    (await call("CreateFpShotDB", { Name: "lib", ...query })).body.FpShotDB as {
      FpDBId: string;
      State: string;
    };
  const submit = async (FpDBId: string, DelType: string) =>
    String((await call("SubmitFpDBDeleteJob", { FpDBId, DelType })).body.JobId);

  it("creates a library offline and turns it active after activateSeconds (fractions allowed)", async () => {
    const lib = await create();
    expect(lib.State).toBe("offline");
    clock.advance(1499);
    expect(await status(lib.FpDBId)).toBe("offline");
    clock.advance(1);
    expect(await status(lib.FpDBId)).toBe("active");
  });

  it("creates libraries active at once when activateSeconds is 0", async () => {
    emu.admin.setSettings({ activateSeconds: 0 });
    expect((await create()).State).toBe("active");
  });

  it("moves a job Queuing for the first third, then Analysing, then Success with a FinishTime", async () => {
    const lib = await create();
    const jobId = await submit(lib.FpDBId, "Purge");
    expect(await job(jobId)).toMatchObject({ Status: "Queuing" });
    expect((await job(jobId)).FinishTime).toBeUndefined();
    clock.advance(999);
    expect((await job(jobId)).Status).toBe("Queuing");
    clock.advance(1);
    expect((await job(jobId)).Status).toBe("Analysing");
    clock.advance(1999);
    expect((await job(jobId)).Status).toBe("Analysing");
    clock.advance(1);
    const done = await job(jobId);
    expect(done.Status).toBe("Success");
    expect(Date.parse(done.FinishTime!) - Date.parse(done.CreationTime)).toBe(3000);
  });

  it("Purge keeps the library and empties its content once the job succeeds", async () => {
    const fpDbId = emu.admin.seedLibrary({ name: "full", fileCount: 42 });
    await submit(fpDbId, "Purge");
    clock.advance(2999);
    expect(emu.admin.state().libraries[0]).toMatchObject({ fileCount: 42, deleted: false });
    clock.advance(1);
    expect(emu.admin.state().libraries[0]).toMatchObject({ fileCount: 0, deleted: false, status: "active" });
    expect(emu.admin.state().libraries[0]!.purgedAt).toBeDefined();
    expect(await status(fpDbId)).toBe("active");
  });

  it("Delete keeps the library listed while the job runs, then reports it in NonExistIds", async () => {
    const lib = await create({ ModelId: "12" });
    clock.advance(1500);
    await submit(lib.FpDBId, "Delete");
    clock.advance(2999);
    expect(await status(lib.FpDBId)).toBe("active");
    clock.advance(1);
    expect(await status(lib.FpDBId)).toBe("non-existent");
    expect(emu.admin.state().libraries[0]).toMatchObject({ deleted: true, status: "deleted" });
  });

  it("answers a job on a deleted library with 404 InvalidParameter.ResourceNotFound", async () => {
    const lib = await create();
    await submit(lib.FpDBId, "Delete");
    clock.advance(3000);
    const error = await sdkError(call("SubmitFpDBDeleteJob", { FpDBId: lib.FpDBId, DelType: "Delete" }));
    expect([error.statusCode, error.code]).toEqual([404, "InvalidParameter.ResourceNotFound"]);
  });

  it("frees quota only when a Delete job has succeeded", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create()).FpDBId);
    await submit(ids[0]!, "Delete");
    expect((await sdkError(create())).code).toBe("QuotaExceeded.FpShotDB");
    clock.advance(3000);
    await expect(create()).resolves.toMatchObject({ State: "offline" });
  });

  it("does not free quota for a Purge", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await create()).FpDBId);
    await submit(ids[0]!, "Purge");
    clock.advance(3000);
    expect((await sdkError(create())).code).toBe("QuotaExceeded.FpShotDB");
  });

  it("applies a new jobSeconds to jobs submitted afterwards only", async () => {
    const a = emu.admin.seedLibrary({ name: "a" });
    const b = emu.admin.seedLibrary({ name: "b" });
    const slow = await submit(a, "Purge");
    emu.admin.setSettings({ jobSeconds: 0 });
    const instant = await submit(b, "Purge");
    expect((await job(instant)).Status).toBe("Success");
    expect((await job(slow)).Status).toBe("Queuing");
  });

  it("handles a thousand libraries deleted at once", async () => {
    emu.admin.setSettings({ quota: 5000 });
    const ids = Array.from({ length: 1000 }, (_, i) =>
      emu.admin.seedLibrary({ name: `bulk-${i}`, fileCount: i }),
    );
    // Raw requests one after another on one kept-alive connection: the store is under test here, not sockets.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const raw = (action: string, query: Record<string, string>) =>
      send(emu.port, signV3({ ...keys, host: emu.host, action, query }), agent);
    for (const id of ids)
      expect((await raw("SubmitFpDBDeleteJob", { FpDBId: id, DelType: "Delete" })).status).toBe(200);
    clock.advance(3000);
    const gone: string[] = [];
    for (let i = 0; i < ids.length; i += 10) {
      const answer = await raw("ListFpShotDB", { FpDBIds: ids.slice(i, i + 10).join(",") });
      gone.push(...(answer.body.NonExistIds as { String: string[] }).String);
    }
    expect(gone).toEqual(ids);
    expect(emu.admin.state().libraries.every((l) => l.deleted)).toBe(true);
    agent.destroy();
  });
});
