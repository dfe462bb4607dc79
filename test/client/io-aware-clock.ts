import type { Clock } from "../../provider/clock";
import type { Transport } from "../../provider/client/transport";

/**
 * A fake clock for tests that mix fake time with real HTTP: time stands still while any tracked request is in
 * flight and only jumps to the next sleeper's deadline when the system is idle. Shared by the client and the
 * emulator, every request reaches the emulator at exactly the fake time its rate-limiter token was granted,
 * so rate tests are deterministic and a minute of fake time passes in the milliseconds the requests take.
 */
export class IoAwareClock implements Clock {
  private current: number;
  private sleepers: { wakeAt: number; seq: number; resolve: () => void }[] = [];
  private seq = 0;
  private inFlight = 0;
  private scheduled = false;

  constructor(start = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepers.push({ wakeAt: this.current + Math.max(0, ms), seq: this.seq++, resolve });
      this.schedule();
    });
  }

  /** Holds time still until `work` settles. */
  track<T>(work: Promise<T>): Promise<T> {
    this.inFlight += 1;
    return work.finally(() => {
      this.inFlight -= 1;
      this.schedule();
    });
  }

  /** A transport whose calls hold time still while they are in flight. */
  trackTransport(inner: Transport): Transport {
    return {
      endpointHost: inner.endpointHost,
      call: (action, query) => this.track(inner.call(action, query)),
    };
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.inFlight > 0 || this.sleepers.length === 0) return;
      this.sleepers.sort((a, b) => a.wakeAt - b.wakeAt || a.seq - b.seq);
      const next = this.sleepers.shift()!;
      this.current = Math.max(this.current, next.wakeAt);
      next.resolve();
      if (this.sleepers.length > 0) this.schedule();
    });
  }
}
