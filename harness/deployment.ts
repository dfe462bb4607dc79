/**
 * The state of one running operation: the working set of resources (resource-store.ts), the step scheduling
 * (step-scheduler.ts), the provider host, step bookkeeping and checkpoints (checkpoint-text.ts encodes them). The
 * step files (register-step, delete-steps, refresh-steps) act through it.
 */
import { Checkpointer } from "./checkpoint";
import { CheckpointEncoder } from "./checkpoint-text";
import { CancelledError, ProtectedError, ResourceInitError, TerminatedError } from "./errors";
import type { EngineEvent, StepOp, StepResult } from "./events";
import type { LongCallOptions, ProviderHost } from "./host-client";
import { ResourceStore } from "./resource-store";
import type { SecretBox } from "./secrets";
import type { PendingOperation, PendingOperationType, ResourceState, StackState } from "./state";
import { StepScheduler } from "./step-scheduler";
import { parseUrn } from "./urn";

/** What a Deployment needs. */
export interface DeploymentOptions {
  state: StackState;
  preview: boolean;
  project: string;
  stack: string;
  parallel: number;
  /** Resolves to a configured host; steps wait for it. */
  host: Promise<ProviderHost>;
  emit: (e: EngineEvent) => void;
  longCallDeadlineMs?: number;
  /** Absent for a preview: nothing is written. */
  stackFile?: string;
  checkpointIntervalMs?: number;
  /** Record a failed step and carry on with independent steps (--continue-on-error). */
  continueOnError?: boolean;
  /** Pending operations of the previous run to carry into this run's checkpoints. */
  carriedPending?: PendingOperation[];
  /** Encrypts secret values in what is written; without it they are written as they are. */
  secrets?: SecretBox;
}

/** One operation in progress. */
export class Deployment {
  readonly steps: StepResult[] = [];
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  readonly preview: boolean;
  readonly project: string;
  readonly stack: string;
  readonly state: StackState;
  readonly resources: ResourceStore;
  readonly scheduler: StepScheduler;
  private readonly checkpointer: Checkpointer | undefined;
  private readonly encoder: CheckpointEncoder;
  /** Operations in flight (started, not finished). */
  private readonly inFlight = new Set<PendingOperation>();
  private readonly carried: PendingOperation[];
  private terminatedAt: PendingOperation[] | undefined;
  private frozenState: StackState | undefined;
  /** The last checkpoint of a terminated run, being written. */
  private terminating: Promise<void> | undefined;

  constructor(private readonly o: DeploymentOptions) {
    this.carried = [...(o.carriedPending ?? [])];
    this.preview = o.preview;
    this.project = o.project;
    this.stack = o.stack;
    this.state = o.state;
    this.scheduler = new StepScheduler(o.parallel);
    this.encoder = new CheckpointEncoder(o.secrets);
    this.resources = new ResourceStore(
      o.state.resources,
      () => !this.preview && !this.terminated,
      () => this.checkpointer?.markDirty(),
    );
    if (o.stackFile && !o.preview) {
      const file = o.stackFile;
      this.checkpointer = new Checkpointer(
        file,
        () => this.checkpointText(),
        o.checkpointIntervalMs,
        (writes) => o.emit({ kind: "checkpoint", file, resources: this.encoder.resources, writes }),
      );
    }
  }

  /** The configured provider host. */
  host(): Promise<ProviderHost> {
    return this.o.host;
  }

  /** Options for Create/Update/Delete with the resource's customTimeouts. */
  longCall(timeoutSeconds?: number, preview = false): LongCallOptions {
    return { timeoutSeconds, preview, deadlineMs: this.o.longCallDeadlineMs };
  }

  /** True once {@link terminate} ran. */
  get terminated(): boolean {
    return this.terminatedAt !== undefined;
  }

  /** The operations that were in flight when the run was terminated. */
  get stillRunning(): PendingOperation[] {
    return this.terminatedAt ?? [];
  }

  /**
   * Ends the run now, as a second interrupt of the CLI does: the operations in flight stay pending in a last
   * checkpoint, nothing is recorded after it, and every step waiting on the provider gives up.
   */
  terminate(): Promise<void> {
    if (this.terminating) return this.terminating;
    this.terminatedAt = [...this.inFlight];
    this.frozenState = this.snapshot();
    this.scheduler.terminate();
    const checkpointer = this.checkpointer;
    this.terminating = checkpointer
      ? checkpointer
          .persist()
          .catch(() => undefined)
          .then(() => checkpointer.freeze())
      : Promise.resolve();
    return this.terminating;
  }

