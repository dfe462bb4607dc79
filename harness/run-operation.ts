/**
 * Runs one operation: settings and config first (a bad one fails before anything starts), then the provider
 * host, the Deployment, the interrupt signals, the program or the operation's own steps, and the result. What
 * differs between operations is asked of their {@link OperationKind}.
 */
import { Deployment } from "./deployment";
import type { EngineEvent, RunResult, StackRunOptions } from "./events";
import { startProviderHost, type ProviderHost } from "./host-client";
import { acquireLock } from "./lock";
import type { OperationKind } from "./operations";
import { defaultParallelism, normalizeParallel } from "./parallelism";
import { runProgram } from "./program/run-program";
import { readProject, readProjectName, resolvePulumiSdk } from "./project";
import { readResource } from "./read-step";
import { failedBeforeStart, pendingOperationsWarning, runResult } from "./run-result";
import { passphraseFromEnv, type SecretBox } from "./secrets";
import { openSecrets, resolveConfig, type ResolvedConfig } from "./stack-config";
import { loadState, storableConfig, type StackState } from "./state";
import type { Props } from "./wire";

/** Default stack name. */
export const DEFAULT_STACK = "dev";

/** What a run settles before it starts anything. */
interface Setup {
  project: string;
  stack: string;
  state: StackState;
  runsProgram: boolean;
  parallel: number;
  secrets: SecretBox | undefined;
  config: ResolvedConfig;
  /** Releases the stack's lock (a no-op for a preview, which takes none: backend/diy). */
  unlock: () => void;
  continueOnError: boolean;
}

function envFlag(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes)$/i.test(value.trim());
}

function refusedOption(kind: OperationKind, o: StackRunOptions): string | undefined {
  if (o.runProgram && kind.program === "always") return "runProgram is an option of destroy and refresh";
  if (o.clearPendingCreates && !kind.clearsPendingCreates)
    return "clearPendingCreates is an option of refresh";
  return undefined;
}

function prepare(kind: OperationKind, o: StackRunOptions): Setup | { error: string; state: StackState } {
  const project = o.projectName ?? readProjectName(o.programDir);
  const stack = o.stackName ?? DEFAULT_STACK;
  // What the CLI's own environment would be: the harness's settings come from it, as the CLI's do.
  const cliEnv: NodeJS.ProcessEnv = { ...process.env, ...o.env };
  const state = loadState(o.stackFile, project, stack);
  const refused = refusedOption(kind, o);
  if (refused) return { error: refused, state };
  const runsProgram = kind.program === "always" || (o.runProgram ?? envFlag(cliEnv.PULUMI_RUN_PROGRAM));
  try {
    const parallel = o.parallel === undefined ? defaultParallelism(cliEnv) : normalizeParallel(o.parallel);
    const passphrase = o.passphrase ?? passphraseFromEnv(cliEnv);
    const secrets = openSecrets(state, passphrase);
    const config = resolveConfig(o, state, { project, stack, op: kind.name, passphrase, runsProgram });
    const unlock = kind.preview ? () => {} : acquireLock(o.stackFile);
    const continueOnError =
      (kind.continuesWithoutProgram && !runsProgram) ||
      (o.continueOnError ?? envFlag(cliEnv.PULUMI_CONTINUE_ON_ERROR));
    return { project, stack, state, runsProgram, parallel, secrets, config, unlock, continueOnError };
  } catch (err) {
    return { error: (err as Error).message, state };
  }
}

/** Runs `kind` with the options `o`. */
export async function runOperation(kind: OperationKind, o: StackRunOptions): Promise<RunResult> {
  const setup = prepare(kind, o);
  if ("error" in setup) return failedBeforeStart(setup.error, setup.state);
  return new OperationRun(kind, o, setup).run();
}

/** One run of an operation, from the provider host's start to the result. */
class OperationRun {
  private readonly diagnostics: string[] = [];
  private readonly programOutput: string[] = [];
  private readonly fatal: string[] = [];
  private programErrors: string[] = [];
  private programOutputs: Props | undefined;
  private interrupted = false;
  private host: ProviderHost | undefined;
  private readonly hostReady: Promise<ProviderHost>;
  private readonly d: Deployment;
  private readonly stopProgram = new AbortController();

  constructor(
    private readonly kind: OperationKind,
    private readonly o: StackRunOptions,
    private readonly setup: Setup,
  ) {
    this.hostReady = this.startHost();
    this.hostReady.catch(() => undefined); // awaited below; steps waiting on it fail with the same error
    this.d = this.newDeployment();
  }

  private emit(e: EngineEvent): void {
    this.o.onEvent?.(e);
  }

