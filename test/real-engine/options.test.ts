/**
 * Resource options and inputs that change what destroy and replacement do, through the real engine: Pulumi's
 * `protect`, the provider's `deletionProtection`, a `libraryName` change (replacement), and a destroy after the
 * credentials in stack config were rotated (the engine configures destroy from the config stored at the last up).
 */
import { startEmulator, type RunningEmulator } from "../../emulator";
import { requireCli, type Workspace } from "./support/cli";
import { callsSince, writesIn } from "./support/emulator-calls";
import { librariesWorkspace, opsByName, setLibraries, stepLines } from "./support/fixture";

jest.setTimeout(300_000);

const ACCOUNT = "1000000000000001";
const OLD_KEY = { accessKeyId: "LTAI5tRealEngineOldKey", accessKeySecret: "old-secret-for-tests" };
const NEW_KEY = { accessKeyId: "LTAI5tRealEngineNewKey", accessKeySecret: "new-secret-for-tests" };

let emulator: RunningEmulator;

beforeAll(async () => {
  requireCli();
  emulator = await startEmulator({
    activateSeconds: 0.2,
    jobSeconds: 0.3,
    quota: 100,
    accounts: [{ accountId: ACCOUNT, accessKeys: [OLD_KEY, NEW_KEY] }],
  });
});

afterAll(async () => {
  await emulator?.close();
});

describe("protect and deletionProtection", () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await librariesWorkspace(
      emulator,
      [
        { name: "pinned", protect: true },
        { name: "guarded", deletionProtection: true },
      ],
      credentials(OLD_KEY),
    );
    await ws.up(["--skip-preview"]);
  });
  afterAll(async () => {
    await ws?.close();
  });

  test("destroy deletes neither: protect is refused by the engine, deletionProtection by the provider, no Delete job", async () => {
    const before = emulator.admin.counts();
    const result = await ws.destroy(["--skip-preview"], { allowFailure: true });
    expect(result.code).not.toBe(0);
    expect(result.output).toMatch(/protected/i);
    // The provider host's own line reaches the stack's row: it says what happened, naming the library.
    expect(result.output).toMatch(
      /\[mps-fpdb\] library \w+ \(guarded\) has `deletionProtection` enabled, so it was not deleted: no call was made to MPS/,
    );
    expect(result.output).not.toContain("DeletionProtectedError");
    expect(writesIn(callsSince(emulator, before))).toEqual({});
    expect((await ws.resources()).map((r) => r.urn.split("::").pop()).sort()).toEqual(["guarded", "pinned"]);
    expect(emulator.admin.state().libraries.filter((l) => !l.deleted)).toHaveLength(2);
  });

  test("after switching both off with an up, destroy deletes both with one Delete job each", async () => {
    await setLibraries(ws, [
      { name: "pinned", protect: false },
      { name: "guarded", deletionProtection: false },
    ]);
    const up = await ws.up(["--skip-preview"]);
    expect(opsByName(up.steps)).toEqual({ pinned: "same", guarded: "update" });
    expect((await ws.resources()).every((r) => !r.protect)).toBe(true);

    const before = emulator.admin.counts();
    await ws.destroy(["--skip-preview"]);
    expect(writesIn(callsSince(emulator, before))).toEqual({ SubmitFpDBDeleteJob: 2 });
    expect(await ws.resources()).toEqual([]);
  });
});

describe("replacement and rotated credentials", () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await librariesWorkspace(
      emulator,
      [{ name: "renamed", libraryName: "first-name" }],
      credentials(OLD_KEY),
    );
    await ws.up(["--skip-preview"]);
  });
  afterAll(async () => {
    await ws?.close();
  });

  test("a libraryName change replaces the library: a new one is created, the old one deleted by one Delete job", async () => {
    const [old] = await ws.resources();
    const before = emulator.admin.counts();
    await setLibraries(ws, [{ name: "renamed", libraryName: "second-name" }]);
    const result = await ws.up(["--skip-preview"]);
    const lines = stepLines(result.steps);
    expect(lines).toContain("replace renamed ok");
    expect(writesIn(callsSince(emulator, before))).toEqual({ CreateFpShotDB: 1, SubmitFpDBDeleteJob: 1 });
    const [now] = await ws.resources();
    expect(now.id).not.toBe(old.id);
    expect(now.outputs).toMatchObject({ libraryName: "second-name", status: "active" });
    const state = emulator.admin.state();
    expect(state.libraries.find((l) => l.fpDbId === old.id)?.deleted).toBe(true);
    expect(state.jobs.filter((j) => j.fpDbId === old.id)).toEqual([
      expect.objectContaining({ delType: "Delete", status: "Success" }),
    ]);
    expect((await ws.exportStack()).deployment.pending_operations ?? []).toEqual([]);
  });

  test("destroy after rotating the credentials in stack config signs with the ones stored at the last up", async () => {
    await ws.setConfig("alicloud:accessKey", NEW_KEY.accessKeyId);
    await ws.setConfig("alicloud:secretKey", NEW_KEY.accessKeySecret, true);
    const seen = emulator.admin.requests().length;
    await ws.destroy(["--skip-preview"]);
    const keys = new Set(
      emulator.admin
        .requests()
        .slice(seen)
        .map((r) => r.accessKeyId),
    );
    expect([...keys]).toEqual([OLD_KEY.accessKeyId]);
    expect(await ws.resources()).toEqual([]);
  });
});

function credentials(key: { accessKeyId: string; accessKeySecret: string }): Record<string, string> {
  return { "alicloud:accessKey": key.accessKeyId, "alicloud:secretKey": key.accessKeySecret };
}
