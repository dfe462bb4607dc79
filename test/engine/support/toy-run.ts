import * as engine from "../../../harness/engine";
import type { EngineEvent, RunResult, StackRunOptions } from "../../../harness/engine";
import type { ToyWorkspace } from "./toy-workspace";

/** One toy resource as the fixture program reads it from `toy:resources`. */
export interface ToySpec {
  name: string;
  fileName?: string;
  content?: string;
  dependsOn?: string[];
  protect?: boolean;
  retainOnDelete?: boolean;
  dbrOption?: boolean;
  deleteBeforeReplace?: boolean;
  ignoreChanges?: string[];
  failInit?: boolean;
  failCreate?: boolean;
  failUpdate?: boolean;
  failDelete?: boolean;
  slowMs?: number;
  /** Milliseconds the toy check() takes. */
  slowCheckMs?: number;
  withPassword?: boolean;
  getId?: string;
  aliases?: string[];
  replaceOnChanges?: string[];
  definiteDiff?: boolean;
  failDiff?: boolean;
}

/** A run result plus every event it emitted. */
export type ToyRun = RunResult & { events: EngineEvent[] };

/** Runs an operation on the toy program with `toy:dir` and `toy:resources` set, collecting events. */
export async function runToy(
  ws: ToyWorkspace,
  op: "preview" | "up" | "refresh" | "destroy",
  resources: ToySpec[],
  extra: Partial<StackRunOptions> = {},
): Promise<ToyRun> {
  const events: EngineEvent[] = [];
  const result = await engine[op]({
    programDir: ws.programDir,
    stackFile: ws.stackFile,
    ...extra,
    config: { "toy:dir": ws.dataDir, "toy:resources": JSON.stringify(resources), ...extra.config },
    onEvent: (e) => {
      events.push(e);
      extra.onEvent?.(e);
    },
  });
  return { ...result, events };
}

/** `op:name` for every step, in completion order. */
export function stepsOf(run: RunResult): string[] {
  return run.steps.map((s) => `${s.op}:${s.name}${s.ok ? "" : ":failed"}`);
}

/** The provider's own operation lines (`toy create a.txt v1`), without the in-flight counter. */
export function providerOps(run: RunResult): string[] {
  return run.diagnostics
    .filter((l) => /^toy (create|update|delete|read) /.test(l))
    .map((l) => l.replace(/ inflight=\d+$/, ""));
}
