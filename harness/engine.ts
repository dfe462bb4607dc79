/**
 * A stand-in for the Pulumi CLI's engine: `preview`, `up`, `refresh` and `destroy` of a Pulumi program whose
 * resources are dynamic, driving Pulumi's real provider host over gRPC (see README.md for the engine rules it follows).
 *
 * `up`/`preview` run the program in a child process (program/child.ts) under a mock monitor and turn each
 * registration into Check, Diff and Create/Update/Delete calls; `refresh`/`destroy` act on the state file alone
 * (or run the program first with `runProgram`). The provider host is started per operation with cwd = the
 * program folder and closed at the end.
 */
import { deleteInReverseOrder } from "./delete-steps";
import { CancelledError, Deployment } from "./deployment";
import type { EngineEvent, Operation, RunResult, StackRunOptions } from "./events";
import { startProviderHost, type ProviderHost } from "./host-client";
import { normalizeParallel, defaultParallelism } from "./parallelism";
import { acquireLock } from "./lock";
import { runProgram } from "./program/run-program";
import type { ReadRegistration, Registration, RegistrationReply } from "./program/protocol";
import { readProject, readProjectName, resolvePulumiSdk } from "./project";
import { readResource } from "./read-step";
import { refreshAll } from "./refresh-steps";
import { registerResource, STACK_TYPE } from "./register-step";
import { decryptConfig, passphraseFromEnv, SecretBox, WrongPassphraseError } from "./secrets";
import { readStackConfig } from "./stack-config";
import {
  hasSealedSecrets,
  loadState,
  storableConfig,
  unsealState,
  type PendingOperation,
  type StackState,
} from "./state";
import { makeUrn } from "./urn";
import { containsSecret, PROVIDER_KEY, unwrapSecrets, type Props } from "./wire";

export { removeLock } from "./lock";
export type { EngineEvent, Operation, RunResult, StackRunOptions, StepOp, StepResult } from "./events";
export type {
  PendingOperation,
  ResourceState,
  StackState,
  ProviderConfigState,
  ResourceStatus,
} from "./state";

/** Default stack name. */
export const DEFAULT_STACK = "dev";

/** Runs the program and shows what `up` would do, without changing anything or writing the state file. */
export function preview(o: StackRunOptions): Promise<RunResult> {
  return runOperation("preview", o);
}

/** Runs the program and creates, updates, replaces and deletes resources to match it. */
export function up(o: StackRunOptions): Promise<RunResult> {
  return runOperation("up", o);
}

/** Reads every resource in state and records what exists now; vanished resources are dropped. */
export function refresh(o: StackRunOptions): Promise<RunResult> {
  return runOperation("refresh", o);
}

/** Deletes every resource in state, dependents first. */
export function destroy(o: StackRunOptions): Promise<RunResult> {
  return runOperation("destroy", o);
}

function envFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes)$/i.test(value.trim());
}

