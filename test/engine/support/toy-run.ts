import * as engine from "../../../harness/engine";
import type { EngineEvent, RunResult, StackRunOptions } from "../../../harness/engine";
import type { ToySpec } from "../fixtures/toy-program/spec";
import type { ToyWorkspace } from "./toy-workspace";

export type { ToySpec };

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