  /**
   * Runs a provider call as a pending operation: recorded in a checkpoint before `fn` starts (a crash or kill
   * while it runs leaves it in the state file) and cleared when it ends. A terminated run stops waiting for it.
   */
  async operation<T>(type: PendingOperationType, resource: ResourceState, fn: () => Promise<T>): Promise<T> {
    if (this.preview || !this.checkpointer) return this.scheduler.unlessTerminated(fn());
    const op: PendingOperation = { type, resource: structuredClone(resource) };
    this.inFlight.add(op);
    try {
      await this.checkpointer.persist();
    } catch (err) {
      this.inFlight.delete(op);
      throw this.terminated ? new TerminatedError() : err;
    }
    if (this.terminated) throw new TerminatedError();
    try {
      return await this.scheduler.unlessTerminated(fn());
    } finally {
      if (!this.terminated) {
        this.inFlight.delete(op);
        this.checkpointer.markDirty();
      }
    }
  }

  emit(e: EngineEvent): void {
    this.o.emit(e);
  }

  /** Records and emits a warning, as the engine's diagnostics do. */
  warn(message: string): void {
    this.warnings.push(message);
    this.emit({ kind: "warning", message });
  }

  /** Replaces the stack outputs and the stored provider config. */
  setStackFields(fields: Partial<Pick<StackState, "outputs" | "providerConfig">>): void {
    if (this.preview || this.terminated) return;
    Object.assign(this.state, fields);
    this.checkpointer?.markDirty();
  }

  /**
   * Runs one step: emits step-start/step-done, times it and records the result. `fn` returns the fields to add
   * (or throws, which records a failure and rethrows).
   */
  async step(
    op: StepOp,
    urn: string,
    fn: () => Promise<Partial<StepResult>>,
    announce = true,
  ): Promise<StepResult> {
    const { type, name } = parseUrn(urn);
    const started = Date.now();
    if (announce) this.emit({ kind: "step-start", op, urn, type, name });
    let result: StepResult;
    try {
      const extra = await fn();
      result = { op, urn, type, name, ok: true, ...extra, durationMs: Date.now() - started };
    } catch (err) {
      if (this.terminated || err instanceof CancelledError) throw err;
      const message = err instanceof Error ? err.message : String(err);
      result = { op, urn, type, name, ok: false, error: message, durationMs: Date.now() - started };
      if (err instanceof ResourceInitError) Object.assign(result, { partial: true, id: err.id });
      if (this.preview) result.preview = true;
      this.record(result);
      // step_executor.go cancelDueToError: protect refusals are always continued past.
      if (!(err instanceof ProtectedError) && !this.o.continueOnError) this.scheduler.cancel("error");
      throw err;
    }
    if (this.preview) result.preview = true;
    this.steps.push(result);
    this.emit({ kind: "step-done", step: result });
    return result;
  }

  /**
   * Records a failure of the step generator (Check failures, a Diff error, a refused replacement): it stops the
   * deployment whatever --continue-on-error says (deployment_executor.go bails on step generation errors), unless
   * `bail` is false.
   */
  fail(result: StepResult, bail = true): void {
    if (this.terminated) return;
    this.record(result);
    if (bail) this.scheduler.cancel("error");
  }

  private record(result: StepResult): void {
    this.steps.push(result);
    this.errors.push(`${result.urn}: ${result.error}`);
    this.emit({ kind: "step-done", step: result });
  }

  /** Emits a plan line for a decided step. */
  plan(op: StepOp, urn: string, extra: { replaces?: string[]; deleteBeforeReplace?: boolean } = {}): void {
    const { type, name } = parseUrn(urn);
    this.emit({ kind: "plan", op, urn, type, name, ...extra });
  }

  /** The state as it stands (a copy), resources in {@link ResourceStore.ordered} order. */
  snapshot(): StackState {
    if (this.frozenState) return structuredClone(this.frozenState);
    const out: StackState = {
      ...this.state,
      resources: this.resources.snapshot(),
      outputs: structuredClone(this.state.outputs),
    };
    // snapshot.go: pending CREATEs of earlier runs stay until cleared; this run's in-flight operations are added.
    const pending = [...this.carried, ...[...this.inFlight].map((op) => structuredClone(op))];
    if (pending.length > 0) out.pendingOperations = pending;
    else delete out.pendingOperations;
    return out;
  }

  /** The state file's content, in pieces: {@link snapshot} as JSON, secrets encrypted. */
  private checkpointText(): Buffer[] {
    if (this.frozenState || this.resources.hasAliases) return this.encoder.whole(this.snapshot());
    return this.encoder.pieces(this.state, this.resources.ordered(), [...this.carried, ...this.inFlight]);
  }

  /** Writes the final checkpoint. */
  async finish(): Promise<void> {
    // The steps of a terminated run give up at once, so the run may end while its last checkpoint is still
    // being written; it must not hand the state file (and its lock) on before that write is done.
    if (this.terminating) return this.terminating;
    if (!this.checkpointer) return;
    this.checkpointer.markDirty();
    await this.checkpointer.flush();
  }

  /** How many times the state file was written. */
  get checkpointWrites(): number {
    return this.checkpointer?.writes ?? 0;
  }
}
