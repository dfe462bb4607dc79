/**
 * Time as the rest of the provider sees it. Retry, rate limiting and job waiting take a `Clock` so that tests
 * can run a 30-minute wait in milliseconds with a fake one (see test/support/fake-clock.ts).
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms` milliseconds of this clock's time. */
  sleep(ms: number): Promise<void>;
}

/** A source of uniformly distributed numbers in [0, 1), injectable for deterministic jitter. */
export type Random = () => number;

/** The real clock. Timers are unref'd so a pending backoff never keeps a finished process alive. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) =>
    new Promise((resolve) => {
      const timer = setTimeout(resolve, Math.max(0, ms));
      timer.unref?.();
    }),
};

/** ISO 8601 UTC with second precision, the way MPS writes times (`2026-11-24T04:03:40Z`). */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
