/**
 * The fault matrix of issue 5: each case installs one kind of trouble on an emulator for the length of a purge
 * or destroy phase, and says afterwards how often it struck (a scenario where the fault never fired proves
 * nothing).
 */
import { DEFAULT_QPS, type RunningEmulator } from "../../../emulator";

/** The two operations the matrix covers. */
export type Phase = "purge" | "destroy";

/** An installed fault. */
export interface FaultHandle {
  /** Removes the fault (or restores the settings) and returns how many requests or jobs it hit. */
  end(): number;
}

/** One row of the matrix. */
export interface FaultCase {
  /** Names the stack and emulator of the scenario. */
  id: string;
  /** What the fault is, as test names say it. */
  title: string;
  /** Provider config the case needs (the slow-answer case shortens the read timeout). */
  config?: Record<string, string>;
  /**
   * For the slow-answer case: the first this-many submits the emulator accepts in a phase are answered after
   * the client's read timeout, so their outcome is unknown to the provider.
   */
  delayedSubmits?: number;
  /** Installs the fault for one phase. */
  begin(emulator: RunningEmulator, phase: Phase): FaultHandle;
}

/** Share of requests (or libraries) a probabilistic fault hits. */
export const FAULT_RATE = 0.2;
/** The request limit during a throttling storm, per account and action. */
export const STORM_QPS = 5;
/** How long the storm lasts after it first refused a request, in ms. */
export const STORM_MS = 1500;
/**
 * The provider's read timeout in the slow-answer case, in ms: short enough to keep the case quick, long enough
 * that an answer the fault does not delay is never late, even on a busy machine.
 */
export const SLOW_READ_TIMEOUT_MS = 2000;
/** How late a slow answer comes, in ms: well beyond the read timeout. */
export const SLOW_ANSWER_MS = 3000;
/** How many submits of a phase get a slow answer in the slow-answer case. */
export const SLOW_SUBMITS = 10;

const SUBMIT = "SubmitFpDBDeleteJob";

function withRules(emulator: RunningEmulator, rules: Parameters<RunningEmulator["admin"]["setFaults"]>[0]) {
  emulator.admin.setFaults(rules);
  return {
    end(): number {
      const fired = emulator.admin.state().faults.reduce((sum, f) => sum + f.fired, 0);
      emulator.admin.clearFaults();
      return fired;
    },
  };
}

function throttled(emulator: RunningEmulator): number {
  return emulator.admin.counts().overall.throttled;
}

/**
 * A throttling storm: the limit drops to {@link STORM_QPS} per second when the phase starts and comes back
 * {@link STORM_MS} after it first refused a request (so the storm always strikes, however slowly a busy machine
 * sends; a provider that never exceeds the limit keeps it for the whole phase).
 */
function throttlingStorm(emulator: RunningEmulator): FaultHandle {
  const throttledBefore = throttled(emulator);
  emulator.admin.setSettings({ qps: STORM_QPS });
  let restoreTimer: NodeJS.Timeout | undefined;
  const restore = () => emulator.admin.setSettings({ qps: DEFAULT_QPS });
  const watch = setInterval(() => {
    if (throttled(emulator) === throttledBefore) return;
    clearInterval(watch);
    restoreTimer = setTimeout(restore, STORM_MS);
  }, 10);
  return {
    end() {
      clearInterval(watch);
      clearTimeout(restoreTimer);
      restore();
      return throttled(emulator) - throttledBefore;
    },
  };
}

/** The matrix rows, in the order of issue 5. */
export const FAULT_CASES: readonly FaultCase[] = [
  {
    id: "internal-error",
    title: "20% InternalError on every action",
    begin: (emulator) =>
      withRules(emulator, [
        { type: "error", action: "*", code: "InternalError", httpStatus: 500, rate: FAULT_RATE },
      ]),
  },
  {
    id: "throttling-storm",
    title: `a throttling storm (limit cut to ${STORM_QPS}/s, then restored)`,
    begin: (emulator) => throttlingStorm(emulator),
  },
  {
    id: "commit-then-error",
    title: "submits committed whose answer is lost as a 500",
    begin: (emulator) =>
      withRules(emulator, [{ type: "commit-then-fail", action: SUBMIT, mode: "error", rate: FAULT_RATE }]),
  },
  {
    id: "commit-then-drop",
    title: "submits committed whose connection is dropped before the answer",
    begin: (emulator) =>
      withRules(emulator, [{ type: "commit-then-fail", action: SUBMIT, mode: "drop", rate: FAULT_RATE }]),
  },
  {
    id: "dropped-connections",
    title: "20% dropped connections on every action",
    begin: (emulator) => withRules(emulator, [{ type: "drop", action: "*", rate: FAULT_RATE }]),
  },
  {
    id: "slow-answers",
    title: `answers slower than the read timeout (${SLOW_ANSWER_MS} ms against ${SLOW_READ_TIMEOUT_MS} ms)`,
    config: { "pulumi-mps-fpdb:readTimeoutMs": String(SLOW_READ_TIMEOUT_MS) },
    delayedSubmits: SLOW_SUBMITS,
    begin: (emulator) =>
      withRules(emulator, [
        { type: "latency", action: SUBMIT, latencyMs: SLOW_ANSWER_MS, count: SLOW_SUBMITS },
        { type: "latency", action: "ListFpShotDB", latencyMs: SLOW_ANSWER_MS, rate: FAULT_RATE },
        { type: "latency", action: "QueryFpDBDeleteJobList", latencyMs: SLOW_ANSWER_MS, rate: FAULT_RATE },
      ]),
  },
  {
    id: "job-fail",
    title: "jobs ending in Fail for a share of libraries",
    begin: (emulator, phase) =>
      withRules(emulator, [
        { type: "job-fail", delType: phase === "purge" ? "Purge" : "Delete", rate: FAULT_RATE },
      ]),
  },
];
