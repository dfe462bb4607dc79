import { DEFAULT_MAX_POLL_INTERVAL_MS } from "../config/settings";
import { MpsApiError } from "../errors";

export { DEFAULT_MAX_POLL_INTERVAL_MS };

/**
 * Bounds and reporting of one wait. Durations in milliseconds. When a wait is looked at is decided by the
 * process's wait scheduler (the rule is in scheduler-rule.ts); these bounds are what a stack can set.
 */
export interface WaitOptions {
  /**
   * The shortest gap between two looks at this wait, and the delay of its first look (`pollIntervalSeconds`,
   * default 1 s). Later looks come at most a tenth of the time waited apart, never closer than this.
   */
  intervalMs: number;
  /** The longest gap between two looks (`maxPollIntervalMs`, default 30000; never below `intervalMs`). */
  maxIntervalMs?: number;
  /** Give up after this long (a last look is made at the deadline). */
  timeoutMs: number;
  /** What is waited for, for messages: e.g. `library 88c6... (my-lib)`. */
  describe: string;
  /** Told about every answered look: the status seen and the time waited so far. */
  onPoll?: (status: string, elapsedMs: number) => void;
  /** Told about a look that failed for a non-fatal reason (the wait goes on). */
  onPollError?: (error: MpsApiError, elapsedMs: number) => void;
}

/**
 * Bounds of one wait, resolved from the resource's inputs and the package settings (`ProviderContext.waitTiming`);
 * declared here, not in the context, because the job code that takes it sits below the context.
 */
export interface WaitTiming {
  intervalMs: number;
  maxIntervalMs: number;
  timeoutMs: number;
}

/** The floor and cap of a wait's looks, from its options. */
export function waitBounds(options: WaitOptions): { floorMs: number; capMs: number } {
  const floorMs = Math.max(1, options.intervalMs);
  return { floorMs, capMs: Math.max(floorMs, options.maxIntervalMs ?? DEFAULT_MAX_POLL_INTERVAL_MS) };
}

/** "12.5 s" or "800 ms", for messages. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}
