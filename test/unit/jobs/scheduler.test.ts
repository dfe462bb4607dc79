import type { DurationSpec } from "../../../emulator/durations";
import { LOOKUP_BURST_MS, LOOKUP_HOLD_MS, WaitScheduler } from "../../../core/jobs/scheduler";
import {
  GAP_FRACTION,
  LATENCY_FRACTION,
  POLL_SHARE,
  PROBE_TOLERANCE,
  SLACK_FRACTION,
} from "../../../core/jobs/scheduler-rule";
import { JobWatcher, noticingSubmits } from "../../../core/jobs/watchers";
import { FakeClock } from "../../support/fake-clock";
import { FakeMpsApi, deleteJob } from "./fake-api";
import { busiestWindow, simulate, type JobSeen } from "./simulate";

/**
 * The wait scheduler's rule (core/jobs/scheduler-rule.ts) on a fake clock, on fixed, uniform and lognormal
 * job durations: the latency bound, learning, the polling budget and lone waits.
 */

const FLOOR_MS = 1000;
const UNIFORM: DurationSpec = { uniform: { min: 2, max: 10 } };
const LOGNORMAL: DurationSpec = { lognormal: { median: 10, p95: 30, max: 120 } };

/** Rule 1 and 5: a job that ends is seen within max(floor, t/15) + t/30, t the time waited when it is seen. */
function withinBound(job: JobSeen): boolean {
  const waited = job.durationMs + job.latencyMs;
  return job.latencyMs <= Math.max(FLOOR_MS, waited * GAP_FRACTION) + waited * SLACK_FRACTION + 1;
}

/** How many looks rule 1 alone (a sweep of every id) would make for a job of `durationMs`. */
function sweepLooks(durationMs: number): number {
  let looks = 0;
  for (let at = 0; at < durationMs; at += Math.max(FLOOR_MS, at * GAP_FRACTION)) looks += 1;
  return looks;
}

/** A watcher on a fake clock, and the API as the provider wires it: every job submitted lasts `durationMs`. */
function submittingJobsOf(durationMs: number) {
  const clock = new FakeClock();
  const api = new FakeMpsApi(clock);
  api.jobDurationMs = () => durationMs;
  const watcher = new JobWatcher(api, { clock });
  return { clock, api, watcher, submit: noticingSubmits(api, watcher, clock) };
}

describe("the latency bound", () => {
  it("states about a tenth of the time waited", () => {
    expect(LATENCY_FRACTION).toBeCloseTo(0.1, 6);
  });

  it.each([[2], [3], [7], [20], [120], [1800]])(
    "a lone %d s job is seen within max(1 s, t/15) + t/30 of its end",
    async (seconds) => {
      const [job] = (await simulate({ jobs: 1, submitEveryMs: 0, durations: seconds })).jobs;
      expect(withinBound(job)).toBe(true);
      expect(job.latencyMs).toBeLessThanOrEqual(Math.max(FLOOR_MS, seconds * 1000 * LATENCY_FRACTION));
    },
  );

  it.each<[string, DurationSpec]>([
    ["fixed 3 s", 3],
    ["fixed 20 s", 20],
    ["uniform 2-10 s", UNIFORM],
    ["lognormal median 10 s, p95 30 s", LOGNORMAL],
  ])(
    "8 concurrent waits (a wave at the CLI's default parallelism), %s: every job within the bound",
    async (_n, durations) => {
      for (const seed of [1, 2, 3]) {
        const { jobs } = await simulate({ jobs: 8, submitEveryMs: 50, durations, seed });
        expect(jobs.filter((job) => !withinBound(job))).toEqual([]);
      }
    },
  );

  it.each<[string, DurationSpec]>([
    ["fixed 3 s", 3],
    ["fixed 20 s", 20],
  ])("1000 waits, %s: every job within the bound", async (_n, durations) => {
    const { jobs } = await simulate({ jobs: 1000, submitEveryMs: 10, durations });
    expect(jobs.filter((job) => !withinBound(job))).toEqual([]);
  });

  it.each<[string, DurationSpec]>([
    ["uniform 2-10 s", UNIFORM],
    ["lognormal median 10 s, p95 30 s", LOGNORMAL],
  ])(
    "1000 waits, %s: under the budget the run still ends within 5%% of the last job's end plus a second",
    async (_n, durations) => {
      const { jobs, endedAt } = await simulate({ jobs: 1000, submitEveryMs: 10, durations });
      const lastEnd = Math.max(...jobs.map((job) => job.startedAt + job.durationMs));
      expect(endedAt).toBeLessThanOrEqual(1.05 * (lastEnd + FLOOR_MS));
      const late = jobs.filter((job) => !withinBound(job)).length;
      expect(late).toBeLessThan(jobs.length / 2);
    },
  );
});

