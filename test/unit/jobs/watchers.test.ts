import type { FpDbDeleteJob, FpShotDb } from "../../../core/client/types";
import { JobFailedError, MpsApiError, WaitTimeoutError } from "../../../core/errors";
import { JobNotFoundError } from "../../../core/jobs/errors";
import { GAP_FRACTION } from "../../../core/jobs/scheduler-rule";
import { SLOW_SUBMIT_MS } from "../../../core/jobs/job-window";
import { JobWatcher, LibraryWatcher, type WaitReport, type WaitTiming } from "../../../core/jobs/watchers";
import { FakeClock } from "../../support/fake-clock";
import { busyBudget } from "./busy-budget";
import { FakeMpsApi, deleteJob } from "./fake-api";

const DESCRIBE = "library lib-1 (my-lib)";

type WaitOptions = WaitTiming & WaitReport;

function waitOptions(overrides: Partial<WaitOptions> = {}): WaitOptions {
  return { intervalMs: 5000, timeoutMs: 1_800_000, describe: DESCRIBE, ...overrides };
}

describe("JobWatcher.waitForJob", () => {
  it("resolves with the job once it succeeds", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.addJob({ job: deleteJob(1), endsAfterMs: 20_000 });
    const job = await new JobWatcher(api, { clock }).waitForJob("job-1", waitOptions());
    expect(job).toEqual({ ...deleteJob(1), status: "Success", finishTime: "2026-11-24T00:10:00Z" });
  });

  it("looks a floor (intervalMs) apart at first, then at most a fifteenth of the time waited apart, capped at maxIntervalMs, with a last look at the deadline", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.addJob({ job: deleteJob(1) });
    const polls: number[] = [];
    // Where the budget is idle, rule 6 looks a floor apart instead: other traffic keeps it busy here.
    const budget = busyBudget(clock);
    const watcher = new JobWatcher(api, budget.watching);
    const error = await watcher
      .waitForJob(
        "job-1",
        waitOptions({
          intervalMs: 1000,
          maxIntervalMs: 4000,
          timeoutMs: 100_000,
          onPoll: (_s, ms) => polls.push(ms),
        }),
      )
      .catch((e: unknown) => e);
    budget.stop();
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(polls.slice(0, 15)).toEqual(Array.from({ length: 15 }, (_, i) => (i + 1) * 1000));
    expect(polls[polls.length - 1]).toBe(100_000);
    for (let i = 1; i < polls.length - 1; i++) {
      const gap = polls[i] - polls[i - 1];
      expect(gap).toBeCloseTo(Math.min(4000, Math.max(1000, polls[i - 1] * GAP_FRACTION)), 2);
    }
    expect(Math.max(...polls.slice(1).map((p, i) => p - polls[i]))).toBe(4000);
  });

  it("never looks more often than intervalMs, and caps gaps at 30 s by default", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.addJob({ job: deleteJob(1) });
    const gaps: number[] = [];
    let last = 0;
    const onPoll = (_s: string, ms: number): void => {
      gaps.push(ms - last);
      last = ms;
    };
    const budget = busyBudget(clock);
    const watcher = new JobWatcher(api, budget.watching);
    await watcher
      .waitForJob("job-1", waitOptions({ intervalMs: 20_000, timeoutMs: 1_000_000, onPoll }))
      .catch(() => {});
    expect(Math.min(...gaps.slice(0, -1))).toBe(20_000);
    expect(Math.max(...gaps)).toBe(30_000);
    gaps.length = 0;
    last = 0;
    await watcher
      .waitForJob(
        "job-1",
        waitOptions({ intervalMs: 40_000, maxIntervalMs: 10_000, timeoutMs: 120_000, onPoll }),
      )
      .catch(() => {});
    budget.stop();
    expect(gaps).toEqual([40_000, 40_000, 40_000]);
  });

  it("reports every poll's status and elapsed time", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.addJob({ job: deleteJob(1), endsAfterMs: 10_000 });
    const seen: [string, number][] = [];
    await new JobWatcher(api, { clock }).waitForJob(
      "job-1",
      waitOptions({ intervalMs: 4000, onPoll: (status, ms) => seen.push([status, ms]) }),
    );
    expect(seen).toEqual([
      ["Analysing", 4000],
      ["Analysing", 8000],
      ["Success", 12_000],
    ]);
  });

  it("throws JobFailedError naming the job, the library, Code and Message when the job fails", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.addJob({
      job: deleteJob(1),
      endsAfterMs: 6000,
      outcome: {
        status: "Fail",
        code: "ServiceUnavailable",
        message: "The request has failed due to a temporary failure of the server.",
      },
    });
    const error = await new JobWatcher(api, { clock })
      .waitForJob("job-1", waitOptions())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobFailedError);
    expect(error).toMatchObject({
      message:
        "Delete job job-1 for library lib-1 (my-lib) failed: ServiceUnavailable: The request has failed due to a " +
        "temporary failure of the server. Run the operation again to submit a new job; if it keeps failing, give " +
        "the JobId to Alibaba Cloud support.",
      jobId: "job-1",
      fpDbId: "lib-1",
      delType: "Delete",
      code: "ServiceUnavailable",
      jobMessage: "The request has failed due to a temporary failure of the server.",
    });
  });

  it("throws WaitTimeoutError with the JobId, last status and time waited", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.addJob({ job: deleteJob(1) });
    const error = await new JobWatcher(api, { clock })
      .waitForJob("job-1", waitOptions({ timeoutMs: 60_000 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({
      message:
        "Timed out after 60 s waiting for job job-1 for library lib-1 (my-lib); last status: Analysing. The job " +
        "may still finish: raise jobTimeoutSeconds, or run the operation again to resume waiting for it.",
      subjectId: "job-1",
      lastStatus: "Analysing",
      waitedMs: 60_000,
    });
  });

  it("says clearly when the service does not know the job (NonExistIds)", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    const error = await new JobWatcher(api, { clock })
      .waitForJob("job-404", waitOptions())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JobNotFoundError);
    expect(error).toMatchObject({
      jobId: "job-404",
      message:
        "Job job-404 for library lib-1 (my-lib) is unknown to MPS: QueryFpDBDeleteJobList lists it in " +
        "NonExistIds. Jobs are kept per region: check that the endpoint and region are the ones the job was " +
        "submitted to, then run the operation again.",
    });
  });

  it("keeps polling after a poll fails for a non-fatal reason, and reports the failure", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.addJob({ job: deleteJob(1), endsAfterMs: 12_000 });
    const transient = new MpsApiError(
      "MPS QueryFpDBDeleteJobList failed",
      "QueryFpDBDeleteJobList",
      "InternalError",
      "transient",
    );
    api.failNext(transient, transient);
    const failures: [string, number][] = [];
    const job = await new JobWatcher(api, { clock }).waitForJob(
      "job-1",
      waitOptions({ intervalMs: 4000, onPollError: (e, ms) => failures.push([e.code, ms]) }),
    );
    expect(job.status).toBe("Success");
    expect(failures).toEqual([
      ["InternalError", 4000],
      ["InternalError", 8000],
    ]);
  });

  it("stops at once on a fatal poll failure, naming what it waited for", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.addJob({ job: deleteJob(1) });
    api.failNext(
      new MpsApiError(
        "MPS QueryFpDBDeleteJobList failed: SignatureDoesNotMatch.",
        "QueryFpDBDeleteJobList",
        "SignatureDoesNotMatch",
        "fatal",
        400,
        "R9",
      ),
    );
    const error = await new JobWatcher(api, { clock })
      .waitForJob("job-1", waitOptions())
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MpsApiError);
    expect(error).toMatchObject({
      message:
        "While waiting for library lib-1 (my-lib): MPS QueryFpDBDeleteJobList failed: SignatureDoesNotMatch.",
      code: "SignatureDoesNotMatch",
      kind: "fatal",
      statusCode: 400,
      requestId: "R9",
    });
    expect(api.calls).toHaveLength(1);
  });
});

