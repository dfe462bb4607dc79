import { MpsApiError } from "../../core/errors";
import { WaitScheduler } from "../../core/jobs/scheduler";
import { GAP_FRACTION, POLL_SHARE, SLACK_FRACTION } from "../../core/jobs/scheduler-rule";
import { JobWatcher, LibraryWatcher, noticingSubmits } from "../../core/jobs/watchers";
import { RateLimiterRegistry } from "../../core/resilience/rate-limiter-registry";
import { EmulatorFixture } from "./emulator-fixture";

/**
 * The watchers over real HTTP against the emulator, in fake time (the client and the emulator share an I/O-aware
 * fake clock).
 */

describe("lookups against the emulator: gone only when MPS says so", () => {
  let fixture: EmulatorFixture;
  beforeAll(async () => {
    fixture = await EmulatorFixture.start({ quota: 50 });
  });
  afterAll(() => fixture.close());
  beforeEach(() => fixture.emulator.admin.reset());

  it("an fpDbId with a trailing space is not 'gone': the lookup fails naming it, and the library lives", async () => {
    const id = fixture.emulator.admin.seedLibrary({ name: "kept" });
    const watcher = new LibraryWatcher(fixture.client(), { clock: fixture.clock });
    const error = await watcher.lookup([`${id} `]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MpsApiError);
    expect((error as MpsApiError).message).toContain(`"${id} "`);
    expect(fixture.emulator.admin.state().libraries.find((l) => l.fpDbId === id)?.deleted).toBe(false);
  });

  it("an id with a comma in a batch of 10 (11 ids on the wire) fails only its own lookup", async () => {
    const ids = Array.from({ length: 9 }, (_, i) => fixture.emulator.admin.seedLibrary({ name: `n${i}` }));
    const bad = "0123456789abcdef,0123456789abcdee";
    const watcher = new LibraryWatcher(fixture.client(), { clock: fixture.clock });
    const settled = await Promise.allSettled([...ids, bad].map((id) => watcher.lookup([id])));
    for (let i = 0; i < 9; i++) {
      const s = settled[i];
      expect(s.status === "fulfilled" && s.value.get(ids[i])?.status).toBe("active");
    }
    const last = settled[9];
    expect(last.status).toBe("rejected");
    expect(last.status === "rejected" && (last.reason as Error).message).toContain(`"${bad}"`);
  });

  it("a job id with a comma among nine real jobs fails only its own lookup", async () => {
    const api = fixture.client();
    const ids = Array.from({ length: 9 }, (_, i) => fixture.emulator.admin.seedLibrary({ name: `j${i}` }));
    const jobIds: string[] = [];
    for (const fpDbId of ids)
      jobIds.push((await api.submitFpDbDeleteJob({ fpDbId, delType: "Purge" })).jobId);
    const bad = "job-a,job-b";
    const watcher = new JobWatcher(api, { clock: fixture.clock });
    const settled = await Promise.allSettled([...jobIds, bad].map((id) => watcher.lookup([id])));
    for (let i = 0; i < 9; i++) {
      const s = settled[i];
      expect(s.status === "fulfilled" && s.value.get(jobIds[i])?.fpDbId).toBe(ids[i]);
    }
    const last = settled[9];
    expect(last.status === "rejected" && (last.reason as Error).message).toContain(`"${bad}"`);
  });
});

