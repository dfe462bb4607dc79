/**
 * Where the time of one operation went: when the host was ready, when steps started and finished, and when the
 * emulator saw the first and last request of each action, all in seconds from the operation's start.
 */
import type { RecordedRequest } from "../emulator";

/** Seconds from the start of the operation. */
export interface Timeline {
  hostReady?: number;
  firstStepStart?: number;
  lastStepStart?: number;
  firstStepDone?: number;
  lastStepDone?: number;
  /** First and last request of each action (throttled ones included). */
  requests: Record<string, [number, number]>;
}

/** Collects step events as they happen. */
export class StepClock {
  readonly marks: Omit<Timeline, "requests"> = {};

  constructor(private readonly startedAt: number) {}

  /** Records `event` now; `first*` marks keep their first value, `last*` marks move. */
  mark(event: "hostReady" | "stepStart" | "stepDone"): void {
    const t = (Date.now() - this.startedAt) / 1000;
    if (event === "hostReady") this.marks.hostReady ??= t;
    else if (event === "stepStart") {
      this.marks.firstStepStart ??= t;
      this.marks.lastStepStart = t;
    } else {
      this.marks.firstStepDone ??= t;
      this.marks.lastStepDone = t;
    }
  }
}

/** First and last request of each action at or after `startedAt` (epoch ms), relative to it. */
export function requestWindows(
  requests: readonly RecordedRequest[],
  startedAt: number,
): Record<string, [number, number]> {
  const windows: Record<string, [number, number]> = {};
  for (const r of requests) {
    const t = Date.parse(r.time);
    if (t < startedAt || r.action === undefined) continue;
    const s = (t - startedAt) / 1000;
    const w = windows[r.action];
    if (w) w[1] = s;
    else windows[r.action] = [s, s];
  }
  return windows;
}
