import type { Transport } from "../../core/client/transport";
import { FakeClock } from "../support/fake-clock";

/**
 * A fake clock for tests that mix fake time with real HTTP: time stands still while any tracked request is in
 * flight and only jumps to the next sleeper's deadline when the system is idle. Shared by the client and the
 * emulator, every request reaches the emulator at exactly the fake time its rate-limiter token was granted,
 * so rate tests are deterministic and a minute of fake time passes in the milliseconds the requests take.
 */
export class IoAwareClock extends FakeClock {
  private inFlight = 0;

  constructor(start = Date.now()) {
    super(start);
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

  protected override holdsTime(): boolean {
    return this.inFlight > 0;
  }
}
