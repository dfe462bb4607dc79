/**
 * The state of one running operation: the working set of resources, the provider host, step bookkeeping,
 * parallelism and checkpoints. The step files (register-step, delete-steps, refresh-steps) act through it.
 */
import { Checkpointer } from "./checkpoint";
import { ResourceInitError } from "./errors";
import type { EngineEvent, StepOp, StepResult } from "./events";
import type { LongCallOptions, ProviderHost } from "./host-client";
import type { SecretBox } from "./secrets";
import { Semaphore } from "./semaphore";
import { Turnstile } from "./turnstile";
import {
  sealResource,
  sealState,
  type PendingOperation,
  type PendingOperationType,
  type ResourceState,
  type StackState,
} from "./state";
import { parseUrn } from "./urn";

/** Why a step did not start: the deployment was cancelled (an earlier failure, or an interrupt). */
export class CancelledError extends Error {
  constructor() {
    super("the deployment was cancelled before this step started");
    this.name = "CancelledError";
  }
}

/** Pulumi's own `protect` refusal of a delete: always continued past (step_executor.go deleteProtectedError). */
export class ProtectedError extends Error {
  constructor(readonly urn: string) {
    super(
      `cannot delete ${urn}: it is protected; remove \`protect\` from the program and run up, then try again`,
    );
    this.name = "ProtectedError";
  }
}

/** A step that was still running when the run was terminated. */
export class TerminatedError extends Error {
  constructor() {
    super("the run was terminated while this step was running");
    this.name = "TerminatedError";
  }
}

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

const CLOSE_LIST = Buffer.from("]");
const CLOSE_OBJECT = Buffer.from("}");

/** Steps started per turn of the event loop (see Turnstile). */
const STEPS_PER_TURN = 16;

/** One operation in progress. */
export class Deployment {
  readonly steps: StepResult[] = [];
  readonly errors: string[] = [];
  readonly warnings: string[] = [];
  readonly preview: boolean;
  readonly project: string;
  readonly stack: string;
  readonly state: StackState;
  private entries: ResourceState[];
  private readonly registered: string[] = [];
  private readonly registeredSet = new Set<string>();
  private readonly semaphore: Semaphore;
  /** The step generator: one registration's Check and Diff at a time. */
  private readonly generator = new Semaphore(1);
  private readonly turnstile = new Turnstile(STEPS_PER_TURN);
  private readonly checkpointer: Checkpointer | undefined;
  /** Operations in flight (started, not finished). */
  private readonly inFlight = new Set<PendingOperation>();
  private readonly carried: PendingOperation[];
  /** New URN -> the old URN it took over through an alias. */
  private readonly aliased = new Map<string, string>();
  private cancelled: "error" | "interrupt" | undefined;
  private terminatedAt: PendingOperation[] | undefined;
  private frozenState: StackState | undefined;
  private terminateWaiters: (() => void)[] = [];
  /** The last checkpoint of a terminated run, being written. */
  private terminating: Promise<void> | undefined;
  /**
   * The written bytes of each entry and pending operation, made once per object. Entries and operations are
   * replaced, never changed, so a checkpoint of a large stack concatenates bytes instead of copying, encrypting
   * and encoding every resource again, which kept the harness's one thread busy when each of 1000 steps asked for
   * one.
   */
  private readonly texts = new WeakMap<ResourceState | PendingOperation, Buffer>();
  private checkpointResources = 0;

