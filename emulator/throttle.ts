import type { ThrottleAlgorithm } from "./types";

/** Admits or refuses one request of a key at a time `now`, for a limit of `qps` per second. */
interface Meter {
  take(now: number, qps: number): boolean;
}

/** Capacity = qps (at least one request), refilled continuously at qps per second; starts full. */
export class TokenBucket implements Meter {
  private tokens: number | undefined;
  private last = 0;

  take(now: number, qps: number): boolean {
    const capacity = Math.max(1, qps);
    if (this.tokens === undefined) {
      this.tokens = capacity;
    } else {
      this.tokens = Math.min(capacity, this.tokens + (Math.max(0, now - this.last) * qps) / 1000);
    }
    this.last = Math.max(this.last, now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** At most floor(qps) requests in each one-second window aligned to the epoch second (at least 1 when qps < 1). */
export class FixedWindow implements Meter {
  private window = -1;
  private used = 0;

  take(now: number, qps: number): boolean {
    const window = Math.floor(now / 1000);
    if (window !== this.window) {
      this.window = window;
      this.used = 0;
    }
    if (this.used >= Math.max(1, Math.floor(qps))) return false;
    this.used += 1;
    return true;
  }
}

/**
 * Per-account, per-action QPS limits (docs/mps-api.md, 'Conventions': all keys of an account share its
 * budget).
 */
export class Throttler {
  private readonly meters = new Map<string, Meter>();

  constructor(private algorithm: ThrottleAlgorithm) {}

  /** True when the request may proceed. */
  admit(accountId: string, action: string, now: number, qps: number): boolean {
    const key = `${accountId}\n${action}`;
    let meter = this.meters.get(key);
    if (!meter) {
      meter = this.algorithm === "token-bucket" ? new TokenBucket() : new FixedWindow();
      this.meters.set(key, meter);
    }
    return meter.take(now, qps);
  }

  /** Forgets all budgets; the next request of every key starts afresh with `algorithm`. */
  reset(algorithm: ThrottleAlgorithm): void {
    this.algorithm = algorithm;
    this.meters.clear();
  }
}