  private async startHost(): Promise<ProviderHost> {
    const { o, setup } = this;
    const host = await startProviderHost({
      cwd: o.programDir,
      env: o.env,
      project: setup.project,
      stack: setup.stack,
      callDeadlineMs: o.callDeadlineMs,
      onLine: (stream, line) => {
        this.diagnostics.push(line);
        this.emit({ kind: "diagnostic", source: "host", stream, line });
      },
      onEngineLog: (record) => this.emit({ kind: "engine-log", record }),
    });
    this.host = host;
    this.emit({ kind: "host-started", pid: host.pid, engineAddress: host.engineAddress });
    await host.configure(setup.config.config, setup.config.secretKeys);
    return host;
  }

  private newDeployment(): Deployment {
    const { kind, o, setup } = this;
    const previous = setup.state.pendingOperations ?? [];
    const d = new Deployment({
      state: setup.state,
      preview: kind.preview,
      project: setup.project,
      stack: setup.stack,
      parallel: setup.parallel,
      host: this.hostReady,
      emit: (e) => this.emit(e),
      longCallDeadlineMs: o.longCallDeadlineMs,
      stackFile: o.stackFile,
      checkpointIntervalMs: o.checkpointIntervalMs,
      continueOnError: setup.continueOnError,
      secrets: setup.secrets,
      // snapshot.go: only pending CREATEs outlive the next run; refresh --clear-pending-creates drops them too.
      carriedPending: o.clearPendingCreates ? [] : previous.filter((p) => p.type === "creating"),
    });
    for (const w of setup.config.warnings) d.warn(w);
    if (kind.warnsPending && previous.length > 0) d.warn(pendingOperationsWarning(previous));
    return d;
  }

  /** Listens to the cancel and terminate signals; returns the function that stops listening. */
  private listen(): () => void {
    const onCancel = () => {
      this.interrupted = true;
      this.d.scheduler.cancel("interrupt");
    };
    const onTerminate = () => {
      this.interrupted = true;
      void this.d.terminate().then(() => {
        this.stopProgram.abort();
        void this.host?.close();
      });
    };
    const on = (signal: AbortSignal | undefined, fn: () => void) => {
      if (!signal) return;
      if (signal.aborted) fn();
      else signal.addEventListener("abort", fn, { once: true });
    };
    on(this.o.cancelSignal, onCancel);
    on(this.o.terminateSignal, onTerminate);
    return () => {
      this.o.cancelSignal?.removeEventListener("abort", onCancel);
      this.o.terminateSignal?.removeEventListener("abort", onTerminate);
    };
  }

  async run(): Promise<RunResult> {
    const stopListening = this.listen();
    try {
      if (this.setup.runsProgram) await this.withProgram();
      else {
        await this.hostReady;
        await this.kind.withoutProgram(this.d);
      }
    } catch (err) {
      if (!this.d.terminated) this.fatal.push((err as Error).message);
    } finally {
      stopListening();
      await this.d.finish().catch((err: Error) => this.fatal.push(err.message));
      await this.host?.close();
      this.setup.unlock();
    }
    return runResult({
      kind: this.kind,
      d: this.d,
      before: this.setup.state,
      diagnostics: this.diagnostics,
      programOutput: this.programOutput,
      fatal: this.fatal,
      programErrors: this.programErrors,
      programOutputs: this.programOutputs,
      interrupted: this.interrupted,
      engineLogs: this.host?.engineLogs ?? [],
    });
  }

  private async withProgram(): Promise<void> {
    const { kind, o, setup, d } = this;
    const { config } = setup;
    d.setStackFields({ providerConfig: storableConfig(config.config, config.secretKeys, config.passphrase) });
    const program = readProject(o.programDir);
    const result = await runProgram({
      entry: program.entry,
      programDir: program.dir,
      sdkDir: resolvePulumiSdk(program.dir),
      project: setup.project,
      stack: setup.stack,
      preview: kind.preview,
      config: config.config,
      secretKeys: config.secretKeys,
      env: o.env,
      abort: this.stopProgram.signal,
      onRegister: (reg) => kind.register(d, reg),
      onRead: (reg) => readResource(d, reg),
      onLine: (stream, line) => {
        this.programOutput.push(line);
        this.emit({ kind: "diagnostic", source: "program", stream, line });
      },
    });
    this.programErrors = result.errors;
    this.programOutputs = result.outputs;
    await this.hostReady;
    // Only a program that ran to the end, with every step done, proves which resources are gone.
    if (result.errors.length === 0 && d.errors.length === 0 && !d.scheduler.cancelReason) {
      await kind.afterProgram(d, result.outputs);
    }
  }
}
