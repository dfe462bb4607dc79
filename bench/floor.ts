/**
 * The floor a bulk operation cannot beat, and API-call accounting from the emulator's request counts.
 *
 * Floor = the calls of the busiest action at the service's limit, plus one job duration (the last job
 * submitted still has to run), plus one poll interval (its end is seen at a poll at the earliest).
 */
import type { RequestCounts } from "../emulator";
import { round } from "./report";

/** Calls per action made during one run, from two snapshots of the emulator's counts. */
export interface CallsDelta {
  /** Every request the emulator received, throttled ones included. */
  total: number;
  /** Requests answered with a throttling error. */
  throttled: number;
  /** Requests answered with any other error, or dropped. */
  failed: number;
  /** Requests per action (throttled ones included). */
  byAction: Record<string, number>;
  /** Throttled requests per action. */
  throttledByAction: Record<string, number>;
}

/** What happened between `before` and `after`. */
export function callsBetween(before: RequestCounts, after: RequestCounts): CallsDelta {
  const byAction: Record<string, number> = {};
  const throttledByAction: Record<string, number> = {};
  for (const [action, counts] of Object.entries(after.byAction)) {
    const prior = before.byAction[action];
    const total = counts.total - (prior?.total ?? 0);
    if (total === 0) continue;
    byAction[action] = total;
    const throttled = counts.throttled - (prior?.throttled ?? 0);
    if (throttled > 0) throttledByAction[action] = throttled;
  }
  const total = after.overall.total - before.overall.total;
  const throttled = after.overall.throttled - before.overall.throttled;
  const ok = after.overall.ok - before.overall.ok;
  return { total, throttled, failed: total - ok - throttled, byAction, throttledByAction };
}

/** The inputs of the floor. */
export interface FloorInputs {
  /** Calls per action, as the run needed them (accepted calls; throttled ones are waste, not need). */
  acceptedByAction: Record<string, number>;
  requestsPerSecond: number;
  jobSeconds: number;
  pollIntervalSeconds: number;
}

/** The floor in seconds and the action that sets it. */
export function floorSeconds(o: FloorInputs): {
  seconds: number;
  busiestAction: string;
  busiestCalls: number;
} {
  let busiestAction = "";
  let busiestCalls = 0;
  for (const [action, calls] of Object.entries(o.acceptedByAction)) {
    if (calls > busiestCalls) {
      busiestAction = action;
      busiestCalls = calls;
    }
  }
  return {
    seconds: busiestCalls / o.requestsPerSecond + o.jobSeconds + o.pollIntervalSeconds,
    busiestAction,
    busiestCalls,
  };
}

/** Accepted (not throttled) calls per action. */
export function acceptedByAction(delta: CallsDelta): Record<string, number> {
  const accepted: Record<string, number> = {};
  for (const [action, calls] of Object.entries(delta.byAction)) {
    accepted[action] = calls - (delta.throttledByAction[action] ?? 0);
  }
  return accepted;
}

/** What one measured CLI run gives every scenario that drives Pulumi's CLI. */
export interface MeasuredCliRun {
  wallSeconds: number;
  /** First to last API request of the run, in seconds. */
  requestSpanSeconds: number;
  calls: CallsDelta;
}

/** A CLI run's figures against its floor, as every CLI scenario reports them. */
export function cliRunFigures(
  run: MeasuredCliRun,
  libraries: number,
  floor: number,
): Record<string, unknown> {
  return {
    floorSeconds: round(floor, 2),
    wallSeconds: round(run.wallSeconds, 2),
    ratio: round(run.wallSeconds / floor),
    requestSpanSeconds: round(run.requestSpanSeconds, 2),
    requestSpanRatio: round(run.requestSpanSeconds / floor),
    callsPerLibrary: round(run.calls.total / libraries, 3),
    apiCallsByAction: run.calls.byAction,
    throttled: run.calls.throttled,
  };
}
