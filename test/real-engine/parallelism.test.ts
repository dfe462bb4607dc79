/**
 * How the real engine schedules many libraries: the default number of steps at once (`4 x GOMAXPROCS`), a
 * destroy of several libraries (one Delete job each), and the first failed Delete job under the CLI's default
 * fail-fast rule (no step starts once the run is cancelled), then the re-run that completes the destroy.
 */
import * as os from "node:os";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { requireCli, type Workspace } from "./support/cli";
import { callsSince, writesIn } from "./support/emulator-calls";
import { librariesWorkspace, maxConcurrent, stepLines } from "./support/fixture";

jest.setTimeout(300_000);

// Go's GOMAXPROCS is the number of CPUs the process may use; Node's availableParallelism() reads the same
// affinity mask.
const PARALLEL = 4 * os.availableParallelism();
// More than two waves' worth, so that some deletes are never started after a failure in the first wave.
const COUNT = 2 * PARALLEL + 4;
const names = Array.from({ length: COUNT }, (_, i) => `lib-${String(i + 1).padStart(2, "0")}`);
let emulator: RunningEmulator;
let ws: Workspace;

beforeAll(async () => {
  requireCli();
  // Activation and jobs take long enough that every step the engine starts is still open when the next starts.
  emulator = await startEmulator({ activateSeconds: 1.5, jobSeconds: 1.5, quota: COUNT + 10 });
  ws = await librariesWorkspace(
    emulator,
    names.map((name) => ({ name })),
  );
});

afterAll(async () => {
  await ws?.close();
  await emulator?.close();
});

test("up with default settings runs 4 x the CPUs Go sees of the creates at once", async () => {
  const result = await ws.up(["--skip-preview"]);
  expect(stepLines(result.steps).filter((l) => l.startsWith("create"))).toHaveLength(COUNT);
  expect(maxConcurrent(result.events, "create")).toBe(PARALLEL);
  expect(emulator.admin.state().libraries.filter((l) => l.status === "active")).toHaveLength(COUNT);
});

test("a failed Delete job stops the destroy: no delete starts once the run is cancelled, the others finish; the re-run completes", async () => {
  // The first Delete job submitted fails; its library stays.
  emulator.admin.addFault({ type: "job-fail", delType: "Delete", count: 1 });
  const before = emulator.admin.counts();
  const failed = await ws.destroy(["--skip-preview"], { allowFailure: true });
  expect(failed.code).not.toBe(0);
  const lines = stepLines(failed.steps);
  expect(lines.filter((l) => l.endsWith(" failed"))).toHaveLength(1);
  expect(lines.filter((l) => l.endsWith(" pending"))).toEqual([]);
  // Fail-fast: steps already running finish; none starts once the run is cancelled. The engine reports the
  // failure before it cancels (step_executor.go: the step's post-event, then cancelDueToError), so a worker whose
  // step ended at the same moment (the failed job ends together with the first wave's other jobs, and their ends
  // are seen in one call) may start one more step in between: at most one per other worker, and the deletes
  // beyond that never start.
  const failedAt = failed.events.findIndex((e) => "resOpFailedEvent" in e);
  expect(failedAt).toBeGreaterThan(-1);
  const startedLater = failed.events
    .slice(failedAt + 1)
    .filter(
      (e) => (e.resourcePreEvent as { metadata: { op: string } } | undefined)?.metadata.op === "delete",
    );
  expect(startedLater.length).toBeLessThan(PARALLEL);
  const started = lines.filter((l) => l.startsWith("delete")).length;
  expect(started).toBeLessThan(COUNT);
  expect(writesIn(callsSince(emulator, before))).toEqual({ SubmitFpDBDeleteJob: started });
  const left = (await ws.resources()).length;
  expect(left).toBe(COUNT - (started - 1));

  const rerun = await ws.destroy(["--skip-preview"]);
  expect(stepLines(rerun.steps).filter((l) => l.startsWith("delete") && l.endsWith(" ok"))).toHaveLength(
    left,
  );
  expect(await ws.resources()).toEqual([]);
  const jobs = emulator.admin.state().jobs.filter((j) => j.delType === "Delete");
  // One Delete job per library, plus the one resubmitted for the library whose first job failed.
  expect(jobs).toHaveLength(COUNT + 1);
  expect(jobs.filter((j) => j.status === "Fail")).toHaveLength(1);
  expect(emulator.admin.state().libraries.every((l) => l.deleted)).toBe(true);
});
