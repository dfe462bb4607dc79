import type { Clock } from "../clock";
import { MpsApiError } from "../errors";

/** Default cap on the interval between two polls of one wait, in milliseconds. */
export const DEFAULT_MAX_POLL_INTERVAL_MS = 30_000;
/**
 * How many polls keep the first interval before the backoff starts. Most jobs end within a few intervals, and a
 * pipeline waits for exactly that moment, so it is seen promptly; polls are batched (10 ids a call), so steady
 * polling stays cheap. Longer waits back off.
 */
export const STEADY_POLLS = 4;
/** After the steady polls, each interval is this much longer than the one before, up to the cap. */
export const POLL_BACKOFF_FACTOR = 1.5;

/** Bounds and reporting of one wait. Durations in milliseconds. */
export interface WaitOptions {
  /** Delay before each of the first `STEADY_POLLS` polls; later polls back off from it. */
  intervalMs: number;
  /** Cap on the delay between polls (default 30000; never below `intervalMs`). */
  maxIntervalMs?: number;
  /** Give up after this long. */
  timeoutMs: number;
  /** What is waited for, for messages: e.g. `library 88c6... (my-lib)`. */
  describe: string;
  /** Told about every answered poll: the status seen and the time waited so far. */
  onPoll?: (status: string, elapsedMs: number) => void;
  /** Told about a poll that failed for a non-fatal reason (the wait goes on). */
  onPollError?: (error: MpsApiError, elapsedMs: number) => void;
  /**
   * How long before its due time each poll starts (the watchers set it to their coalescing window, the time a
   * lookup may wait for other waits' ids): the call then goes out on the schedule rather than one window late
   * on every poll. Default 0.
   */
  pollLeadMs?: number;
}

/** What one poll found. */
export interface PollOutcome<T> {
  done: boolean;
  /** The status to report (and to quote if the wait times out). */
  status: string;
  value: T;
}

/**
 * The poll schedule shared by every wait: `STEADY_POLLS` polls `intervalMs` apart, then ×1.5 up to
 * `maxIntervalMs`, a last poll exactly at the deadline, then `onTimeout`. `poll` is called `pollLeadMs` before
 * each due time and told that time, so a lookup that waits for company to share its call can still send it on
 * schedule. A poll that fails with a retryable `MpsApiError` (the client already retried it) is reported and the
 * wait goes on; a fatal `MpsApiError` ends the wait, with `describe` added to its message. Any other error thrown
 * by `poll` (a failed job, a vanished id) ends it unchanged.
 */
export async function pollUntil<T>(
  clock: Clock,
  options: WaitOptions,
  poll: (dueAt: number) => Promise<PollOutcome<T>>,
  onTimeout: (lastStatus: string, waitedMs: number) => Error,
): Promise<T> {
  const startedAt = clock.now();
  const maxIntervalMs = Math.max(options.intervalMs, options.maxIntervalMs ?? DEFAULT_MAX_POLL_INTERVAL_MS);
  const leadMs = Math.max(0, options.pollLeadMs ?? 0);
  let intervalMs = options.intervalMs;
  let polls = 0;
  let lastStatus = "unknown (not polled yet)";
  for (;;) {
    const remainingMs = options.timeoutMs - (clock.now() - startedAt);
    if (remainingMs <= 0) throw onTimeout(lastStatus, clock.now() - startedAt);
    const delayMs = Math.min(intervalMs, remainingMs);
    const dueAt = clock.now() + delayMs;
    await clock.sleep(Math.max(0, delayMs - leadMs));
    polls += 1;
    if (polls >= STEADY_POLLS)
      intervalMs = Math.min(maxIntervalMs, Math.round(intervalMs * POLL_BACKOFF_FACTOR));
    let outcome: PollOutcome<T>;
    try {
      outcome = await poll(dueAt);
    } catch (error) {
      if (!(error instanceof MpsApiError)) throw error;
      if (error.kind === "fatal") throw whileWaiting(error, options.describe);
      options.onPollError?.(error, clock.now() - startedAt);
      continue;
    }
    lastStatus = outcome.status;
    options.onPoll?.(outcome.status, clock.now() - startedAt);
    if (outcome.done) return outcome.value;
  }
}

/** "12.5 s" or "800 ms", for messages. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}

function whileWaiting(error: MpsApiError, describe: string): MpsApiError {
  return new MpsApiError(
    `While waiting for ${describe}: ${error.message}`,
    error.action,
    error.code,
    error.kind,
    error.statusCode,
    error.requestId,
  );
}
