import { systemClock, type Clock } from "../clock";
import { DEFAULT_REQUESTS_PER_SECOND } from "../config/settings";
import { AdaptiveRateLimiter } from "./rate-limiter";

/** Options of {@link RateLimiterRegistry}. */
export interface RateLimiterRegistryOptions {
  /** Limit for buckets created without one, in requests per second (default 100). */
  requestsPerSecond?: number;
  clock?: Clock;
}

/**
 * One adaptive bucket per endpoint host and action. MPS meters each action per account (all its AccessKeys
 * together), and a process cannot tell which account a key belongs to, so every client of a process that talks
 * to the same endpoint shares one bucket per action: several resources, several AccessKeys of one account, or
 * (conservatively) several accounts.
 */
export class RateLimiterRegistry {
  private readonly limiters = new Map<string, AdaptiveRateLimiter>();
  private readonly clock: Clock;
  private readonly defaultRequestsPerSecond: number;

  constructor(options: RateLimiterRegistryOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.defaultRequestsPerSecond = options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND;
  }

  /**
   * The bucket for `action` at `endpointHost` (host[:port], case-insensitive). When callers ask for different
   * limits, the lowest one wins: it is the one an account can be sure of.
   */
  limiterFor(endpointHost: string, action: string, requestsPerSecond?: number): AdaptiveRateLimiter {
    const key = `${endpointHost.toLowerCase()} ${action}`;
    const limit = requestsPerSecond ?? this.defaultRequestsPerSecond;
    const existing = this.limiters.get(key);
    if (existing !== undefined) {
      if (limit < existing.limit) existing.setLimit(limit);
      return existing;
    }
    const limiter = new AdaptiveRateLimiter({ requestsPerSecond: limit, clock: this.clock });
    this.limiters.set(key, limiter);
    return limiter;
  }
}

const processRegistries = new WeakMap<Clock, RateLimiterRegistry>();

/**
 * The process-wide registry for a clock (the system clock in production), shared by every client built with
 * `createMpsClient` that does not bring its own. Per clock, because a bucket measures time with one clock.
 */
export function processRateLimiters(clock: Clock = systemClock): RateLimiterRegistry {
  let registry = processRegistries.get(clock);
  if (registry === undefined) {
    registry = new RateLimiterRegistry({ clock });
    processRegistries.set(clock, registry);
  }
  return registry;
}
