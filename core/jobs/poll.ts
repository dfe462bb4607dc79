import { DEFAULT_MAX_POLL_INTERVAL_MS } from "../config/settings";
import { MpsApiError } from "../errors";

export { DEFAULT_MAX_POLL_INTERVAL_MS };

/**
 * The bounds of one wait, in milliseconds: what a stack can set (`pollIntervalSeconds` or the setting
 * `pollIntervalMs`, `maxPollIntervalMs`, `jobTimeoutSeconds`), resolved from the inputs and the settings once per
 * provider call (`ProviderContext.waitTiming`) and taken as they are by the job code and the watchers. When a wait
 * is looked at is decided by the process's wait scheduler (the rule is in scheduler-rule.ts). Declared here, not
 * in the context, because the job code that takes it sits below the context.
 */
export interface WaitTiming {
  /**
   * The shortest gap between two looks at this wait, and the delay of its first look (`pollIntervalSeconds`,
   * default 1 s). Later looks come at most a tenth of the time waited apart, never closer than this.
   */
  intervalMs: number;
  /**
   * The longest gap between two looks (`maxPollIntervalMs`, default 30000). Taken as set: it is raised to
   * `intervalMs` in one place, {@link waitBounds}.
   */
  maxIntervalMs?: number;
  /** Give up after this long (a last look is made at the deadline). */
  timeoutMs: number;
  /**
   * What set `timeoutMs`, for the message of a wait that runs out: the input `jobTimeoutSeconds` (the default),
   * or the operation's deadline from the resource's `customTimeouts`, when that is sooner.
   */
  timeoutSource?: TimeoutSource;
  /**
   * Aborted when the operation is cancelled (the engine's Cancel): the wait stops at once with a
   * `WaitCancelledError` naming what it waited for; the job goes on in MPS and the next run resumes it.
   */
  signal?: AbortSignal;
}

/** Which bound a wait's timeout came from. */
export type TimeoutSource = "jobTimeoutSeconds" | "customTimeouts";

/** What to raise when a wait with these bounds ran out, for its message. */
export function timeoutAdvice(timing: Pick<WaitTiming, "timeoutSource">): string {
  return timing.timeoutSource === "customTimeouts"
    ? "raise the resource's customTimeouts"
    : "raise jobTimeoutSeconds";
}

/**
 * Settles like `waiting`, unless `signal` is aborted first: then rejects with `cancelled()`. What `waiting` was
 * doing is not stopped (a look in flight ends on its own); only its outcome no longer matters.
 */
export function unlessAborted<T>(
  waiting: Promise<T>,
  signal: AbortSignal | undefined,
  cancelled: () => Error,
): Promise<T> {
  if (signal === undefined) return waiting;
  if (signal.aborted) {
    waiting.catch(() => undefined);
    return Promise.reject(cancelled());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(cancelled());
    signal.addEventListener("abort", onAbort, { once: true });
    waiting.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}

/** What a wait reports, and names in its messages. */
export interface WaitReport {
  /** What is waited for, for messages: e.g. `library 88c6... (my-lib)`. */
  describe: string;
  /** Told about every answered look: the status seen and the time waited so far. */
  onPoll?: (status: string, elapsedMs: number) => void;
  /** Told about a look that failed for a non-fatal reason (the wait goes on). */
  onPollError?: (error: MpsApiError, elapsedMs: number) => void;
}

/** The floor and cap of a wait's looks: the one place the cap is raised to the floor and defaulted. */
export function waitBounds(timing: WaitTiming): { floorMs: number; capMs: number } {
  const floorMs = Math.max(1, timing.intervalMs);
  return { floorMs, capMs: Math.max(floorMs, timing.maxIntervalMs ?? DEFAULT_MAX_POLL_INTERVAL_MS) };
}

/** "12.5 s" or "800 ms", for messages. */
export function formatDuration(ms: number): string {
  return ms >= 1000 ? `${Math.round(ms / 100) / 10} s` : `${Math.round(ms)} ms`;
}
