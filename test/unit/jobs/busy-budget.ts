import { WaitScheduler } from "../../../core/jobs/scheduler";
import { RateLimiterRegistry } from "../../../core/resilience/rate-limiter-registry";
import type { FakeClock } from "../../support/fake-clock";

/** The endpoint the watchers of {@link busyBudget} name, and its host as the limiters key it. */
export const BUSY_ENDPOINT = "https://mps.busy.test";

/**
 * Watcher options whose request budget other traffic keeps busy: a caller that takes every send token the
 * endpoint's limiter for `action` gives, until `stop()`. Rule 6 spends an idle budget on looks the rule does not
 * need; tests of the rule's own schedule run here, where there is nothing to spare.
 */
export function busyBudget(
  clock: FakeClock,
  action = "QueryFpDBDeleteJobList",
): {
  watching: { clock: FakeClock; scheduler: WaitScheduler; endpointKey: string };
  stop(): void;
} {
  const limiters = new RateLimiterRegistry({ clock });
  const limiter = limiters.limiterFor(new URL(BUSY_ENDPOINT).host, action);
  let stopped = false;
  void (async () => {
    while (!stopped) await limiter.acquire();
  })();
  return {
    watching: { clock, scheduler: new WaitScheduler({ clock, limiters }), endpointKey: BUSY_ENDPOINT },
    stop: () => {
      stopped = true;
    },
  };
}
