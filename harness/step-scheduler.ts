/**
 * When steps run: within the parallelism limit, a few per turn of the event loop, one registration's step
 * generation at a time, and not at all once the run is cancelled; a terminated run stops waiting for the steps
 * in flight.
 */
import { CancelledError, TerminatedError } from "./errors";
import { Semaphore } from "./semaphore";
import { Turnstile } from "./turnstile";

/** Steps started per turn of the event loop (see Turnstile). */
const STEPS_PER_TURN = 16;

/** Why a run was cancelled: an earlier failure, or an interrupt. */
export type CancelReason = "error" | "interrupt";

/** The step scheduling of one run. */
export class StepScheduler {
  private readonly semaphore: Semaphore;
  /** The step generator: one registration's Check and Diff at a time. */
  private readonly generator = new Semaphore(1);
  private readonly turnstile = new Turnstile(STEPS_PER_TURN);
  private cancelled: CancelReason | undefined;
  private isTerminated = false;
  private terminateWaiters: (() => void)[] = [];

  constructor(parallel: number) {
    this.semaphore = new Semaphore(parallel);
  }

  /**
   * Runs `fn` within the parallelism limit, starting at most a few steps per turn of the event loop. Once the
   * run is cancelled, a step that has not started yet never starts ({@link CancelledError}).
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
   * runs in that slot. Once the run is cancelled, a registration not yet generated never is.
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
  cancel(reason: CancelReason): void {
    this.cancelled ??= reason;
  }

  /** Why the run was cancelled, if it was. */
  get cancelReason(): CancelReason | undefined {
    return this.cancelled;
  }

  /** True once {@link terminate} ran. */
  get terminated(): boolean {
    return this.isTerminated;
  }

  /** Cancels, and makes every step waiting in {@link unlessTerminated} give up. */
  terminate(): void {
    this.cancel("interrupt");
    this.isTerminated = true;
    for (const wake of this.terminateWaiters.splice(0)) wake();
  }

  /** `work`, or a {@link TerminatedError} as soon as the run is terminated. */
  unlessTerminated<T>(work: Promise<T>): Promise<T> {
    if (this.isTerminated) return Promise.reject(new TerminatedError());
    return Promise.race([
      work,
      new Promise<never>((_, reject) => this.terminateWaiters.push(() => reject(new TerminatedError()))),
    ]);
  }
}
