import { DEFAULT_REQUESTS_PER_SECOND } from "../config/settings";
import type { Clock } from "../clock";

/** What a call tells its limiter once the service answered: accepted, or refused for rate reasons. */
export type RateOutcome = "ok" | "throttled";

/**
 * The two-method limiter the retry layer composes with (as AWS SDK v3 composes its rate limiter with its retry
 * strategy): take a send token before every attempt, report the outcome after it.
 */
export interface RateLimiter {
  /** Resolves when this caller may send one request. Callers are served first come, first served. */
  acquire(): Promise<void>;
  /**
   * Feeds the service's answer back, so the limiter slows down on throttling and speeds up again later.
   * `sentAt` (this limiter's clock, when the token was granted) lets it tell a fresh throttling answer from an
   * echo of a burst it already reacted to.
   */
  record(outcome: RateOutcome, sentAt?: number): void;
}

/** Fraction of the limit the bucket refills at: a little under it, so clock skew and jitter stay within it. */
export const TARGET_RATE_FRACTION = 0.95;
/** Multiplicative decrease on throttling (CUBIC's beta, as in AWS SDK v3's adaptive retry). */
export const THROTTLE_BETA = 0.7;
/** CUBIC's scale constant: how fast the rate climbs back after a cut (requests/s per s^3). */
export const CUBIC_SCALE = 0.4;
/** The rate never drops below this, in requests per second. */
export const MIN_RATE_PER_SECOND = 0.5;
/**
 * Without a send time, throttling answers within this long of the last cut count as echoes of the same burst
 * and do not cut again.
 */
export const THROTTLE_COOLDOWN_MS = 1000;

/**
 * Rounding slack when comparing token counts. Epoch milliseconds as doubles are only exact to about 2e-4 ms,
 * so a token may come up that much short after an exact wait; without slack the pump would spin on waits too
 * small to move the clock.
 */
const TOKEN_EPSILON = 1e-3;
/** Shortest wait the pump asks for, in milliseconds (well above the clock's float resolution). */
const MIN_WAIT_MS = 0.01;

/** Options of {@link AdaptiveRateLimiter}. */
export interface AdaptiveRateLimiterOptions {
  /** The service's limit for this action, in requests per second (default 100). */
  requestsPerSecond?: number;
  clock: Clock;
}

/**
 * An adaptive token bucket for one action (and one endpoint). It refills at 95% of the limit and holds at most
 * the remaining 5% as burst, so that even against a server metering fixed one-second windows the requests of
 * any window (burst + one second of refill) stay within the limit, including on a cold start.
 *
 * On throttling it cuts its rate to 70% of the rate it had, once per generation: refusals of requests sent
 * before the last cut are echoes and ignored, so one overshooting burst costs a single cut while a sustained
 * overload (another process, a lowered quota) is followed down within a few round trips. It then climbs back
 * along CUBIC's curve `rate(t) = CUBIC_SCALE * (t - K)^3 + lastMax`, reaching the rate it had after
 * `K = cbrt(lastMax * (1 - beta) / CUBIC_SCALE)` seconds (about 4 s at 95/s) and the ceiling soon after.
 * This is how AWS SDK v3's adaptive retry mode recovers, minus its measured-rate estimate: the ceiling is known.
 *
 * Waiting callers queue; one pump serves them in order, so a rate cut applies to everyone still queued.
 */
export class AdaptiveRateLimiter implements RateLimiter {
  private ceilingRate = 0;
  private capacity = 0;
  private tokens = 0;
  private lastRefillAt: number;
  /** When the rate was last cut and the rate before the cut (CUBIC's W_max); undefined when at the ceiling. */
  private cut?: { at: number; lastMax: number };
  private readonly queue: (() => void)[] = [];
  private pumping = false;
  private readonly clock: Clock;
  private readonly shares = new Map<number, RateShare>();

  constructor(options: AdaptiveRateLimiterOptions) {
    this.clock = options.clock;
    this.lastRefillAt = this.clock.now();
    this.setLimit(options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND);
    // Start full: a cold start may use the (small) burst at once.
    this.tokens = this.capacity;
  }

  /** Changes the service limit this bucket respects (requests per second). */
  setLimit(requestsPerSecond: number): void {
    if (!(requestsPerSecond > 0) || !Number.isFinite(requestsPerSecond)) {
      throw new RangeError(`requestsPerSecond must be a positive number, got ${requestsPerSecond}`);
    }
    this.ceilingRate = requestsPerSecond * TARGET_RATE_FRACTION;
    this.capacity = Math.max(1, requestsPerSecond - this.ceilingRate);
    this.tokens = Math.min(this.tokens, this.capacity);
  }

  /** The limit this bucket was configured with, in requests per second. */
  get limit(): number {
    return this.ceilingRate / TARGET_RATE_FRACTION;
  }

