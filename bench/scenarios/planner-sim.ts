/**
 * `planner-sim`: the wait scheduler alone, in virtual time: the unit tests' simulation (a fake clock and an
 * in-memory MPS whose answers take 5 ms), so no CPU load or timer slack moves the figures and two versions of the
 * scheduler compare exactly. For fixed job lengths of 3, 10 and 20 s and every 5 s from 35 s to 130 s, N waits on
 * jobs submitted at the client's submit pace (95/s): job-status calls per job, and how long after each job's end
 * its wait saw it (median, 90th percentile, the most, and from the last job's end to the run's). Where the first
 * ends of a bulk run are seen depends on where the leaders' looks fall, so single lengths vary a lot; a summary
 * line averages the lengths from 35 s on. Then a lone wait on a 120 s job.
 */
import { simulate } from "../../test/unit/jobs/simulate";
import type { BenchContext } from "../context";
import { emit, progress, round } from "../report";

/** Job lengths of the bulk runs, in seconds. */
export const SIM_JOB_SECONDS: readonly number[] = [
  3,
  10,
  20,
  ...Array.from({ length: 20 }, (_, i) => 35 + 5 * i),
];

/** The summary line averages the lengths from this one on. */
const SUMMARY_FROM_SECONDS = 35;

/** Answer time of every simulated call, and the gap between submits that makes 95 submits a second with it. */
const LATENCY_MS = 5;
const SUBMIT_EVERY_MS = 1000 / 95 - LATENCY_MS;

export async function runPlannerSimScenario(ctx: BenchContext): Promise<void> {
  const waits = ctx.libraries;
  const long: { calls: number; median: number; tail: number }[] = [];
  for (const jobSeconds of SIM_JOB_SECONDS) {
    progress(`planner-sim: ${waits} waits on ${jobSeconds} s jobs, virtual time`);
    const run = await simulate({
      jobs: waits,
      submitEveryMs: SUBMIT_EVERY_MS,
      durations: jobSeconds,
      latencyMs: LATENCY_MS,
    });
    const late = run.jobs.map((job) => job.latencyMs).sort((a, b) => a - b);
    const lastEnd = Math.max(...run.jobs.map((job) => job.startedAt + job.durationMs));
    const median = late[Math.floor(late.length / 2)];
    if (jobSeconds >= SUMMARY_FROM_SECONDS)
      long.push({ calls: run.polls.length / waits, median, tail: run.endedAt - lastEnd });
    emit({
      scenario: "planner-sim",
      waits,
      jobSeconds,
      jobStatusCallsPerJob: round(run.polls.length / waits, 3),
      lateMsMedian: round(median, 0),
      lateMsP90: round(late[Math.floor(late.length * 0.9)], 0),
      lateMsMax: round(late[late.length - 1], 0),
      lastEndToRunEndMs: round(run.endedAt - lastEnd, 0),
    });
  }
  const mean = (pick: (row: (typeof long)[number]) => number): number =>
    long.reduce((sum, row) => sum + pick(row), 0) / long.length;
  emit({
    scenario: "planner-sim-summary",
    waits,
    jobSeconds: `${SUMMARY_FROM_SECONDS} to ${SIM_JOB_SECONDS[SIM_JOB_SECONDS.length - 1]}, every 5`,
    meanJobStatusCallsPerJob: round(
      mean((row) => row.calls),
      3,
    ),
    mostJobStatusCallsPerJob: round(Math.max(...long.map((row) => row.calls)), 3),
    meanLateMsMedian: round(
      mean((row) => row.median),
      0,
    ),
    meanLastEndToRunEndMs: round(
      mean((row) => row.tail),
      0,
    ),
    mostLastEndToRunEndMs: round(Math.max(...long.map((row) => row.tail)), 0),
  });
  const lone = await simulate({ jobs: 1, submitEveryMs: 0, durations: 120, latencyMs: LATENCY_MS });
  emit({
    scenario: "planner-sim",
    waits: 1,
    jobSeconds: 120,
    jobStatusCalls: lone.polls.length,
    lateMs: round(lone.jobs[0].latencyMs, 0),
  });
}
