import {
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_RETRY_BASE_MS,
  DEFAULT_RETRY_MAX_DELAY_MS,
  DEFAULT_RETRY_THROTTLE_BASE_MS,
} from "../config/settings";
import type { Clock, Random } from "../clock";
import { MpsApiError, type ErrorKind } from "../errors";
import { classifyError } from "./classify";
import type { RateLimiter } from "./rate-limiter";

/** Retry tuning. All durations in milliseconds. */
export interface RetryOptions {
  /** Total attempts including the first one. */
  maxAttempts: number;
  /** Backoff base for transient failures: the n-th retry waits up to `baseMs * 2^n`. */
  baseMs: number;
  /** Larger backoff base for throttling, so a throttled fleet spreads out instead of retrying in lockstep. */
  throttleBaseMs: number;
  /** Cap on one backoff delay. */
  maxDelayMs: number;
}

/** The package's retry defaults (config/settings.ts is their one home) as one object. */
export const DEFAULT_RETRY_OPTIONS: Readonly<RetryOptions> = {
  maxAttempts: DEFAULT_MAX_ATTEMPTS,
  baseMs: DEFAULT_RETRY_BASE_MS,
  throttleBaseMs: DEFAULT_RETRY_THROTTLE_BASE_MS,
  maxDelayMs: DEFAULT_RETRY_MAX_DELAY_MS,
};

/**
 * MPS meters its limit per second. A call it throttled is not retried within the second that refused it: that
 * second's budget is spent (by this process or another one sharing the account), so an early retry is refused
 * again, costs the account a request and uses up one of the call's attempts.
 */
export const THROTTLED_RETRY_FLOOR_MS = 1_000;

/**
 * Full-jitter exponential backoff: `random() * min(maxDelayMs, base * 2^retryIndex)`, where `retryIndex` is 0
 * before the first retry and `base` is the throttling base for throttling failures; after throttling, that
 * jitter comes on top of {@link THROTTLED_RETRY_FLOOR_MS}. No delay exceeds `maxDelayMs`.
 */
export function backoffDelayMs(
  retryIndex: number,
  kind: ErrorKind,
  options: RetryOptions,
  random: Random,
): number {
  const base = kind === "throttling" ? options.throttleBaseMs : options.baseMs;
  const jitter = random() * Math.min(options.maxDelayMs, base * 2 ** retryIndex);
  return kind === "throttling" ? Math.min(options.maxDelayMs, THROTTLED_RETRY_FLOOR_MS + jitter) : jitter;
}

/**
 * Whether a failure of this kind may be retried. Throttling was certainly rejected and a `transient` write is
 * one that was certainly not sent (the classifier only says `transient` for a write in that case); `ambiguous`
 * is retried only for reads, whose repetition is harmless; `fatal` never.
 */
export function isRetryable(kind: ErrorKind, write: boolean): boolean {
  switch (kind) {
    case "throttling":
    case "transient":
      return true;
    case "ambiguous":
      return !write;
    case "fatal":
      return false;
  }
}

/** What one call is, for the retry layer. */
export interface RetryCall {
  action: string;
  write: boolean;
  /** Asked for a send token before every attempt and told whether the service throttled it. */
  limiter?: RateLimiter;
  /** No retry starts at or after this time (epoch ms of the strategy's clock); the last error is thrown. */
  retryUntil?: number;
  /** Told when each attempt goes out, after its send token: the time before that is queueing, not the service. */
  onSend?: () => void;
  /** Told about every retry (for logs); never about the final failure, which is thrown. */
  onRetry?: (info: {
    action: string;
    attempt: number;
    kind: ErrorKind;
    delayMs: number;
    error: unknown;
  }) => void;
}

/**
 * The one retry layer of the client: bounded attempts, full-jitter backoff, a rate-limiter send token before
 * every attempt. Time and randomness are injected so tests of long backoffs run instantly.
 */
export class RetryStrategy {
  constructor(
    readonly options: RetryOptions,
    private readonly clock: Clock,
    private readonly random: Random,
  ) {}

  /** Runs `attempt` until it succeeds, fails for good, or runs out of attempts (then the last error is thrown). */
  async run<T>(call: RetryCall, attempt: () => Promise<T>): Promise<T> {
    for (let attemptNo = 1; ; attemptNo++) {
      await call.limiter?.acquire();
      call.onSend?.();
      const sentAt = this.clock.now();
      try {
        const result = await attempt();
        call.limiter?.record("ok", sentAt);
        return result;
      } catch (error) {
        const kind = classifyError(error, call.write);
        call.limiter?.record(kind === "throttling" ? "throttled" : "ok", sentAt);
        if (!isRetryable(kind, call.write)) throw error;
        if (attemptNo >= this.options.maxAttempts) throw withAttemptCount(error, attemptNo);
        const delayMs = backoffDelayMs(attemptNo - 1, kind, this.options, this.random);
        if (call.retryUntil !== undefined && this.clock.now() + delayMs >= call.retryUntil) throw error;
        call.onRetry?.({ action: call.action, attempt: attemptNo, kind, delayMs, error });
        await this.clock.sleep(delayMs);
      }
    }
  }
}

/** Says in the message that retrying did not help, keeping every field of the original error. */
function withAttemptCount(error: unknown, attempts: number): unknown {
  if (!(error instanceof MpsApiError) || attempts <= 1) return error;
  const message = `${error.message} Gave up after ${attempts} attempts.`;
  return error.withMessage(message);
}
