/**
 * The state of one running operation: the working set of resources, the provider host, step bookkeeping,
 * parallelism and checkpoints. The step files (register-step, delete-steps, refresh-steps) act through it.
 */
import { Checkpointer } from "./checkpoint";
import { ResourceInitError } from "./errors";
import type { EngineEvent, StepOp, StepResult } from "./events";
import type { LongCallOptions, ProviderHost } from "./host-client";
import { Semaphore } from "./semaphore";
import { Turnstile } from "./turnstile";
import type { ResourceState, StackState } from "./state";
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
}

/** Steps started per turn of the event loop (see Turnstile). */
const STEPS_PER_TURN = 16;

/** One operation in progress. */
export class Deployment {
  readonly steps: StepResult[] = [];
  readonly errors: string[] = [];
  readonly preview: boolean;
  readonly project: string;
  readonly stack: string;
  readonly state: StackState;
  private entries: ResourceState[];
  private readonly registered: string[] = [];
  private readonly registeredSet = new Set<string>();
  private readonly semaphore: Semaphore;
  private readonly turnstile = new Turnstile(STEPS_PER_TURN);
  private readonly checkpointer: Checkpointer | undefined;

  constructor(private readonly o: DeploymentOptions) {
    this.preview = o.preview;
    this.project = o.project;
    this.stack = o.stack;
    this.state = o.state;
    this.entries = [...o.state.resources];
    this.semaphore = new Semaphore(o.parallel);
    if (o.stackFile && !o.preview) {
      this.checkpointer = new Checkpointer(
        o.stackFile,
        () => this.snapshot(),
        o.checkpointIntervalMs,
        (s, writes) =>
          o.emit({ kind: "checkpoint", file: o.stackFile!, resources: s.resources.length, writes }),
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

  /** Runs `fn` within the parallelism limit, starting at most a few steps per turn of the event loop. */
  async limit<T>(fn: () => Promise<T>): Promise<T> {
    await this.turnstile.pass();
    return this.semaphore.run(fn);
  }

  emit(e: EngineEvent): void {
    this.o.emit(e);
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
    if (this.preview) return;
    const i = old ? this.entries.indexOf(old) : -1;
    if (i >= 0) this.entries[i] = next;
    else this.entries.push(next);
    this.checkpointer?.markDirty();
  }

  /** Removes an entry; a no-op in a preview. */
  remove(entry: ResourceState): void {
    if (this.preview) return;
    this.entries = this.entries.filter((e) => e !== entry);
    this.checkpointer?.markDirty();
  }

  /** Replaces the stack outputs and the stored provider config. */
  setStackFields(fields: Partial<Pick<StackState, "outputs" | "providerConfig">>): void {
    if (this.preview) return;
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
      const message = err instanceof Error ? err.message : String(err);
      result = { op, urn, type, name, ok: false, error: message, durationMs: Date.now() - started };
      if (err instanceof ResourceInitError) Object.assign(result, { partial: true, id: err.id });
      if (this.preview) result.preview = true;
      this.fail(result);
      throw err;
    }
    if (this.preview) result.preview = true;
    this.steps.push(result);
    this.emit({ kind: "step-done", step: result });
    return result;
  }

  /** Records a failed step result that did not come from {@link step}. */
  fail(result: StepResult): void {
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
   * The state as it stands: resources the program registered come first in registration order (a
   * pending-delete copy just before its replacement), which is a dependency order, then the rest as they were.
   */
  snapshot(): StackState {
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
    return {
      ...this.state,
      resources: structuredClone(resources),
      outputs: structuredClone(this.state.outputs),
    };
  }

  /** Writes the final checkpoint. */
  async finish(): Promise<void> {
    if (!this.checkpointer) return;
    this.checkpointer.markDirty();
    await this.checkpointer.flush();
  }

  /** How many times the state file was written. */
  get checkpointWrites(): number {
    return this.checkpointer?.writes ?? 0;
  }
}