describe("waits against the emulator with distributed durations", () => {
  const FLOOR_MS = 1000;

  async function runWaits(
    fixture: EmulatorFixture,
    count: number,
    delType: "Purge" | "Delete",
  ): Promise<{
    latencies: { durationMs: number; latencyMs: number }[];
    endedAt: number;
    lastEnd: number;
  }> {
    const start = fixture.clock.now();
    const client = fixture.client();
    const jobs = new JobWatcher(client, { clock: fixture.clock });
    const api = noticingSubmits(client, jobs, fixture.clock);
    const ids = Array.from({ length: count }, (_, i) =>
      fixture.emulator.admin.seedLibrary({ name: `w${i}` }),
    );
    const seen = new Map<string, number>();
    const waits = ids.map(async (fpDbId) => {
      const { jobId } = await api.submitFpDbDeleteJob({ fpDbId, delType });
      const job = await jobs.waitForJob(jobId, {
        intervalMs: FLOOR_MS,
        timeoutMs: 600_000,
        describe: `library ${fpDbId}`,
      });
      seen.set(job.jobId, fixture.clock.now());
    });
    await Promise.all(waits);
    const ledger = fixture.emulator.admin.state().jobs.filter((j) => seen.has(j.jobId));
    const latencies = ledger.map((j) => {
      const end = Date.parse(j.submittedAt) + j.durationMs;
      return { durationMs: j.durationMs, latencyMs: seen.get(j.jobId)! - end };
    });
    return {
      latencies,
      endedAt: Math.max(...seen.values()) - start,
      lastEnd: Math.max(...ledger.map((j) => Date.parse(j.submittedAt) + j.durationMs)) - start,
    };
  }

  it("8 waits on uniform 2-10 s Purges: each seen within max(1 s, t/15) + t/30 of its end", async () => {
    const fixture = await EmulatorFixture.start({
      quota: 100,
      seed: 3,
      purgeSeconds: { uniform: { min: 2, max: 10 } },
    });
    try {
      const { latencies } = await runWaits(fixture, 8, "Purge");
      for (const { durationMs, latencyMs } of latencies) {
        const waited = durationMs + latencyMs;
        expect(latencyMs).toBeGreaterThanOrEqual(0);
        expect(latencyMs).toBeLessThanOrEqual(
          Math.max(FLOOR_MS, waited * GAP_FRACTION) + waited * SLACK_FRACTION + 50,
        );
      }
    } finally {
      await fixture.close();
    }
  });

  it("60 waits on lognormal Deletes (median 10 s, p95 30 s): done within 5% of the last end plus a second, polls within the budget", async () => {
    const fixture = await EmulatorFixture.start({
      quota: 100,
      seed: 4,
      deleteSeconds: { lognormal: { median: 10, p95: 30, max: 120 } },
    });
    try {
      const { latencies, endedAt, lastEnd } = await runWaits(fixture, 60, "Delete");
      expect(latencies).toHaveLength(60);
      expect(new Set(latencies.map((l) => l.durationMs)).size).toBeGreaterThan(50);
      expect(latencies.every((l) => l.latencyMs >= 0 && l.latencyMs <= 30_000)).toBe(true);
      expect(endedAt).toBeLessThanOrEqual(1.05 * (lastEnd + FLOOR_MS));
      const polls = fixture.emulator.admin
        .requests()
        .filter((r) => r.action === "QueryFpDBDeleteJobList")
        .map((r) => Date.parse(r.time));
      let busiest = 0;
      for (let i = 0, j = 0; i < polls.length; i++) {
        while (j < polls.length && polls[j] < polls[i] + 1000) j++;
        busiest = Math.max(busiest, j - i);
      }
      expect(busiest).toBeLessThanOrEqual(Math.floor(1.1 * POLL_SHARE * 100));
    } finally {
      await fixture.close();
    }
  });
});

describe("polls and the client's other calls draw on one request budget", () => {
  const JOB_SECONDS = 30;
  let fixture: EmulatorFixture;
  beforeAll(async () => {
    fixture = await EmulatorFixture.start({ quota: 10, purgeSeconds: JOB_SECONDS });
  });
  afterAll(() => fixture.close());
  beforeEach(() => fixture.emulator.admin.reset());

  /** A lone Purge wait through a client and a scheduler that share one limiter registry (5 requests/s). */
  async function loneWait(otherTraffic: boolean): Promise<{ looks: number; latencyMs: number }> {
    const limiters = new RateLimiterRegistry({ clock: fixture.clock, requestsPerSecond: 5 });
    const client = fixture.client({ limiters });
    const scheduler = new WaitScheduler({ clock: fixture.clock, limiters });
    const jobs = new JobWatcher(client, {
      clock: fixture.clock,
      scheduler,
      endpointKey: fixture.emulator.endpoint,
    });
    let stopped = !otherTraffic;
    // The client's other calls of the same action, as fast as its limiter lets them go: the budget is never idle.
    const traffic = (async () => {
      while (!stopped) await client.queryFpDbDeleteJobList();
    })();
    const fpDbId = fixture.emulator.admin.seedLibrary({ name: "lone" });
    const { jobId } = await noticingSubmits(client, jobs, fixture.clock).submitFpDbDeleteJob({
      fpDbId,
      delType: "Purge",
    });
    let looks = 0;
    await jobs.waitForJob(jobId, {
      intervalMs: 1000,
      timeoutMs: 600_000,
      describe: "lone",
      onPoll: () => (looks += 1),
    });
    const seenAt = fixture.clock.now();
    stopped = true;
    await traffic;
    const job = fixture.emulator.admin.state().jobs.find((j) => j.jobId === jobId)!;
    return { looks, latencyMs: seenAt - (Date.parse(job.submittedAt) + job.durationMs) };
  }

  it("GIVEN the endpoint's budget is idle THEN a lone wait is looked at a floor apart and seen within a floor of its end", async () => {
    const { looks, latencyMs } = await loneWait(false);
    expect(looks).toBeGreaterThanOrEqual(JOB_SECONDS);
    expect(latencyMs).toBeLessThanOrEqual(1000);
  });

  it("GIVEN the client's other calls of the action keep its limiter busy THEN the lone wait spends nothing spare: rule 1's looks only", async () => {
    const { looks } = await loneWait(true);
    // Rule 1: a floor apart for 15 s, then a fifteenth of the time waited: 26 looks up to 30 s, not 30.
    expect(looks).toBeLessThanOrEqual(27);
  });
});
