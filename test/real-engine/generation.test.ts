/**
 * The engine's step generation, which the harness follows (`StepScheduler.generateStep`): the provider's Check and
 * Diff calls come one at a time, while the steps already decided run in parallel.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type RunningEmulator } from "../../emulator";
import { createWorkspace, requireCli, type Workspace } from "./support/cli";

jest.setTimeout(240_000);

const PROGRAM = path.join(__dirname, "fixtures", "generation");
let emulator: RunningEmulator;
let ws: Workspace;
let log: string;

beforeAll(async () => {
  requireCli();
  // The program makes no MPS call; the workspace only needs an endpoint to configure.
  emulator = await startEmulator({});
  ws = await createWorkspace({ program: PROGRAM, emulator });
  log = path.join(ws.dir, "calls.log");
  await ws.setConfig("step-generation:log", log);
});

afterAll(async () => {
  await ws?.close();
  await emulator?.close();
});

/** The log's lines, and the most calls of each kind that were running at once. */
function readLog(): { lines: string[]; most: Record<string, number> } {
  const lines = fs.readFileSync(log, "utf8").trim().split("\n");
  const running: Record<string, number> = {};
  const most: Record<string, number> = {};
  for (const line of lines) {
    const [event] = line.split(" ");
    const [call, edge] = event.split("-");
    const kind = call === "check" || call === "diff" ? "generation" : call;
    running[kind] = (running[kind] ?? 0) + (edge === "start" ? 1 : -1);
    most[kind] = Math.max(most[kind] ?? 0, running[kind]);
  }
  return { lines, most };
}

test.each([
  ["create", "1"],
  ["update", "2"],
])(
  "%s of four resources, --parallel unbounded: one Check or Diff at a time, the steps overlapping",
  async (op, value) => {
    fs.rmSync(log, { force: true });
    await ws.setConfig("step-generation:value", value);
    await ws.up(["--skip-preview", "--parallel", "2147483647"]);
    const { lines, most } = readLog();
    expect(lines.filter((l) => l.startsWith("check-start"))).toHaveLength(4);
    if (op === "update") expect(lines.filter((l) => l.startsWith("diff-start"))).toHaveLength(4);
    expect(most.generation).toBe(1);
    expect(most[op]).toBeGreaterThan(1);
    // A step started before the last resource's Check: the generator did not wait for the steps.
    const lastCheck = lines.map((l) => l.startsWith("check-start")).lastIndexOf(true);
    expect(lines.findIndex((l) => l.startsWith(`${op}-start`))).toBeLessThan(lastCheck);
  },
);
