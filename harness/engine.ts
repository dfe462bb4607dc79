/**
 * A stand-in for the Pulumi CLI's engine: `preview`, `up`, `refresh` and `destroy` of a Pulumi program whose
 * resources are dynamic, driving Pulumi's real provider host over gRPC (pulumi-dynamic.md section 9).
 *
 * `up`/`preview` run the program in a child process (program/child.ts) under a mock monitor and turn each
 * registration into Check, Diff and Create/Update/Delete calls; `refresh`/`destroy` act on the state file alone.
 * The provider host is started per operation with cwd = the program folder and closed at the end.
 */
import { deleteInReverseOrder } from "./delete-steps";
import { Deployment } from "./deployment";
import type { EngineEvent, Operation, RunResult, StackRunOptions } from "./events";
import { startProviderHost, type ProviderHost } from "./host-client";
import { runProgram } from "./program/run-program";
import { readProject, readProjectName, resolvePulumiSdk } from "./project";
import { readResource } from "./read-step";
import { refreshAll } from "./refresh-steps";
import { registerResource } from "./register-step";
import { loadState, storableConfig, type StackState } from "./state";
import { containsSecret, unwrapSecrets, type Props } from "./wire";

export type { EngineEvent, Operation, RunResult, StackRunOptions, StepOp, StepResult } from "./events";
export type { ResourceState, StackState, ProviderConfigState, ResourceStatus } from "./state";

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

/** Runs one operation. */
export async function runOperation(op: Operation, o: StackRunOptions): Promise<RunResult> {
  const project = o.projectName ?? readProjectName(o.programDir);
  const stack = o.stackName ?? DEFAULT_STACK;
  const state = loadState(o.stackFile, project, stack);
  const emit = (e: EngineEvent) => o.onEvent?.(e);
  const diagnostics: string[] = [];
  const programOutput: string[] = [];
  const config = resolveConfig(op, o, state);
  if ("error" in config) return failedBeforeStart(config.error, state);

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

  const d = new Deployment({
    state,
    preview: op === "preview",
    project,
    stack,
    parallel: o.parallel ?? Infinity,
    host: hostReady,
    emit,
    longCallDeadlineMs: o.longCallDeadlineMs,
    stackFile: o.stackFile,
    checkpointIntervalMs: o.checkpointIntervalMs,
  });
  const fatal: string[] = [];
  let programErrors: string[] = [];
  let programOutputs: Props | undefined;
  try {
    if (op === "up" || op === "preview") {
      d.setStackFields({ providerConfig: storableConfig(config.config, config.secretKeys) });
      const program = readProject(o.programDir);
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
        onRegister: (reg) => registerResource(d, reg),
        onRead: (reg) => readResource(d, reg),
        onLine: (stream, line) => {
          programOutput.push(line);
          emit({ kind: "diagnostic", source: "program", stream, line });
        },
      });
      programErrors = result.errors;
      programOutputs = result.outputs;
      await hostReady;
      // Only a program that ran to the end, with every step done, proves which resources are gone.
      if (programErrors.length === 0 && d.errors.length === 0) {
        d.setStackFields({ outputs: result.outputs });
        await deleteInReverseOrder(
          d,
          d.all().filter((e) => !d.isRegistered(e.urn) || e.status === "pending-delete"),
        );
      }
    } else {
      await hostReady;
      if (op === "refresh") await refreshAll(d);
      else {
        await deleteInReverseOrder(d, d.all());
        if (d.all().length === 0) d.setStackFields({ outputs: {} });
      }
    }
  } catch (err) {
    fatal.push((err as Error).message);
  } finally {
    await d.finish().catch((err: Error) => fatal.push(err.message));
    await host?.close();
  }
  // A failed step also fails the program's registration; report it once.
  const stepMessages = [...d.errors.map(afterUrn), ...fatal];
  const errors = [
    ...fatal,
    ...d.errors,
    ...programErrors.filter((e) => !stepMessages.some((m) => e.includes(m))),
  ];
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
  };
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
  };
}

type ResolvedConfig = { config: Record<string, string>; secretKeys: string[] } | { error: string };

/**
 * up/preview use the supplied config. destroy/refresh start from the stored non-secret config, overlay what is
 * supplied, and need every secret key the last update used supplied again (secret values are never stored).
 */
function resolveConfig(op: Operation, o: StackRunOptions, state: StackState): ResolvedConfig {
  const supplied = o.config ?? {};
  const secretKeys = [...new Set(o.secretKeys ?? [])];
  const unknownSecret = secretKeys.find((k) => !(k in supplied));
  if (unknownSecret)
    return { error: `secret key \`${unknownSecret}\` has no value in config; supply it or drop it` };
  if (op === "up" || op === "preview") return { config: { ...supplied }, secretKeys };
  const missing = state.providerConfig.secretKeys.filter((k) => !(k in supplied));
  if (missing.length > 0) {
    return {
      error:
        `secret config ${missing.map((k) => `\`${k}\``).join(", ")} was used by the last update but is not ` +
        `stored in the state file; supply ${missing.length > 1 ? "them" : "it"} again (--secret key=value) to ${op}`,
    };
  }
  return {
    config: { ...state.providerConfig.config, ...supplied },
    secretKeys: [...new Set([...state.providerConfig.secretKeys, ...secretKeys])],
  };
}

function afterUrn(error: string): string {
  const i = error.indexOf(": ");
  return i >= 0 ? error.slice(i + 2) : error;
}