describe("JobWatcher batching", () => {
  it.each([[1], [10], [25], [1000]])(
    "%d concurrent waits: calls of at most 10 distinct ids, every wait ends, each job looked at about once after learning",
    async (n) => {
      const clock = new FakeClock();
      const api = new FakeMpsApi(clock);
      const watcher = new JobWatcher(api, { clock });
      for (let i = 1; i <= n; i++) api.addJob({ job: deleteJob(i), endsAfterMs: 60_000 });
      const jobs = await Promise.all(
        Array.from({ length: n }, (_, i) =>
          watcher.waitForJob(`job-${i + 1}`, waitOptions({ intervalMs: 1000 })),
        ),
      );
      expect(jobs.every((job) => job.status === "Success")).toBe(true);
      const calls = api.callsTo("QueryFpDBDeleteJobList");
      for (const call of calls) {
        expect(call.ids.length).toBeLessThanOrEqual(10);
        expect(new Set(call.ids).size).toBe(call.ids.length);
      }
      // The ten oldest are swept; the others are looked at when those are seen done.
      const sweepCalls = calls.filter((call) => call.at - calls[0].at < 59_000).length;
      expect(calls.length - sweepCalls).toBe(Math.ceil(n / 10));
    },
  );

  it("coalesces lookups made in the same turn, sharing duplicate ids", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    for (let i = 1; i <= 15; i++) api.addJob({ job: deleteJob(i) });
    const watcher = new JobWatcher(api, { clock });
    const results = await Promise.all([
      ...Array.from({ length: 15 }, (_, i) => watcher.lookup([`job-${i + 1}`])),
      watcher.lookup(["job-11", "job-12", "job-404"]),
    ]);
    const calls = api.callsTo("QueryFpDBDeleteJobList");
    expect(calls.map((call) => call.ids.length)).toEqual([10, 6]);
    expect(results[0].get("job-1")?.jobId).toBe("job-1");
    expect([...results[15].entries()].map(([id, job]) => [id, job?.jobId])).toEqual([
      ["job-11", "job-11"],
      ["job-12", "job-12"],
      ["job-404", undefined],
    ]);
  });

  it("sends lookups at once: no coalescing window, a partial batch goes with the full one", async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const api = new FakeMpsApi(clock);
    const watcher = new JobWatcher(api, { clock });
    await watcher.lookup(Array.from({ length: 13 }, (_, i) => `job-${i}`));
    expect(api.calls.map((call) => [call.ids.length, call.at - start])).toEqual([
      [10, 0],
      [3, 0],
    ]);
  });

  it("rejects every caller of a batch whose call failed, and only them", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.addJob({ job: deleteJob(11) });
    const failure = new MpsApiError("boom", "QueryFpDBDeleteJobList", "InternalError", "transient");
    api.failNext(failure);
    const watcher = new JobWatcher(api, { clock });
    const first = watcher.lookup(Array.from({ length: 10 }, (_, i) => `job-${i}`)).catch((e: unknown) => e);
    await new Promise((resolve) => setImmediate(resolve));
    const second = watcher.lookup(["job-11"]);
    expect(await first).toBe(failure);
    expect([...(await second).keys()]).toEqual(["job-11"]);
    expect((await second).get("job-11")?.fpDbId).toBe("lib-11");
  });
});

