import * as path from "node:path";
import type { RunningEmulator } from "../../../emulator";
import { createWorkspace, type Step, type Workspace } from "./cli";

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
