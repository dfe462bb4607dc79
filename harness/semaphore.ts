/**
 * A counting semaphore: the harness's `--parallel`, and (with one slot) the engine's one-at-a-time step generator.
 */

/** Limits how many holders run at once. `Infinity` means no limit (the CLI's default). */
export class Semaphore {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new Error(`parallel must be at least 1, got ${limit}`);
  }

  /** Resolves with the release of a slot once one is free; waiters are served in the order they asked. */
  async acquire(): Promise<() => void> {
    // A released slot is handed straight to the next waiter, so a newcomer cannot overtake it.
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.queue.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      if (next) next();
      else this.active--;
    };
  }

  /** Runs `fn` once a slot is free. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
