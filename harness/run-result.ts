/**
 * What a run returns and the engine's messages about interrupted runs: the result of a finished or terminated
 * run, one that failed before it started, the warning about an earlier run's pending operations, and the
 * account of a terminated one.
 */
import type { Deployment } from "./deployment";
import { CancelledError } from "./errors";
import type { RunResult } from "./events";
import type { EngineLogRecord } from "./fake-engine";
import type { OperationKind } from "./operations";
import type { PendingOperation, StackState } from "./state";
import { containsSecret, unwrapSecrets, type Props } from "./wire";

/** What a run knows when it ends. */
export interface RunEnd {
  kind: OperationKind;
  d: Deployment;
  /** The state the run started from (a preview returns it as it was). */
  before: StackState;
  diagnostics: string[];
  programOutput: string[];
  /** Errors that ended the run outside any step. */
  fatal: string[];
  programErrors: string[];
  programOutputs: Props | undefined;
  interrupted: boolean;
  engineLogs: EngineLogRecord[];
}

/** The errors of a run: a terminated run's account, or its step, program and fatal errors. */
function runErrors(end: RunEnd): string[] {
  const { d } = end;
  if (d.terminated) return [terminatedMessage(d.stillRunning, end.diagnostics)];
  // A failed step also fails the program's registration; report it once. Registrations refused because the
  // deployment was cancelled are not errors of their own.
  const stepMessages = [...d.errors.map(afterUrn), ...end.fatal];
  const cancelled = new CancelledError().message;
  const errors = [
    ...end.fatal,
    ...d.errors,
    ...end.programErrors.filter((e) => !stepMessages.some((m) => e.includes(m)) && !e.includes(cancelled)),
  ];
  if (end.interrupted)
    errors.push(`${end.kind.canceledVerb} canceled: interrupted before every step had run`);
  return errors;
}

/** The result of a run that started. */
export function runResult(end: RunEnd): RunResult {
  const { d, kind } = end;
  const errors = runErrors(end);
  const finalState = kind.preview ? end.before : d.snapshot();
  const outputs = (kind.preview ? (end.programOutputs ?? {}) : finalState.outputs) as Props;
  return {
    ok: errors.length === 0,
    steps: d.steps,
    outputs: unwrapSecrets(outputs) as Record<string, unknown>,
    secretOutputs: Object.keys(outputs).filter((k) => containsSecret(outputs[k])),
    diagnostics: end.diagnostics,
    programOutput: end.programOutput,
    errors,
    state: finalState,
    engineLogs: end.engineLogs,
    checkpointWrites: d.checkpointWrites,
    warnings: d.warnings,
    stillRunning: d.stillRunning.map((p) => ({
      type: p.type,
      urn: p.resource.urn,
      id: p.resource.id || undefined,
    })),
  };
}

/** The result of a run refused before anything started. */
export function failedBeforeStart(error: string, state: StackState): RunResult {
  return {
    ok: false,
    steps: [],
    outputs: unwrapSecrets(state.outputs) as Record<string, unknown>,
    secretOutputs: [],
    diagnostics: [],
    programOutput: [],
    errors: [error],
    state,
    engineLogs: [],
    checkpointWrites: 0,
    warnings: [],
    stillRunning: [],
  };
}

/** deployment_executor.go printPendingOperationsWarning, with the harness's way to clear a pending CREATE. */
export function pendingOperationsWarning(ops: readonly PendingOperation[]): string {
  return (
    `Attempting to deploy or update resources with ${ops.length} pending operations from previous deployment.\n` +
    ops.map((op) => `  * ${op.resource.urn}, interrupted while ${op.type}\n`).join("") +
    "These resources are in an unknown state because the run was interrupted while waiting for changes to " +
    "these resources to complete. Confirm whether the operations listed completed by checking the resources " +
    "themselves (the provider's log lines name the ids and jobs it submitted).\n\n" +
    "A pending update or delete is done again by the next run. A pending CREATE may have made a resource that " +
    "is not in the state file: adopt it by its id (or delete it), then drop the pending CREATE with " +
    "`refresh --clear-pending-creates` (`pulumi refresh --clear-pending-creates` with the Pulumi CLI)."
  );
}

function terminatedMessage(ops: readonly PendingOperation[], diagnostics: readonly string[]): string {
  if (ops.length === 0) return "terminated; no operation was in flight";
  const lines = ops.map((op) => {
    const name = op.resource.urn.split("::").pop() ?? op.resource.urn;
    const last = [...diagnostics]
      .reverse()
      .find((l) => (op.resource.id && l.includes(op.resource.id)) || l.includes(name));
    return (
      `  still running: ${op.type} ${op.resource.urn}${op.resource.id ? ` (id ${op.resource.id})` : ""}` +
      (last ? `\n    its last provider output: ${last}` : "")
    );
  });
  const creates = ops.some((op) => op.type === "creating");
  return (
    `terminated with ${ops.length} operation${ops.length > 1 ? "s" : ""} in flight; the provider may still ` +
    `finish ${ops.length > 1 ? "them" : "it"} (a cloud job keeps running), but this run records no outcome:\n` +
    `${lines.join("\n")}\n` +
    "They stay in the state file as pending operations. The next run does a pending update or delete again, and " +
    "the provider resumes the job it finds running." +
    (creates
      ? " A pending create may have made a resource that is not in state: find its id in the provider's output, " +
        "adopt it (or delete it), and drop the pending create with `refresh --clear-pending-creates`."
      : "")
  );
}

function afterUrn(error: string): string {
  const i = error.indexOf(": ");
  return i >= 0 ? error.slice(i + 2) : error;
}
