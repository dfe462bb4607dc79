/**
 * The result line of a bulk operation (N creates, purges or deletes): wall time against the floor, API calls,
 * throttling, surfaced errors and the provider host's resources.
 */
import { acceptedByAction, floorSeconds } from "./floor";
import { cpuMsPerOperation, type Measured } from "./measure";
import { round, type BenchRecord } from "./report";

/** The service and provider timing the floor is computed from. */
export interface FloorTiming {
  requestsPerSecond: number;
  /** Duration of the job (or activation) each resource waits for. */
  jobSeconds: number;
  pollIntervalSeconds: number;
}

/** Builds the JSON line; `extra` fields (e.g. a verification) are appended. */
export function bulkRecord(
  scenario: string,
  libraries: number,
  m: Measured,
  timing: FloorTiming,
  extra: Record<string, unknown> = {},
): BenchRecord {
  const floor = floorSeconds({
    acceptedByAction: acceptedByAction(m.calls),
    requestsPerSecond: timing.requestsPerSecond,
    jobSeconds: timing.jobSeconds,
    pollIntervalSeconds: timing.pollIntervalSeconds,
  });
  const record: BenchRecord = {
    scenario,
    libraries,
    wallSeconds: round(m.wallSeconds, 2),
    floorSeconds: round(floor.seconds, 2),
    ratio: round(m.wallSeconds / floor.seconds),
    // The same from the first step's start: without Pulumi's part before the provider can act (the host's
    // start, and for `up` the program run up to its first registration).
    ...stepsSpan(m, floor.seconds),
    floorAction: floor.busiestAction,
    floorCalls: floor.busiestCalls,
    apiCalls: m.calls.total,
    apiCallsByAction: m.calls.byAction,
    throttled: m.calls.throttled,
    throttledPercent: m.calls.total ? round((100 * m.calls.throttled) / m.calls.total, 2) : 0,
    throttledByAction: m.calls.throttledByAction,
    otherFailedCalls: m.calls.failed,
    errors: m.result.errors.length,
    operations: m.operations,
  };
  if (m.hostReadySeconds !== undefined) record.hostReadySeconds = round(m.hostReadySeconds, 2);
  if (m.host) {
    record.hostPeakRssMb = round(m.host.peakRssMb, 1);
    record.hostCpuSeconds = round(m.host.cpuSeconds, 2);
    const perOperation = cpuMsPerOperation(m);
    if (perOperation !== undefined) record.hostCpuMsPerOperation = perOperation;
  }
  record.timeline = m.timeline;
  if (m.result.errors.length > 0) record.firstError = m.result.errors[0].slice(0, 300);
  return { ...record, ...extra };
}

function stepsSpan(m: Measured, floor: number): Record<string, number> {
  const { firstStepStart, lastStepDone } = m.timeline;
  if (firstStepStart === undefined || lastStepDone === undefined) return {};
  const seconds = lastStepDone - firstStepStart;
  return { stepsSeconds: round(seconds, 2), stepsRatio: round(seconds / floor) };
}
