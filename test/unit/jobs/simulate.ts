import { sampleMs, type DurationSpec } from "../../../emulator/durations";
import { createPrng } from "../../../emulator/prng";
import { WaitScheduler } from "../../../core/jobs/scheduler";
import { JobWatcher, noticingSubmits } from "../../../core/jobs/watchers";
import { FakeClock } from "../../support/fake-clock";
import { FakeMpsApi, type FakeCall } from "./fake-api";

/** One simulated run: `jobs` Delete jobs submitted `submitEveryMs` apart, each waited for. */
export interface Simulation {
  jobs: number;
  submitEveryMs: number;
  durations: DurationSpec;
  seed?: number;
  floorMs?: number;
  capMs?: number;
  requestsPerSecond?: number;
  /** Answer delay of every call. */
  latencyMs?: number;
}

/** What happened to one job. */
export interface JobSeen {
  startedAt: number;
  durationMs: number;
  /** When its wait saw it done, minus when it ended. */
  latencyMs: number;
  looks: number;
}

export interface SimulationResult {
  jobs: JobSeen[];
  /** Every QueryFpDBDeleteJobList call (polls). */
  polls: FakeCall[];
  /** When the last wait ended, from the first submit. */
  endedAt: number;
}

/** Runs waits through a JobWatcher on a fake clock and a fake API whose jobs end after drawn durations. */
export async function simulate(s: Simulation): Promise<SimulationResult> {
  const clock = new FakeClock();
  const start = clock.now();
  const api = new FakeMpsApi(clock);
  api.latencyMs = s.latencyMs ?? 0;
  const random = createPrng(s.seed ?? 1);
  const durations: number[] = [];
  api.jobDurationMs = () => {
    const ms = Math.round(sampleMs(s.durations, random));
    durations.push(ms);
    return ms;
  };
  const scheduler = new WaitScheduler({ clock, requestsPerSecond: s.requestsPerSecond ?? 100 });
  const watcher = new JobWatcher(api, { clock, scheduler });
  const submitting = noticingSubmits(api, watcher, clock);
  const seen: Promise<JobSeen>[] = [];
  for (let i = 0; i < s.jobs; i++) {
    if (i > 0) await clock.sleep(s.submitEveryMs);
    const { jobId } = await submitting.submitFpDbDeleteJob({ fpDbId: `lib-${i}`, delType: "Delete" });
    const durationMs = durations[i];
    const startedAt = api.jobs.get(jobId)!.addedAt;
    let looks = 0;
    seen.push(
      watcher
        .waitForJob(jobId, {
          intervalMs: s.floorMs ?? 1000,
          maxIntervalMs: s.capMs ?? 30_000,
          timeoutMs: 3_600_000,
          describe: `library lib-${i}`,
          onPoll: () => (looks += 1),
        })
        .then(() => ({
          startedAt: startedAt - start,
          durationMs,
          latencyMs: clock.now() - api.latencyMs - (startedAt + durationMs),
          looks,
        })),
    );
  }
  const jobs = await Promise.all(seen);
  return {
    jobs,
    polls: api.callsTo("QueryFpDBDeleteJobList").map((c) => ({ ...c, at: c.at - start })),
    endedAt: clock.now() - start,
  };
}

/** The most calls in any window of `windowMs` starting at a call. */
export function busiestWindow(calls: FakeCall[], windowMs = 1000): number {
  let most = 0;
  for (let i = 0, j = 0; i < calls.length; i++) {
    while (j < calls.length && calls[j].at < calls[i].at + windowMs) j++;
    most = Math.max(most, j - i);
  }
  return most;
}