describe("JobWatcher.recentJobs", () => {
  it("shares one call among concurrent callers (single flight)", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.latencyMs = 100;
    api.addJob({ job: deleteJob(1) });
    const watcher = new JobWatcher(api, { clock });
    const answers = await Promise.all(Array.from({ length: 5 }, () => watcher.window.recentJobs()));
    expect(api.callsTo("QueryFpDBDeleteJobList")).toEqual([
      { action: "QueryFpDBDeleteJobList", ids: [], at: expect.any(Number) },
    ]);
    expect(answers.every((jobs) => jobs === answers[0])).toBe(true);
    await watcher.window.recentJobs();
    expect(api.callsTo("QueryFpDBDeleteJobList")).toHaveLength(2);
  });

  it("makes a new call for a caller that needs an answer sent after a given time", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.latencyMs = 100;
    const watcher = new JobWatcher(api, { clock });
    const early = watcher.window.recentJobs();
    clock.advance(10);
    const sentAt = clock.now();
    const late = watcher.window.recentJobs({ startedAfter: sentAt });
    const lateToo = watcher.window.recentJobs({ startedAfter: sentAt });
    await Promise.all([early, late, lateToo]);
    expect(api.callsTo("QueryFpDBDeleteJobList")).toHaveLength(2);
    expect(late).toBe(lateToo);
  });

  it("does not keep a failed call: the next caller tries again", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    const failure = new MpsApiError("boom", "QueryFpDBDeleteJobList", "InternalError", "transient");
    api.failNext(failure);
    const watcher = new JobWatcher(api, { clock });
    await expect(watcher.window.recentJobs()).rejects.toBe(failure);
    await expect(watcher.window.recentJobs()).resolves.toEqual([]);
  });
});

