/**
 * Runs one engine-harness operation and measures it: wall time, the emulator's request counts before and after,
 * the provider host's memory and CPU, and when the first step finished.
 */
import type { EmulatorProcess } from "./emulator-process";
import * as engine from "../harness/engine";
import type { EngineEvent, Operation, RunResult, StackRunOptions } from "../harness/engine";
import { callsBetween, type CallsDelta } from "./floor";
import { HostMonitor, type HostUsage } from "./host-monitor";
import { progress, round } from "./report";
import { requestWindows, StepClock, type Timeline } from "./timeline";

/** One measured operation. */
export interface Measured {
  result: RunResult;
  /** When the operation was started (epoch ms). */
  startedAt: number;
  /** Seconds each step took, from its start to its end, by operation (`delete`, `update`...). */
  stepSeconds: { op: string; seconds: number }[];
  /** From the call to the operation's end, host start and shutdown included. */
  wallSeconds: number;
  /** From the call to the `host-started` event (the host printed its port). */
  hostReadySeconds?: number;
  /** From the call to the first finished step. */
  firstStepSeconds?: number;
  calls: CallsDelta;
  host?: HostUsage;
  /** Steps that did provider work (not `same`). */
  operations: number;
  timeline: Timeline;
}

const PROGRESS_EVERY_MS = 5000;
/** Extra host samples as steps finish, at most this often (the timer samples every 200 ms anyway). */
const SAMPLE_ON_STEP_MS = 50;

/** Runs `op` on the stack and measures it; `label` names it in progress lines. */
export async function measure(
  label: string,
  op: Operation,
  options: StackRunOptions,
  emulator: EmulatorProcess,
): Promise<Measured> {
  const monitor = new HostMonitor();
  const started = Date.now();
  let done = 0;
  let failed = 0;
  let hostWarnings = 0;
  const clock = new StepClock(started);
  let lastSampleAt = 0;
  const stepStarts = new Map<string, number>();
  const stepSeconds: { op: string; seconds: number }[] = [];
  const onEvent = (e: EngineEvent): void => {
    if (e.kind === "host-started") {
      clock.mark("hostReady");
      monitor.attach(e.pid);
    } else if (e.kind === "step-start") {
      clock.mark("stepStart");
      stepStarts.set(`${e.op}\u0000${e.urn}`, Date.now());
    } else if (e.kind === "step-done") {
      clock.mark("stepDone");
      const began = stepStarts.get(`${e.step.op}\u0000${e.step.urn}`);
      if (began !== undefined) stepSeconds.push({ op: e.step.op, seconds: (Date.now() - began) / 1000 });
      if (Date.now() - lastSampleAt >= SAMPLE_ON_STEP_MS) {
        lastSampleAt = Date.now();
        monitor.sample();
      }
      done += 1;
      if (!e.step.ok) failed += 1;
    } else if (e.kind === "diagnostic" && e.source === "host" && e.stream === "stderr") {
      // Warnings and errors of the provider; a few are worth seeing while it runs, not a thousand.
      if (++hostWarnings <= 5) progress(`${label}: host: ${e.line}`);
    }
  };
  const ticker = setInterval(() => {
    progress(`${label}: ${done} steps done${failed ? ` (${failed} failed)` : ""}`);
  }, PROGRESS_EVERY_MS);
  const before = await emulator.admin.counts();
  let result: RunResult;
  try {
    result = await engine[op]({ ...options, onEvent });
  } finally {
    clearInterval(ticker);
  }
  const wallSeconds = (Date.now() - started) / 1000;
  const calls = callsBetween(before, await emulator.admin.counts());
  const requests = await emulator.admin.requests();
  const host = monitor.stop();
  if (hostWarnings > 5) progress(`${label}: host printed ${hostWarnings} warning/error lines in all`);
  progress(
    `${label}: ${result.ok ? "ok" : `${result.errors.length} error(s)`} in ${wallSeconds.toFixed(1)} s, ` +
      `${calls.total} API calls (${calls.throttled} throttled)`,
  );
  return {
    result,
    startedAt: started,
    stepSeconds,
    wallSeconds,
    hostReadySeconds: clock.marks.hostReady,
    firstStepSeconds: clock.marks.firstStepDone,
    calls,
    host,
    operations: result.steps.filter((s) => s.op !== "same").length,
    timeline: {
      ...roundAll(clock.marks),
      requests: roundWindows(requestWindows(requests, started)),
    },
  };
}

/** Host CPU milliseconds per operation, without the host's startup (loading the SDK). */
export function cpuMsPerOperation(m: Measured): number | undefined {
  if (!m.host || m.operations === 0) return undefined;
  return round((1000 * (m.host.cpuSeconds - m.host.startupCpuSeconds)) / m.operations, 2);
}

function roundAll<T extends object>(marks: T): T {
  return Object.fromEntries(Object.entries(marks).map(([k, v]) => [k, round(v as number, 2)])) as T;
}

function roundWindows(windows: Record<string, [number, number]>): Record<string, [number, number]> {
  return Object.fromEntries(Object.entries(windows).map(([k, [a, b]]) => [k, [round(a, 2), round(b, 2)]]));
}
