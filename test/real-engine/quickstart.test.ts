/**
 * The quickstart example through Pulumi's real engine (the CLI built from Pulumi's Go modules), one stack through
 * its life, each command starting from the state the previous one left, as a user's stack does: preview, up, a
 * no-change up, a purgeTrigger change, refresh after an out-of-band delete, up again, destroy.
 */
import { startEmulator, type RunningEmulator } from "../../emulator";
import { sdkCaller } from "../support/emulator";
import { createWorkspace, requireCli, type Workspace } from "./support/cli";
import { callsSince, writesIn } from "./support/emulator-calls";

jest.setTimeout(240_000);

const LIBRARY = "catalogue-dna";
let emulator: RunningEmulator;
let ws: Workspace;

beforeAll(async () => {
  requireCli();
  emulator = await startEmulator({ activateSeconds: 0.2, jobSeconds: 0.3 });
  ws = await createWorkspace({ program: "quickstart", emulator });
});

afterAll(async () => {
  await ws?.close();
  await emulator?.close();
});

const libraryOps = (steps: { op: string; name: string }[]) =>
  steps.filter((s) => s.name === LIBRARY).map((s) => s.op);

test("preview of a new stack plans one create and makes no write call", async () => {
  const before = emulator.admin.counts();
  const result = await ws.preview();
  expect(libraryOps(result.steps)).toEqual(["create"]);
  expect(writesIn(callsSince(emulator, before))).toEqual({});
  expect(emulator.admin.state().libraries).toEqual([]);
});

test("up creates the library, waits for active and records it with no pending operation", async () => {
  const result = await ws.up(["--skip-preview"]);
  expect(result.steps.filter((s) => s.name === LIBRARY)).toEqual([
    expect.objectContaining({ op: "create", result: "ok" }),
  ]);
  const [library] = emulator.admin.state().libraries;
  expect(library).toMatchObject({ name: LIBRARY, status: "active", deleted: false });
  const exported = await ws.exportStack();
  expect(exported.deployment.pending_operations ?? []).toEqual([]);
  const [resource] = await ws.resources();
  expect(resource.id).toBe(library.fpDbId);
  expect(resource.outputs).toMatchObject({ fpDbId: library.fpDbId, status: "active", libraryName: LIBRARY });
  expect(await ws.outputs()).toMatchObject({ fpDbId: library.fpDbId, status: "active" });
});

test("a second up with no change is a same step that only reads", async () => {
  const before = emulator.admin.counts();
  const result = await ws.up(["--skip-preview"]);
  expect(libraryOps(result.steps)).toEqual(["same"]);
  expect(writesIn(callsSince(emulator, before))).toEqual({});
});

test("a purgeTrigger change runs one Purge job and records its id", async () => {
  const [library] = emulator.admin.state().libraries;
  await ws.setConfig("purgeTrigger", "release-1");
  const before = emulator.admin.counts();
  const result = await ws.up(["--skip-preview"]);
  expect(libraryOps(result.steps)).toEqual(["update"]);
  expect(writesIn(callsSince(emulator, before))).toEqual({ SubmitFpDBDeleteJob: 1 });
  const jobs = emulator.admin.state().jobs.filter((j) => j.fpDbId === library.fpDbId);
  expect(jobs).toEqual([expect.objectContaining({ delType: "Purge", status: "Success" })]);
  expect(await ws.outputs()).toMatchObject({ purgeJobId: jobs[0].jobId, purgeJobStatus: "Success" });
});

test("preview of a purgeTrigger change plans an update and makes no write call", async () => {
  await ws.setConfig("purgeTrigger", "release-2");
  const before = emulator.admin.counts();
  const result = await ws.preview();
  expect(libraryOps(result.steps)).toEqual(["update"]);
  expect(writesIn(callsSince(emulator, before))).toEqual({});
  await ws.setConfig("purgeTrigger", "release-1");
});

test("refresh after an out-of-band delete drops the library from the state", async () => {
  const [library] = emulator.admin.state().libraries;
  const call = sdkCaller({ host: emulator.host });
  await call("SubmitFpDBDeleteJob", { FpDBId: library.fpDbId, DelType: "Delete" });
  await waitUntil(() => emulator.admin.state().libraries[0].deleted);

  const result = await ws.refresh(["--skip-preview"]);
  // The engine announces a refresh step and reports it as a delete once Read finds nothing.
  expect(result.steps.filter((s) => s.name === LIBRARY)).toEqual([
    expect.objectContaining({ op: "refresh", endOp: "delete", result: "ok" }),
  ]);
  expect(await ws.resources()).toEqual([]);
});

test("up after the refresh creates a new library; destroy deletes it with one Delete job and empties the state", async () => {
  await ws.up(["--skip-preview"]);
  const live = emulator.admin.state().libraries.filter((l) => !l.deleted);
  expect(live).toHaveLength(1);

  const before = emulator.admin.counts();
  const result = await ws.destroy(["--skip-preview"]);
  expect(libraryOps(result.steps)).toEqual(["delete"]);
  expect(writesIn(callsSince(emulator, before))).toEqual({ SubmitFpDBDeleteJob: 1 });
  const deletes = emulator.admin.state().jobs.filter((j) => j.fpDbId === live[0].fpDbId);
  expect(deletes).toEqual([expect.objectContaining({ delType: "Delete", status: "Success" })]);
  expect(emulator.admin.state().libraries.find((l) => l.fpDbId === live[0].fpDbId)?.deleted).toBe(true);
  const exported = await ws.exportStack();
  expect(exported.deployment.resources ?? []).toEqual([]);
  expect(exported.deployment.pending_operations ?? []).toEqual([]);
});

async function waitUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !condition(); i++) await new Promise((r) => setTimeout(r, 25));
  if (!condition()) throw new Error("condition not met after 5 s of emulator time");
}
