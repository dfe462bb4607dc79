import type { Clock } from "../../core/clock";

/**
 * A clock whose time only moves when someone sleeps on it: `sleep(ms)` advances `now()` to the wake-up time of
 * the earliest sleeper and resolves it. Concurrent sleepers wake in deadline order, so a 30-minute poll loop
 * runs in milliseconds and deterministically.
 */
export class FakeClock implements Clock {
  private current: number;
  private sleepers: { wakeAt: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  private scheduled = false;
  /** Every sleep duration requested, in call order. */
  readonly sleeps: number[] = [];

  constructor(start = Date.UTC(2026, 10, 24, 0, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    this.sleeps.push(ms);
    return new Promise((resolve) => {
      this.sleepers.push({ wakeAt: this.current + Math.max(0, ms), seq: this.seq++, resolve });
      this.schedule();
    });
  }

  /** Moves time forward by hand (for code that reads `now()` without sleeping). */
  advance(ms: number): void {
    this.current += ms;
  }

  /** Whether time must stand still for now; a subclass that holds it calls `schedule()` once it lets go. */
  protected holdsTime(): boolean {
    return false;
  }

  // Wake the earliest sleeper only after pending I/O and microtasks have run, so work that other sleepers
  // would do "at the same time" gets a chance to register its own sleep first.
  protected schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.holdsTime() || this.sleepers.length === 0) return;
      this.sleepers.sort((a, b) => a.wakeAt - b.wakeAt || a.seq - b.seq);
      const next = this.sleepers.shift()!;
      this.current = Math.max(this.current, next.wakeAt);
      next.resolve();
      if (this.sleepers.length > 0) this.schedule();
    });
  }
}