/** Runs one operation. */
export async function runOperation(op: Operation, o: StackRunOptions): Promise<RunResult> {
  const project = o.projectName ?? readProjectName(o.programDir);
  const stack = o.stackName ?? DEFAULT_STACK;
  // What the CLI's own environment would be: the harness's settings come from it, as the CLI's do.
  const cliEnv: NodeJS.ProcessEnv = { ...process.env, ...o.env };
  const state = loadState(o.stackFile, project, stack);
  const emit = (e: EngineEvent) => o.onEvent?.(e);
  const diagnostics: string[] = [];
  const programOutput: string[] = [];
  const runsProgram = op === "up" || op === "preview" || (o.runProgram ?? envFlag(cliEnv.PULUMI_RUN_PROGRAM));
  if (o.runProgram && (op === "up" || op === "preview")) {
    return failedBeforeStart("runProgram is an option of destroy and refresh", state);
  }
  if (o.clearPendingCreates && op !== "refresh") {
    return failedBeforeStart("clearPendingCreates is an option of refresh", state);
  }
  let parallel: number;
  let config: ResolvedConfig;
  let unlock = () => {};
  let secrets: SecretBox | undefined;
  try {
    parallel = o.parallel === undefined ? defaultParallelism(cliEnv) : normalizeParallel(o.parallel);
    const box = openSecrets(state, o.passphrase ?? passphraseFromEnv(cliEnv));
    secrets = box;
    config = resolveConfig(op, o, state, { project, stack, cliEnv, runsProgram });
    // backend/diy: a preview takes no lock.
    if (op !== "preview") unlock = acquireLock(o.stackFile);
  } catch (err) {
    return failedBeforeStart((err as Error).message, state);
  }

  let host: ProviderHost | undefined;
  const hostReady = (async () => {
    host = await startProviderHost({
      cwd: o.programDir,
      env: o.env,
      project,
      stack,
      callDeadlineMs: o.callDeadlineMs,
      onLine: (stream, line) => {
        diagnostics.push(line);
        emit({ kind: "diagnostic", source: "host", stream, line });
      },
      onEngineLog: (record) => emit({ kind: "engine-log", record }),
    });
    emit({ kind: "host-started", pid: host.pid, engineAddress: host.engineAddress });
    await host.configure(config.config, config.secretKeys);
    return host;
  })();
  hostReady.catch(() => undefined); // awaited below; steps waiting on it fail with the same error

  const previous = state.pendingOperations ?? [];
  // snapshot.go: only pending CREATEs outlive the next run; refresh --clear-pending-creates drops them too.
  const carried = o.clearPendingCreates ? [] : previous.filter((p) => p.type === "creating");
  const d = new Deployment({
    state,
    preview: op === "preview",
    project,
    stack,
    parallel,
    host: hostReady,
    emit,
    longCallDeadlineMs: o.longCallDeadlineMs,
    stackFile: o.stackFile,
    checkpointIntervalMs: o.checkpointIntervalMs,
    // The engine runs the refreshes of `refresh` with a step executor that ignores errors.
    continueOnError:
      (op === "refresh" && !runsProgram) || (o.continueOnError ?? envFlag(cliEnv.PULUMI_CONTINUE_ON_ERROR)),
    secrets,
    carriedPending: carried,
  });
  for (const w of config.warnings) d.warn(w);
  if ((op === "up" || op === "destroy") && previous.length > 0) d.warn(pendingOperationsWarning(previous));

  let interrupted = false;
  const stopProgram = new AbortController();
  const onCancel = () => {
    interrupted = true;
    d.cancel("interrupt");
  };
  const onTerminate = () => {
    interrupted = true;
    void d.terminate().then(() => {
      stopProgram.abort();
      void host?.close();
    });
  };
  const listen = (signal: AbortSignal | undefined, fn: () => void) => {
    if (!signal) return;
    if (signal.aborted) fn();
    else signal.addEventListener("abort", fn, { once: true });
  };
  listen(o.cancelSignal, onCancel);
  listen(o.terminateSignal, onTerminate);

  const fatal: string[] = [];
  let programErrors: string[] = [];
  let programOutputs: Props | undefined;
  try {
    if (runsProgram) {
      if (op === "up" || op === "preview" || config.storeConfig) {
        d.setStackFields({
          providerConfig: storableConfig(config.config, config.secretKeys, config.passphrase),
        });
      }
      const program = readProject(o.programDir);
      const handlers =
        op === "up" || op === "preview"
          ? {
              onRegister: (reg: Registration) => registerResource(d, reg),
              onRead: (reg: ReadRegistration) => readResource(d, reg),
            }
          : {
              onRegister: (reg: Registration) => registerUnchanged(d, reg),
              onRead: (reg: ReadRegistration) => readResource(d, reg),
            };
      const result = await runProgram({
        entry: program.entry,
        programDir: program.dir,
        sdkDir: resolvePulumiSdk(program.dir),
        project,
        stack,
        preview: op === "preview",
        config: config.config,
        secretKeys: config.secretKeys,
        env: o.env,
        abort: stopProgram.signal,
        ...handlers,
        onLine: (stream, line) => {
          programOutput.push(line);
          emit({ kind: "diagnostic", source: "program", stream, line });
        },
      });
      programErrors = result.errors;
      programOutputs = result.outputs;
      await hostReady;
      // Only a program that ran to the end, with every step done, proves which resources are gone.
      const clean = programErrors.length === 0 && d.errors.length === 0 && !d.cancelReason;
      if (clean && (op === "up" || op === "preview")) {
        d.setStackFields({ outputs: result.outputs });
        await deleteInReverseOrder(
          d,
          d.all().filter((e) => !d.isRegistered(e.urn) || e.status === "pending-delete"),
        );
      } else if (clean && op === "refresh") {
        await refreshAll(d);
      } else if (clean && op === "destroy") {
        await destroyAll(d);
      }
    } else {
      await hostReady;
      if (op === "refresh") await refreshAll(d);
      else await destroyAll(d);
    }
  } catch (err) {
    if (!d.terminated) fatal.push((err as Error).message);
  } finally {
    o.cancelSignal?.removeEventListener("abort", onCancel);
    o.terminateSignal?.removeEventListener("abort", onTerminate);
    await d.finish().catch((err: Error) => fatal.push(err.message));
    await host?.close();
    unlock();
  }

  const stillRunning = d.stillRunning.map((p) => ({
    type: p.type,
    urn: p.resource.urn,
    id: p.resource.id || undefined,
  }));
  let errors: string[];
  if (d.terminated) {
    errors = [terminatedMessage(d.stillRunning, diagnostics)];
  } else {
    // A failed step also fails the program's registration; report it once. Registrations refused because the
    // deployment was cancelled are not errors of their own.
    const stepMessages = [...d.errors.map(afterUrn), ...fatal];
    const cancelled = new CancelledError().message;
    errors = [
      ...fatal,
      ...d.errors,
      ...programErrors.filter((e) => !stepMessages.some((m) => e.includes(m)) && !e.includes(cancelled)),
    ];
    if (interrupted)
      errors.push(
        `${op === "preview" ? "preview" : "update"} canceled: interrupted before every step had run`,
      );
  }
  const finalState = op === "preview" ? state : d.snapshot();
  const outputs = (op === "preview" ? (programOutputs ?? {}) : finalState.outputs) as Props;
  return {
    ok: errors.length === 0,
    steps: d.steps,
    outputs: unwrapSecrets(outputs) as Record<string, unknown>,
    secretOutputs: Object.keys(outputs).filter((k) => containsSecret(outputs[k])),
    diagnostics,
    programOutput,
    errors,
    state: finalState,
    engineLogs: host?.engineLogs ?? [],
    checkpointWrites: d.checkpointWrites,
    warnings: d.warnings,
    stillRunning,
  };
}

