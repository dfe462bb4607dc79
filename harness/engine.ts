/**
 * A stand-in for the Pulumi CLI's engine: `preview`, `up`, `refresh` and `destroy` of a Pulumi program whose
 * resources are dynamic, driving Pulumi's real provider host over gRPC (see README.md for the engine rules it follows).
 *
 * `up`/`preview` run the program in a child process (program/child.ts) under a mock monitor and turn each
 * registration into Check, Diff and Create/Update/Delete calls; `refresh`/`destroy` act on the state file alone
 * (or run the program first with `runProgram`). The provider host is started per operation with cwd = the
 * program folder and closed at the end. Each operation is an object in operations.ts; run-operation.ts runs it.
 */
import type { Operation, RunResult, StackRunOptions } from "./events";
import { DESTROY, OPERATIONS, PREVIEW, REFRESH, UP } from "./operations";
import { runOperation as run } from "./run-operation";

export { removeLock } from "./lock";
export { DEFAULT_STACK } from "./run-operation";
export { pendingOperationsWarning } from "./run-result";
export type { EngineEvent, Operation, RunResult, StackRunOptions, StepOp, StepResult } from "./events";
export type {
  PendingOperation,
  ResourceState,
  StackState,
  ProviderConfigState,
  ResourceStatus,
} from "./state";

/** Runs the program and shows what `up` would do, without changing anything or writing the state file. */
export function preview(o: StackRunOptions): Promise<RunResult> {
  return run(PREVIEW, o);
}

/** Runs the program and creates, updates, replaces and deletes resources to match it. */
export function up(o: StackRunOptions): Promise<RunResult> {
  return run(UP, o);
}

/** Reads every resource in state and records what exists now; vanished resources are dropped. */
export function refresh(o: StackRunOptions): Promise<RunResult> {
  return run(REFRESH, o);
}

/** Deletes every resource in state, dependents first. */
export function destroy(o: StackRunOptions): Promise<RunResult> {
  return run(DESTROY, o);
}

/** Runs the operation named `op`. */
export function runOperation(op: Operation, o: StackRunOptions): Promise<RunResult> {
  return run(OPERATIONS[op], o);
}