describe("LibraryWatcher", () => {
  function library(id: string, status: string): FpShotDb {
    return { fpDbId: id, name: `name-${id}`, status };
  }

  it("waits until the predicate holds and returns the library", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.libraries.set("lib-1", library("lib-1", "offline"));
    void clock.sleep(7000).then(() => api.libraries.set("lib-1", library("lib-1", "active")));
    const watcher = new LibraryWatcher(api, { clock });
    const seen: string[] = [];
    const result = await watcher.waitFor(
      "lib-1",
      (lib) => lib?.status === "active",
      waitOptions({ onPoll: (s) => seen.push(s) }),
    );
    expect(result).toEqual(library("lib-1", "active"));
    expect(seen).toEqual(["offline", "active"]);
  });

  it("passes undefined to the predicate when the library is gone (NonExistIds)", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    const seen: string[] = [];
    const result = await new LibraryWatcher(api, { clock }).waitFor(
      "lib-gone",
      (lib) => lib === undefined,
      waitOptions({ onPoll: (s) => seen.push(s) }),
    );
    expect(result).toBeUndefined();
    expect(seen).toEqual(["gone"]);
  });

  it("throws WaitTimeoutError with the library id and last status", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.libraries.set("lib-1", library("lib-1", "offline"));
    const error = await new LibraryWatcher(api, { clock })
      .waitFor("lib-1", (lib) => lib?.status === "active", waitOptions({ timeoutMs: 90_500 }))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WaitTimeoutError);
    expect(error).toMatchObject({
      message:
        "Timed out after 90.5 s waiting for library lib-1 (my-lib); last status: offline. It may still get " +
        "there: raise jobTimeoutSeconds, or run the operation again.",
      subjectId: "lib-1",
      lastStatus: "offline",
      waitedMs: 90_500,
    });
  });

  it("batches lookups of many libraries into calls of at most 10 ids", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    for (let i = 0; i < 30; i++) api.libraries.set(`lib-${i}`, library(`lib-${i}`, "active"));
    const watcher = new LibraryWatcher(api, { clock });
    const found = await Promise.all(Array.from({ length: 35 }, (_, i) => watcher.lookup([`lib-${i}`])));
    expect(api.callsTo("ListFpShotDB").map((call) => call.ids.length)).toEqual([10, 10, 10, 5]);
    expect(found[3].get("lib-3")?.status).toBe("active");
    expect(found[34].get("lib-34")).toBeUndefined();
  });
});

describe("JobWatcher sightings while a Purge submit is slow", () => {
  const purge = (jobId: string): FpDbDeleteJob => ({
    jobId,
    fpDbId: `lib-${jobId}`,
    delType: "Purge",
    status: "Queuing",
    userData: `tag-${jobId}`,
  });
  const windowReads = (api: FakeMpsApi) =>
    api.callsTo("QueryFpDBDeleteJobList").filter((call) => call.ids.length === 0).length;

  it("reads the window while a submit's answer is slower than SLOW_SUBMIT_MS, and keeps what it saw after the window moved on", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    const watcher = new JobWatcher(api, { clock });
    const answered = watcher.window.submitSent();
    api.addJob({ job: purge("ours") });

    await clock.sleep(2.5 * SLOW_SUBMIT_MS);
    expect(windowReads(api)).toBe(2);
    // Other submits push the job out of the 20 newest before the lost answer is looked into.
    for (let i = 0; i < 25; i++) api.addJob({ job: purge(`other-${i}`) });
    answered();
    await clock.sleep(10 * SLOW_SUBMIT_MS);

    expect(windowReads(api)).toBe(2);
    expect((await watcher.window.recentJobs()).map((j) => j.jobId)).not.toContain("ours");
    expect(watcher.window.sightings().map((j) => j.jobId)).toContain("ours");
  });

  it("costs nothing when the answer comes sooner", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    const watcher = new JobWatcher(api, { clock });
    const answered = watcher.window.submitSent();
    answered();
    await clock.sleep(10 * SLOW_SUBMIT_MS);
    expect(windowReads(api)).toBe(0);
  });
});
