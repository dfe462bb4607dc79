import * as path from "node:path";
import { startEmulator, type EmulatorOptions, type RunningEmulator } from "../../../emulator";
import { createWorkspace, requireCli, type Step, type Workspace } from "./cli";

/** The real-engine fixture program: libraries and get() lookups described by stack config. */
export const LIBRARIES_PROGRAM = path.join(__dirname, "..", "fixtures", "libraries");
const PROJECT = "mps-fpdb-real-engine";

export interface LibrarySpec {
  name: string;
  libraryName?: string;
  deletionProtection?: boolean;
  protect?: boolean;
  purgeTrigger?: string;
  fpDbId?: string;
  deletionPolicy?: "Delete" | "Purge" | "Retain";
  importId?: string;
  description?: string;
  modelId?: 11 | 12 | 13 | 14;
  purgeStrategy?: "purge" | "recreate";
  /** The trigger is a Pulumi secret. */
  secretTrigger?: boolean;
  /** null leaves `userData` unset (jobs then carry the provider's tag); default "real-engine <name>". */
  userData?: string | null;
}

/** A workspace running the fixture program with `libraries` (and more stack config). */
export function librariesWorkspace(
  emulator: RunningEmulator,
  libraries: LibrarySpec[],
  config: Record<string, string> = {},
): Promise<Workspace> {
  return createWorkspace({
    program: LIBRARIES_PROGRAM,
    emulator,
    config: { [`${PROJECT}:libraries`]: JSON.stringify(libraries), ...config },
  });
}

/** Sets the fixture's library list. */
export function setLibraries(ws: Workspace, libraries: LibrarySpec[]): Promise<void> {
  return ws.setConfig(`${PROJECT}:libraries`, JSON.stringify(libraries));
}

/**
 * Resolves once the emulator's job `jobId` has ended (the jest timeout bounds the wait): a test whose job must
 * outlast one CLI run waits here rather than betting on how long the next run takes to start.
 */
export async function jobEnded(emulator: RunningEmulator, jobId: string): Promise<void> {
  const ended = () =>
    emulator.admin
      .state()
      .jobs.some((j) => j.jobId === jobId && (j.status === "Success" || j.status === "Fail"));
  while (!ended()) await new Promise((resolve) => setTimeout(resolve, 50));
}

/** Sets the fixture's get() lookups. */
export function setGets(ws: Workspace, gets: { name: string; id: string }[]): Promise<void> {
  return ws.setConfig(`${PROJECT}:gets`, JSON.stringify(gets));
}

/** `name -> op` of the FingerprintLibrary steps (the last step per name wins). */
export function opsByName(steps: Step[]): Record<string, string> {
  const ops: Record<string, string> = {};
  for (const step of steps) if (step.type.endsWith(":FingerprintLibrary")) ops[step.name] = step.op;
  return ops;
}

/** The FingerprintLibrary steps as `op name result` lines, in event order. */
export function stepLines(steps: Step[]): string[] {
  return steps
    .filter((s) => s.type.endsWith(":FingerprintLibrary"))
    .map((s) => `${s.op}${s.endOp ? `->${s.endOp}` : ""} ${s.name} ${s.result}`);
}

/** The most FingerprintLibrary steps of kind `op` that were open (announced, not finished) at once. */
export function maxConcurrent(events: Record<string, unknown>[], op: string): number {
  const open = new Set<string>();
  let max = 0;
  for (const event of events) {
    const pre = event.resourcePreEvent as { metadata: { op: string; urn: string; type: string } } | undefined;
    const end = (event.resOutputsEvent ?? event.resOpFailedEvent) as
      { metadata: { urn: string } } | undefined;
    if (pre && pre.metadata.op === op && pre.metadata.type.endsWith(":FingerprintLibrary")) {
      open.add(pre.metadata.urn);
      max = Math.max(max, open.size);
    }
    if (end) open.delete(end.metadata.urn);
  }
  return max;
}

/**
 * The setup most scenario files share: one emulator for the file (the CLI required first), and fixture workspaces
 * that are closed with it. Call at the top level of a test file.
 */
export function scenarioSuite(options: EmulatorOptions): {
  emulator(): RunningEmulator;
  workspace(libraries: LibrarySpec[], config?: Record<string, string>): Promise<Workspace>;
} {
  let emulator: RunningEmulator | undefined;
  const workspaces: Workspace[] = [];
  beforeAll(async () => {
    requireCli();
    emulator = await startEmulator(options);
  });
  afterAll(async () => {
    for (const ws of workspaces) await ws.close();
    await emulator?.close();
  });
  const running = (): RunningEmulator => {
    if (!emulator) throw new Error("scenarioSuite: the emulator starts in beforeAll");
    return emulator;
  };
  return {
    emulator: running,
    workspace: async (libraries, config) => {
      const ws = await librariesWorkspace(running(), libraries, config);
      workspaces.push(ws);
      return ws;
    },
  };
}