describe("the two figures of the poll planner", () => {
  it.each([[120], [1800]])(
    "where the budget is idle, a lone %d s job is seen within a floor of its end, one look per floor",
    async (seconds) => {
      const { jobs, polls } = await simulate({ jobs: 1, submitEveryMs: 0, durations: seconds });
      expect(jobs[0].latencyMs).toBeLessThanOrEqual(FLOOR_MS);
      // The price: a look per floor, calls no other wait needed.
      expect(polls).toHaveLength(Math.ceil((seconds * 1000) / FLOOR_MS));
    },
  );

  it.each([[3], [20], [45], [90], [120]])(
    "1000 jobs of a fixed %d s submitted at 100/s: at most 0.17 job-status calls per job, each job within the bound",
    async (seconds) => {
      const { jobs, polls } = await simulate({ jobs: 1000, submitEveryMs: 10, durations: seconds });
      expect(polls.length / jobs.length).toBeLessThanOrEqual(0.17);
      expect(jobs.filter((job) => !withinBound(job))).toEqual([]);
    },
  );
});

describe("learning", () => {
  it.each<[string, number, DurationSpec]>([
    ["fixed 3 s", 1.1, 3],
    ["fixed 20 s", 1.3, 20],
  ])(
    "1000 jobs submitted at 100/s, %s: each looked at about once (at most %s looks a job), not swept",
    async (_n, maxLooks, durations) => {
      const { jobs, polls } = await simulate({ jobs: 1000, submitEveryMs: 10, durations });
      const looks = jobs.reduce((sum, job) => sum + job.looks, 0) / jobs.length;
      expect(looks).toBeLessThanOrEqual(maxLooks);
      expect(polls.length / jobs.length).toBeLessThanOrEqual(maxLooks / 10 + 0.02);
      expect(looks).toBeLessThan(sweepLooks((durations as number) * 1000) / 2);
    },
  );

  it.each([[20]])(
    "1000 jobs of a fixed %d s: the class's bounds close in, so later jobs are seen within PROBE_TOLERANCE of their end, not as late as the leaders",
    async (seconds) => {
      const { jobs } = await simulate({ jobs: 1000, submitEveryMs: 10, durations: seconds });
      const tolerance = seconds * 1000 * PROBE_TOLERANCE;
      const later = jobs.slice(100).map((job) => job.latencyMs);
      later.sort((a, b) => a - b);
      expect(later[Math.floor(0.9 * later.length)]).toBeLessThanOrEqual(tolerance);
      // The leaders, swept by rule 1 before anything was learned, were seen up to a sweep gap late: a class that
      // only learned the shortest duration seen would keep looking that late at every later job.
      expect(Math.min(...jobs.slice(0, 5).map((job) => job.latencyMs))).toBeGreaterThan(tolerance);
    },
  );

  it.each<[string, number, DurationSpec]>([
    ["uniform 2-10 s", 0.4, UNIFORM],
    ["lognormal median 10 s, p95 30 s", 0.6, LOGNORMAL],
  ])(
    "1000 jobs, %s: fewer than half the calls of a sweep (at most %s calls a job)",
    async (_n, maxCalls, durations) => {
      const { jobs, polls } = await simulate({ jobs: 1000, submitEveryMs: 10, durations });
      const sweep = jobs.reduce((sum, job) => sum + sweepLooks(job.durationMs), 0) / 10;
      expect(polls.length / jobs.length).toBeLessThanOrEqual(maxCalls);
      expect(polls.length).toBeLessThan(sweep / 2);
    },
  );

  it("learns per class: long Delete jobs do not delay the looks at a short Purge", async () => {
    const { clock, api, watcher, submit } = submittingJobsOf(30_000);
    const options = { intervalMs: 1000, timeoutMs: 3_600_000, describe: "lib" };
    const deletes: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      const { jobId } = await submit.submitFpDbDeleteJob({ fpDbId: `d-${i}`, delType: "Delete" });
      deletes.push(watcher.waitForJob(jobId, options));
    }
    await Promise.all(deletes);
    api.jobDurationMs = () => 2000;
    const started = clock.now();
    const { jobId } = await submit.submitFpDbDeleteJob({ fpDbId: "p-1", delType: "Purge" });
    await watcher.waitForJob(jobId, options);
    expect(clock.now() - started).toBe(2000);
    // The same short job as a Delete is looked at when the Deletes taught it to (30 s), not before.
    const again = await submit.submitFpDbDeleteJob({ fpDbId: "d-x", delType: "Delete" });
    const at = clock.now();
    await watcher.waitForJob(again.jobId, options);
    expect(clock.now() - at).toBe(30_000);
  });
});