  constructor(private readonly o: DeploymentOptions) {
    this.carried = [...(o.carriedPending ?? [])];
    this.preview = o.preview;
    this.project = o.project;
    this.stack = o.stack;
    this.state = o.state;
    this.entries = [...o.state.resources];
    this.semaphore = new Semaphore(o.parallel);
    if (o.stackFile && !o.preview) {
      this.checkpointer = new Checkpointer(
        o.stackFile,
        () => this.checkpointText(),
        o.checkpointIntervalMs,
        (writes) =>
          o.emit({ kind: "checkpoint", file: o.stackFile!, resources: this.checkpointResources, writes }),
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

  /**
   * Runs `fn` within the parallelism limit, starting at most a few steps per turn of the event loop. Once the
   * deployment is cancelled, a step that has not started yet never starts ({@link CancelledError}).
   */
  async limit<T>(fn: () => Promise<T>): Promise<T> {
    if (this.cancelled) throw new CancelledError();
    await this.turnstile.pass();
    return this.semaphore.run(async () => {
      if (this.cancelled) throw new CancelledError();
      return fn();
    });
  }

  /**
   * Handles one registration as the engine's deployment executor does. `generate` (Check, Diff and the choice of
   * step) runs for one registration at a time, in the order they arrived: the executor handles the program's
   * events in one loop, and the step generator calls the provider inline (step_generator.go runs Diff
   * concurrently only under PULUMI_PARALLEL_DIFF). The next registration is generated once this one's step holds
   * a parallelism slot, since the step executor takes work through an unbuffered channel; the step it returns then
   * runs in that slot. Once the deployment is cancelled, a registration not yet generated never is.
   */
  async generateStep<T>(generate: () => Promise<() => Promise<T>>): Promise<T> {
    if (this.cancelled) throw new CancelledError();
    const releaseGenerator = await this.generator.acquire();
    let execute: () => Promise<T>;
    let releaseSlot: () => void;
    try {
      if (this.cancelled) throw new CancelledError();
      execute = await generate();
      releaseSlot = await this.semaphore.acquire();
    } finally {
      releaseGenerator();
    }
    try {
      if (this.cancelled) throw new CancelledError();
      return await execute();
    } finally {
      releaseSlot();
    }
  }

  /** Stops new steps from starting; running steps finish. The first reason sticks. */
  cancel(reason: "error" | "interrupt"): void {
    this.cancelled ??= reason;
  }

  /** Why the deployment was cancelled, if it was. */
  get cancelReason(): "error" | "interrupt" | undefined {
    return this.cancelled;
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
    this.cancel("interrupt");
    this.terminatedAt = [...this.inFlight];
    this.frozenState = this.snapshot();
    for (const wake of this.terminateWaiters.splice(0)) wake();
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
    if (this.preview || !this.checkpointer) return this.unlessTerminated(fn());
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
      return await this.unlessTerminated(fn());
    } finally {
      if (!this.terminated) {
        this.inFlight.delete(op);
        this.checkpointer.markDirty();
      }
    }
  }

  private unlessTerminated<T>(work: Promise<T>): Promise<T> {
    if (this.terminated) return Promise.reject(new TerminatedError());
    return Promise.race([
      work,
      new Promise<never>((_, reject) => this.terminateWaiters.push(() => reject(new TerminatedError()))),
    ]);
  }

  /** Records that `urn` took over the resource stored as `oldUrn` (an alias). */
  alias(urn: string, oldUrn: string): void {
    this.aliased.set(urn, oldUrn);
  }

  /** The old URN `urn` took over through an alias, if any. */
  aliasOf(urn: string): string | undefined {
    return this.aliased.get(urn);
  }

  emit(e: EngineEvent): void {
    this.o.emit(e);
  }

  /** Records and emits a warning, as the engine's diagnostics do. */
  warn(message: string): void {
    this.warnings.push(message);
    this.emit({ kind: "warning", message });
  }

  /** Records that the program registered `urn` in this run. Throws on a duplicate. */
  claim(urn: string): void {
    if (this.registeredSet.has(urn)) {
      throw new Error(
        `duplicate resource URN ${urn}: give each resource a unique name within its parent and type`,
      );
    }
    this.registeredSet.add(urn);
    this.registered.push(urn);
  }

  /** True when the program registered `urn` in this run. */
  isRegistered(urn: string): boolean {
    return this.registeredSet.has(urn);
  }

  /** The live (not pending-delete) entry for `urn`. */
  current(urn: string): ResourceState | undefined {
    return this.entries.find((e) => e.urn === urn && e.status !== "pending-delete");
  }

  /** Every entry, in working order. */
  all(): ResourceState[] {
    return [...this.entries];
  }

  /** Replaces `old` with `next` (or adds `next`); a no-op in a preview. */
  put(next: ResourceState, old?: ResourceState): void {
    if (this.preview || this.terminated) return;
    const i = old ? this.entries.indexOf(old) : -1;
    if (i >= 0) this.entries[i] = next;
    else this.entries.push(next);
    this.checkpointer?.markDirty();
  }

  /** Removes an entry; a no-op in a preview. */
  remove(entry: ResourceState): void {
    if (this.preview || this.terminated) return;
    this.entries = this.entries.filter((e) => e !== entry);
    this.checkpointer?.markDirty();
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
      if (!(err instanceof ProtectedError) && !this.o.continueOnError) this.cancel("error");
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
    if (bail) this.cancel("error");
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

  /**
   * The entries in the order they are written: resources the program registered come first in registration
   * order (a pending-delete copy just before its replacement), which is a dependency order, then the rest as
   * they were.
   */
  private ordered(): ResourceState[] {
    const byUrn = new Map<string, ResourceState[]>();
    for (const e of this.entries) byUrn.set(e.urn, [...(byUrn.get(e.urn) ?? []), e]);
    const placed = new Set<ResourceState>();
    const resources: ResourceState[] = [];
    for (const urn of this.registered) {
      const same = [...(byUrn.get(urn) ?? [])];
      same.sort((a, b) => Number(b.status === "pending-delete") - Number(a.status === "pending-delete"));
      for (const e of same) {
        resources.push(e);
        placed.add(e);
      }
    }
    for (const e of this.entries) if (!placed.has(e)) resources.push(e);
    return resources;
  }

  /** The state as it stands (a copy), in {@link ordered} order. */
  snapshot(): StackState {
    if (this.frozenState) return structuredClone(this.frozenState);
    const renamed = (u: string) => this.renamedTo.get(u) ?? u;
    const out: StackState = {
      ...this.state,
      resources: structuredClone(this.ordered()).map((r) => {
        // Like the snapshot manager, point references to an aliased resource at its new URN.
        if (this.renamedTo.size === 0) return r;
        r.dependencies = r.dependencies.map(renamed);
        if (r.parent) r.parent = renamed(r.parent);
        return r;
      }),
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
    const box = this.o.secrets;
    if (this.frozenState || this.aliased.size > 0) {
      const state = this.snapshot();
      this.checkpointResources = state.resources.length;
      return [Buffer.from(JSON.stringify(box ? sealState(state, box) : state))];
    }
    const bytes = (x: ResourceState | PendingOperation): Buffer => {
      let b = this.texts.get(x);
      if (b === undefined) {
        const value =
          "urn" in x
            ? box
              ? sealResource(x, box)
              : x
            : { ...x, resource: box ? sealResource(x.resource, box) : x.resource };
        // With the comma that separates it from the one before; the first of a list goes without.
        b = Buffer.from(`,${JSON.stringify(value)}`);
        this.texts.set(x, b);
      }
      return b;
    };
    const list = (name: string, items: (ResourceState | PendingOperation)[]): Buffer[] => {
      const parts = items.map(bytes);
      if (parts.length > 0) parts[0] = parts[0].subarray(1);
      return [Buffer.from(`,"${name}":[`), ...parts, CLOSE_LIST];
    };
    const resources = this.ordered();
    this.checkpointResources = resources.length;
    // The other fields first (never empty: `version` is one), then the resources and pending operations.
    const fields: Partial<StackState> = { ...this.state, resources: [] };
    delete fields.pendingOperations;
    if (box) fields.outputs = sealState(fields as StackState, box).outputs;
    delete fields.resources;
    const pending = [...this.carried, ...this.inFlight];
    return [
      Buffer.from(JSON.stringify(fields).slice(0, -1)),
      ...list("resources", resources),
      ...(pending.length > 0 ? list("pendingOperations", pending) : []),
      CLOSE_OBJECT,
    ];
  }

  private get renamedTo(): Map<string, string> {
    return new Map([...this.aliased].map(([urn, old]) => [old, urn]));
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
