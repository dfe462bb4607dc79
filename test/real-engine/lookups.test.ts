/**
 * Taking an existing library into a program through the real engine: `pulumi import` (documented not to work
 * with dynamic providers) and `FingerprintLibrary.get()` of an existing and of a missing library.
 */
import { startEmulator, type RunningEmulator } from "../../emulator";
import { LIBRARY_TYPE, requireCli, type Workspace } from "./support/cli";
import { callsSince, writesIn } from "./support/emulator-calls";
import { librariesWorkspace, setGets } from "./support/fixture";

jest.setTimeout(240_000);

let emulator: RunningEmulator;
let ws: Workspace;
let existing = "";

beforeAll(async () => {
  requireCli();
  emulator = await startEmulator({ activateSeconds: 0.2, jobSeconds: 0.3, quota: 100 });
  existing = emulator.admin.seedLibrary({ name: "made-by-hand", description: "not the stack's" });
  ws = await librariesWorkspace(emulator, []);
});

afterAll(async () => {
  await ws?.close();
  await emulator?.close();
});

test("pulumi import of a library fails and leaves the state and the library as they were", async () => {
  const before = emulator.admin.counts();
  const result = await ws.run(["import", LIBRARY_TYPE, "imported", existing, "--yes", "--skip-preview"], {
    allowFailure: true,
  });
  expect(result.code).not.toBe(0);
  expect(await ws.resources()).toEqual([]);
  expect(writesIn(callsSince(emulator, before))).toEqual({});
  expect(emulator.admin.state().libraries).toEqual([
    expect.objectContaining({ fpDbId: existing, deleted: false }),
  ]);
});

test("get() of an existing library reads it into the stack as a read resource and never writes", async () => {
  await setGets(ws, [{ name: "lookup", id: existing }]);
  const before = emulator.admin.counts();
  const result = await ws.up(["--skip-preview"]);
  expect(result.steps.filter((s) => s.name === "lookup").map((s) => s.op)).toEqual(["read"]);
  expect(writesIn(callsSince(emulator, before))).toEqual({});
  const outputs = await ws.outputs();
  expect(outputs.lookedUp).toEqual([{ fpDbId: existing, status: "active", reportedName: "made-by-hand" }]);
  const [resource] = await ws.resources();
  expect(resource).toMatchObject({ id: existing, external: true });

  // A read resource is never deleted: destroy drops it from the state and leaves the library.
  await ws.destroy(["--skip-preview"]);
  expect(await ws.resources()).toEqual([]);
  expect(emulator.admin.state().libraries).toEqual([
    expect.objectContaining({ fpDbId: existing, deleted: false }),
  ]);
});

test("get() of a library the region does not have fails the up", async () => {
  await setGets(ws, [{ name: "ghost", id: "0123456789abcdef0123456789abcdef" }]);
  const result = await ws.up(["--skip-preview"], { allowFailure: true });
  expect(result.code).not.toBe(0);
  expect(await ws.resources()).toEqual([]);
});