describe("the polling budget", () => {
  it("is a fifth of requestsPerSecond", () => {
    expect(POLL_SHARE).toBe(1 / 5);
  });

  it.each<[string, number, DurationSpec]>([
    ["fixed 20 s", 100, 20],
    ["uniform 2-10 s", 100, UNIFORM],
    ["lognormal median 10 s, p95 30 s", 100, LOGNORMAL],
    ["lognormal median 10 s, p95 30 s", 50, LOGNORMAL],
  ])(
    "1000 concurrent waits, %s, %s requests/s: at most 1.1 x the share of polls in any second",
    async (_n, requestsPerSecond, durations) => {
      const { polls } = await simulate({ jobs: 1000, submitEveryMs: 1, durations, requestsPerSecond });
      expect(busiestWindow(polls)).toBeLessThanOrEqual(Math.floor(1.1 * POLL_SHARE * requestsPerSecond));
    },
  );

  it("GIVEN the last waits of a bulk run, due a few ms apart while the lane waits for tokens THEN each is seen within one token interval of its end", async () => {
    const latencyMs = 5;
    const { jobs, endedAt } = await simulate({ jobs: 1000, submitEveryMs: 10.5, durations: 3, latencyMs });
    // Without sharing, each of the last waits took a token of its own and the n-th from the end was seen about
    // n token intervals late (0.2 s for the last).
    const tokenIntervalMs = 1000 / (POLL_SHARE * 100);
    expect(jobs.slice(-10).map((j) => j.latencyMs <= tokenIntervalMs + latencyMs)).toEqual(
      Array(10).fill(true),
    );
    const lastEnd = Math.max(...jobs.map((j) => j.startedAt + j.durationMs));
    expect(endedAt - lastEnd).toBeLessThanOrEqual(tokenIntervalMs + 2 * latencyMs);
  });

  it("does not hold back one-off lookups (they are not polls)", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    const watcher = new JobWatcher(api, {
      clock,
      scheduler: new WaitScheduler({ clock, requestsPerSecond: 10 }),
    });
    const start = clock.now();
    await Promise.all(Array.from({ length: 100 }, (_, i) => watcher.lookup([`job-${i}`])));
    const calls = api.callsTo("QueryFpDBDeleteJobList");
    expect(calls).toHaveLength(10);
    expect(calls.every((call) => call.at === start)).toBe(true);
  });
});

describe("one-off lookups", () => {
  it("a lone lookup goes at once; lookups in a burst are held up to LOOKUP_HOLD_MS to fill a call", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    const watcher = new JobWatcher(api, { clock });
    const start = clock.now();
    await watcher.lookup(["job-a"]);
    const second = watcher.lookup(["job-b"]);
    clock.advance(LOOKUP_HOLD_MS / 2);
    const third = watcher.lookup(["job-c"]);
    await Promise.all([second, third]);
    expect(api.calls.map((call) => [call.ids, call.at - start])).toEqual([
      [["job-a"], 0],
      [["job-b", "job-c"], LOOKUP_HOLD_MS],
    ]);
    await clock.sleep(LOOKUP_BURST_MS);
    await watcher.lookup(["job-d"]);
    expect(api.calls[2].at - start).toBe(LOOKUP_HOLD_MS + LOOKUP_BURST_MS);
  });
});