async function destroyAll(d: Deployment): Promise<void> {
  await deleteInReverseOrder(d, d.all());
  if (d.all().length === 0) d.setStackFields({ outputs: {} });
}

/**
 * A registration under `destroy --run-program` or `refresh --run-program`: the engine only takes the program's
 * providers from it; a resource in state is a Same step answered with its stored outputs, one not in state is
 * skipped (step_generator.go continueStepsFromRefresh, destroy and refresh modes).
 */
async function registerUnchanged(d: Deployment, reg: Registration): Promise<RegistrationReply> {
  const urn = makeUrn(d.stack, d.project, reg.type, reg.name, reg.parent);
  d.claim(urn);
  const old = reg.type === STACK_TYPE ? undefined : d.current(urn);
  if (!old) return { urn, id: "", state: {} };
  if (old.custom) {
    d.plan("same", urn);
    await d.step("same", urn, async () => ({ id: old.id }), false);
  }
  const state = unwrapSecrets(old.outputs) as Props;
  delete state[PROVIDER_KEY];
  return { urn, id: old.id, state };
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

function failedBeforeStart(error: string, state: StackState): RunResult {
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

/**
 * With a passphrase, secret property values are written encrypted (the state's salt is made on first use) and the
 * ones already encrypted are decrypted in place. Without one, a state holding encrypted values cannot be used.
 */
function openSecrets(state: StackState, passphrase: string | undefined): SecretBox | undefined {
  const sealed = hasSealedSecrets(state);
  if (passphrase === undefined) {
    if (!sealed) return undefined;
    throw new Error(
      "the state file holds secret values encrypted under a passphrase; set PULUMI_CONFIG_PASSPHRASE (or pass " +
        "the passphrase) to the one the last update used",
    );
  }
  state.encryptionSalt ??= SecretBox.newSalt();
  const box = SecretBox.derive(passphrase, state.encryptionSalt);
  if (sealed) {
    try {
      Object.assign(state, unsealState(state, box));
    } catch (err) {
      if (!(err instanceof WrongPassphraseError)) throw err;
      throw new Error(
        "the passphrase does not decrypt the secret values in the state file; use the one the last update used",
      );
    }
  }
  return box;
}

interface ResolvedConfig {
  config: Record<string, string>;
  secretKeys: string[];
  /** The passphrase to store secret config under (up, preview and run-program runs). */
  passphrase?: string;
  /** A run-program destroy/refresh: the provider config in state becomes the current one. */
  storeConfig: boolean;
  warnings: string[];
}

/** The config the program would get: `Pulumi.<stack>.yaml` overlaid with what was supplied. */
function currentConfig(
  o: StackRunOptions,
  project: string,
  stack: string,
): { config: Record<string, string>; secretKeys: string[] } {
  const supplied = o.config ?? {};
  const secretKeys = [...new Set(o.secretKeys ?? [])];
  const unknownSecret = secretKeys.find((k) => !(k in supplied));
  if (unknownSecret)
    throw new Error(`secret key \`${unknownSecret}\` has no value in config; supply it or drop it`);
  const file = readStackConfig(o.programDir, stack, project);
  for (const key of file.secureKeys) {
    if (!(key in supplied)) {
      throw new Error(
        `config \`${key}\` is a secure value in Pulumi.${stack}.yaml, which only the Pulumi CLI can decrypt; ` +
          `supply it as a secret (--secret ${key}=...)`,
      );
    }
    if (!secretKeys.includes(key)) secretKeys.push(key);
  }
  return { config: { ...file.config, ...supplied }, secretKeys };
}

/**
 * up/preview (and destroy/refresh with runProgram) use the current config. destroy/refresh otherwise configure
 * the provider from what the last update stored (providers/registry.go): plain values as stored, secret values
 * decrypted with the passphrase, or, when only their names were stored, supplied again. A value given now never
 * replaces a stored one; the run warns which were not used.
 */
function resolveConfig(
  op: Operation,
  o: StackRunOptions,
  state: StackState,
  c: { project: string; stack: string; cliEnv: NodeJS.ProcessEnv; runsProgram: boolean },
): ResolvedConfig {
  const current = currentConfig(o, c.project, c.stack);
  const passphrase = o.passphrase ?? passphraseFromEnv(c.cliEnv);
  if (c.runsProgram) {
    return { ...current, passphrase, storeConfig: op === "destroy" || op === "refresh", warnings: [] };
  }
  const stored = state.providerConfig;
  const config: Record<string, string> = { ...stored.config };
  const filledIn = new Set<string>();
  if (stored.encrypted) {
    if (passphrase === undefined) {
      throw new Error(
        `secret config ${stored.secretKeys.map((k) => `\`${k}\``).join(", ")} is stored encrypted in the state ` +
          "file; set PULUMI_CONFIG_PASSPHRASE (or pass the passphrase) to the one the last update used",
      );
    }
    try {
      Object.assign(config, decryptConfig(stored.encrypted, passphrase));
    } catch (err) {
      if (!(err instanceof WrongPassphraseError)) throw err;
      throw new Error(
        "the passphrase does not decrypt the secret config stored in the state file; use the one the last " +
          "update used",
      );
    }
  } else {
    const missing = stored.secretKeys.filter((k) => !(k in current.config));
    if (missing.length > 0) {
      throw new Error(
        `secret config ${missing.map((k) => `\`${k}\``).join(", ")} was used by the last update but is not ` +
          `stored in the state file; supply ${missing.length > 1 ? "them" : "it"} again (--secret key=value) to ${op}`,
      );
    }
    for (const k of stored.secretKeys) {
      config[k] = current.config[k];
      filledIn.add(k);
    }
  }
  const ignored = Object.keys(current.config)
    .filter((k) => !filledIn.has(k) && config[k] !== current.config[k])
    .sort();
  const warnings =
    ignored.length === 0
      ? []
      : [
          `${op} configures the provider with the config stored at the last update; the values given now for ` +
            `${ignored.map((k) => `\`${k}\``).join(", ")} are not used (run up first, or use runProgram / --run-program)`,
        ];
  return { config, secretKeys: [...stored.secretKeys], storeConfig: false, warnings };
}

function afterUrn(error: string): string {
  const i = error.indexOf(": ");
  return i >= 0 ? error.slice(i + 2) : error;
}
