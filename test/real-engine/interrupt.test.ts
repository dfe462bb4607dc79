/**
 * An interrupted `pulumi up` while the create waits for the library to become active, through the real CLI:
 * - SIGKILL (what a second Ctrl-C, `kill -9` or a lost CI runner amounts to): the library exists in MPS, the
 *   checkpoint holds a pending CREATE and the stack stays locked; then the recovery with the pinned CLI's flags;
 * - a first SIGINT (one Ctrl-C): a graceful cancel that lets the running create finish and records it.
 */
import { startEmulator, type RunningEmulator } from "../../emulator";
import { requireCli, type Workspace } from "./support/cli";
import { callsSince, writesIn } from "./support/emulator-calls";
import { librariesWorkspace, opsByName, setLibraries } from "./support/fixture";

jest.setTimeout(300_000);

const CREATED = /Created library (\w+) \(([\w-]+)\): offline/;
let emulator: RunningEmulator;

beforeAll(async () => {
  requireCli();
  emulator = await startEmulator({ activateSeconds: 0.2, jobSeconds: 0.3, quota: 100 });
});

afterAll(async () => {
  await emulator?.close();
});

describe("SIGKILL while up waits for active", () => {
  let ws: Workspace;
  let loggedId = "";

  beforeAll(async () => {
    ws = await librariesWorkspace(emulator, [{ name: "interrupted" }]);
  });
  afterAll(async () => {
    await ws?.close();
  });

  test("leaves the library in MPS, a pending create in the checkpoint and the stack locked", async () => {
    // The create must still wait for `active` when the kill comes, however slowly a busy machine relays its line.
    emulator.admin.setSettings({ activateSeconds: 10 });
    const run = ws.start(["up", "--yes", "--skip-preview"]);
    const match = CREATED.exec(await run.waitForOutput(CREATED));
    loggedId = match?.[1] ?? "";
    run.signal("SIGKILL");
    const killed = await run.done.then(
      () => undefined,
      (err: Error) => err,
    );
    expect(killed?.message).toMatch(/SIGKILL/);
    emulator.admin.setSettings({ activateSeconds: 0.2 });

    expect(emulator.admin.state().libraries.map((l) => l.fpDbId)).toEqual([loggedId]);
    const exported = await ws.exportStack();
    expect(
      (exported.deployment.pending_operations ?? []).map((p) => [p.type, p.resource.urn.split("::").pop()]),
    ).toEqual([["creating", "interrupted"]]);
    expect(await ws.resources()).toEqual([]);

    const locked = await ws.up(["--skip-preview"], { allowFailure: true });
    expect(locked.code).not.toBe(0);
    expect(locked.output).toMatch(/locked/);
  });

  test("after pulumi cancel, a plain up warns about the pending create and makes a second library", async () => {
    await ws.run(["cancel", "--yes"]);
    const before = emulator.admin.counts();
    const up = await ws.up(["--skip-preview"]);
    expect(up.output).toMatch(/1 pending operations from previous deployment/);
    expect(writesIn(callsSince(emulator, before))).toEqual({ CreateFpShotDB: 1 });
    const live = emulator.admin.state().libraries.filter((l) => !l.deleted && l.name === "interrupted");
    expect(live).toHaveLength(2);
    // The pending create stays until it is cleared.
    expect(((await ws.exportStack()).deployment.pending_operations ?? []).map((p) => p.type)).toEqual([
      "creating",
    ]);
  });

  test("refresh --clear-pending-creates clears it; adopting the logged id with deletionPolicy Delete lets destroy delete it", async () => {
    await ws.refresh(["--skip-preview", "--clear-pending-creates"]);
    expect((await ws.exportStack()).deployment.pending_operations ?? []).toEqual([]);

    await setLibraries(ws, [
      { name: "interrupted" },
      { name: "recovered", fpDbId: loggedId, deletionPolicy: "Delete" },
    ]);
    const adopt = await ws.up(["--skip-preview"]);
    expect(opsByName(adopt.steps)).toEqual({ interrupted: "same", recovered: "create" });
    const recovered = (await ws.resources()).find((r) => r.urn.endsWith("::recovered"));
    expect(recovered?.id).toBe(loggedId);

    const before = emulator.admin.counts();
    await ws.destroy(["--skip-preview"]);
    expect(writesIn(callsSince(emulator, before))).toEqual({ SubmitFpDBDeleteJob: 2 });
    expect(emulator.admin.state().libraries.every((l) => l.deleted)).toBe(true);
    expect(await ws.resources()).toEqual([]);
  });
});

describe("a first SIGINT while up waits for active", () => {
  let ws: Workspace;
  beforeAll(async () => {
    ws = await librariesWorkspace(emulator, [{ name: "graceful" }]);
  });
  afterAll(async () => {
    await ws?.close();
  });

  test("lets the create finish and records it, with no pending operation", async () => {
    // The create must still wait for `active` when SIGINT comes, however slowly a busy machine relays its line.
    emulator.admin.setSettings({ activateSeconds: 6 });
    const run = ws.start(["up", "--yes", "--skip-preview"], { allowFailure: true });
    const match = CREATED.exec(await run.waitForOutput(CREATED));
    run.signal("SIGINT");
    const result = await run.done;
    emulator.admin.setSettings({ activateSeconds: 0.2 });
    // The CLI cancels: the running create finishes, nothing new starts, and the update reports itself cancelled.
    expect(result.signal).toBeNull();
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/update canceled/);

    const exported = await ws.exportStack();
    expect(exported.deployment.pending_operations ?? []).toEqual([]);
    const [resource] = await ws.resources();
    expect(resource?.id).toBe(match?.[1]);
    expect(resource?.outputs).toMatchObject({ status: "active" });

    await ws.destroy(["--skip-preview"]);
    expect(await ws.resources()).toEqual([]);
  });
});