describe("waves at the CLI's default parallelism", () => {
  it("GIVEN a second wave of 8 jobs after a first THEN each is looked at once, at the duration the first taught: no probe that would miss by a gap", async () => {
    // The sweep sees them about 0.1 s late, after a look about 1.3 s before that found them running: halfway
    // between the two would be too early.
    const { clock, watcher, submit } = submittingJobsOf(20_600);
    const options = { intervalMs: 1000, timeoutMs: 3_600_000, describe: "lib" };
    const wave = async (): Promise<{ looks: number; waitedMs: number }[]> => {
      const waits: Promise<{ looks: number; waitedMs: number }>[] = [];
      for (let i = 0; i < 8; i++) {
        const { jobId } = await submit.submitFpDbDeleteJob({ fpDbId: `lib-${i}`, delType: "Delete" });
        const at = clock.now();
        let looks = 0;
        waits.push(
          watcher
            .waitForJob(jobId, { ...options, onPoll: () => (looks += 1) })
            .then(() => ({ looks, waitedMs: clock.now() - at })),
        );
      }
      return Promise.all(waits);
    };
    const first = await wave();
    const second = await wave();
    // The first wave is swept (looks a second or more apart) and seen up to a gap late; the second is looked at
    // once, when the shortest duration seen says it is done.
    expect(Math.max(...first.map((w) => w.looks))).toBeGreaterThan(1);
    expect(second.map((w) => w.looks)).toEqual(Array(8).fill(1));
    expect(Math.max(...second.map((w) => w.waitedMs))).toBeLessThanOrEqual(
      Math.min(...first.map((w) => w.waitedMs)),
    );
  });
});

describe("a lone wait", () => {
  it("is looked at exactly on time: no window waiting for company", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.addJob({ job: deleteJob(1), endsAfterMs: 3000 });
    const start = clock.now();
    await new JobWatcher(api, { clock }).waitForJob("job-1", {
      intervalMs: 1000,
      timeoutMs: 60_000,
      describe: "lib",
    });
    expect(api.calls.map((call) => call.at - start)).toEqual([1000, 2000, 3000]);
  });

  it("does not wait for a wait that falls due later than its slack, nor take it along before half its gap", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    const watcher = new JobWatcher(api, { clock });
    const start = clock.now();
    api.addJob({ job: deleteJob(1), endsAfterMs: 1000 });
    const first = watcher.waitForJob("job-1", { intervalMs: 1000, timeoutMs: 60_000, describe: "a" });
    await clock.sleep(600);
    api.addJob({ job: deleteJob(2), endsAfterMs: 1000 });
    const second = watcher.waitForJob("job-2", { intervalMs: 1000, timeoutMs: 60_000, describe: "b" });
    await Promise.all([first, second]);
    expect(api.calls.map((call) => [call.ids, call.at - start])).toEqual([
      [["job-1"], 1000],
      [["job-2"], 1600],
    ]);
  });

  it("with more waits than a call holds, takes waits past half their gap along in a call that goes anyway", async () => {
    const { clock, api, watcher, submit } = submittingJobsOf(5000);
    const start = clock.now();
    const options = { intervalMs: 1000, timeoutMs: 60_000, describe: "x" };
    const waits: Promise<unknown>[] = [];
    const wave = async (count: number): Promise<void> => {
      for (let i = 0; i < count; i++) {
        const { jobId } = await submit.submitFpDbDeleteJob({
          fpDbId: `lib-${waits.length}`,
          delType: "Delete",
        });
        waits.push(watcher.waitForJob(jobId, options));
      }
    };
    await wave(5);
    await clock.sleep(400);
    await wave(6);
    await Promise.all(waits);
    expect(api.callsTo("QueryFpDBDeleteJobList")[0]).toMatchObject({
      at: start + 1000,
      ids: ["job-1", "job-2", "job-3", "job-4", "job-5", "job-6", "job-7", "job-8", "job-9", "job-10"],
    });
    // Job 11 is the eleventh oldest of a class that finishes in order: it is looked at when the ten oldest have
    // taught the class that its jobs take 5 s, not before.
    const firstLook = api.callsTo("QueryFpDBDeleteJobList").find((call) => call.ids.includes("job-11"))!;
    expect(firstLook.at - start).toBe(5400);
  });

  it("with a handful of waits, looks at each exactly on its own schedule (no early rides)", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    const watcher = new JobWatcher(api, { clock });
    const start = clock.now();
    api.addJob({ job: deleteJob(1), endsAfterMs: 3000 });
    const first = watcher.waitForJob("job-1", { intervalMs: 1000, timeoutMs: 60_000, describe: "a" });
    await clock.sleep(300);
    api.addJob({ job: deleteJob(2), endsAfterMs: 3000 });
    const second = watcher.waitForJob("job-2", { intervalMs: 1000, timeoutMs: 60_000, describe: "b" });
    await Promise.all([first, second]);
    expect(api.calls.map((call) => [call.ids, call.at - start])).toEqual([
      [["job-1"], 1000],
      [["job-2"], 1300],
      [["job-1"], 2000],
      [["job-2"], 2300],
      [["job-1"], 3000],
      [["job-2"], 3300],
    ]);
  });
});