  /** The refill rate in force now, in requests per second. */
  currentRate(): number {
    if (this.cut === undefined) return this.ceilingRate;
    const t = (this.clock.now() - this.cut.at) / 1000;
    const k = Math.cbrt((this.cut.lastMax * (1 - THROTTLE_BETA)) / CUBIC_SCALE);
    const rate = CUBIC_SCALE * (t - k) ** 3 + this.cut.lastMax;
    if (rate >= this.ceilingRate) {
      this.cut = undefined;
      return this.ceilingRate;
    }
    return Math.max(MIN_RATE_PER_SECOND, rate);
  }

  /**
   * When this limiter will be idle if nobody else asks for a token: no caller queued, the burst refilled and the
   * rate back at its ceiling; now when it is idle. A caller that sends only what no one else needs (a wait's
   * spare look) sends at that time, not before.
   */
  idleAt(): number {
    const now = this.clock.now();
    this.refill(now);
    const rate = this.currentRate();
    const missing = this.queue.length + this.capacity - this.tokens;
    const refillMs = missing > TOKEN_EPSILON ? (missing / rate) * 1000 : 0;
    let recoverMs = 0;
    if (this.cut !== undefined) {
      // CUBIC's curve reaches the ceiling at K + cbrt((ceiling - lastMax) / C) seconds after the cut.
      const k = Math.cbrt((this.cut.lastMax * (1 - THROTTLE_BETA)) / CUBIC_SCALE);
      const back = k + Math.cbrt((this.ceilingRate - this.cut.lastMax) / CUBIC_SCALE);
      recoverMs = Math.max(0, this.cut.at + back * 1000 - now);
    }
    return now + Math.max(refillMs, recoverMs);
  }

  /**
   * The share `fraction` of this limiter for callers that decide themselves when to send (the wait scheduler's
   * polls); one per fraction, so every such caller of this endpoint and action spaces its sends together.
   */
  share(fraction: number): RateShare {
    let share = this.shares.get(fraction);
    if (share === undefined) {
      share = new RateShare(this, fraction, this.clock);
      this.shares.set(fraction, share);
    }
    return share;
  }

  acquire(): Promise<void> {
    return new Promise((resolve) => {
      this.queue.push(resolve);
      if (!this.pumping) void this.pump();
    });
  }

  record(outcome: RateOutcome, sentAt?: number): void {
    if (outcome !== "throttled") return;
    const now = this.clock.now();
    if (this.cut !== undefined) {
      // A request sent before the last cut was paced at the old rate: its refusal says nothing new.
      const echo = sentAt !== undefined ? sentAt < this.cut.at : now - this.cut.at < THROTTLE_COOLDOWN_MS;
      if (echo) return;
    }
    this.refill(now);
    const lastMax = this.currentRate();
    this.cut = { at: now, lastMax };
    // A cut also drains the burst: the requests that earned the throttling answer already used it.
    this.tokens = Math.min(this.tokens, 0);
  }

  private refill(now: number): void {
    const elapsedSeconds = Math.max(0, now - this.lastRefillAt) / 1000;
    this.tokens = Math.min(this.capacity, this.tokens + elapsedSeconds * this.currentRate());
    this.lastRefillAt = now;
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        this.refill(this.clock.now());
        if (this.tokens >= 1 - TOKEN_EPSILON) {
          this.tokens -= 1;
          this.queue.shift()!();
          continue;
        }
        // Exact (fractional) wait: a timer that fires late only lets tokens pile up (up to the burst), so the
        // rate is kept however coarse the real timers are.
        await this.clock.sleep(Math.max(MIN_WAIT_MS, ((1 - this.tokens) / this.currentRate()) * 1000));
      }
    } finally {
      this.pumping = false;
    }
  }
}

/**
 * A share of one limiter's budget, for callers that choose themselves when to send (the wait scheduler's polls)
 * and must leave the rest of the budget to others: one-off lookups, submits of the same action, and the account's
 * other MPS traffic. It holds no tokens: every call it lets out still takes its send token from the limiter, like
 * any other call. It only spaces those calls at `fraction` of the configured limit, scaled down while the limiter
 * is cut back after throttling, so the share slows down with the budget it is part of.
 */
export class RateShare {
  private nextAt = -Infinity;

  constructor(
    readonly limiter: AdaptiveRateLimiter,
    readonly fraction: number,
    private readonly clock: Clock,
  ) {
    if (!(fraction > 0) || fraction > 1) throw new RangeError(`a share must be in (0, 1], got ${fraction}`);
  }

  /** Calls per second the share may send now. */
  rate(): number {
    const limiter = this.limiter;
    return this.fraction * limiter.limit * (limiter.currentRate() / (limiter.limit * TARGET_RATE_FRACTION));
  }

  /** When the share may send its next call: now, or later. */
  availableAt(): number {
    return Math.max(this.clock.now(), this.nextAt);
  }

  /** Counts one call sent now. */
  take(): void {
    this.nextAt = this.availableAt() + 1000 / this.rate();
  }
}
