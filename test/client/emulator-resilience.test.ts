import { JobWatcher, noticingSubmits } from "../../core/jobs/watchers";
import { RateLimiterRegistry } from "../../core/resilience/rate-limiter-registry";
import type { ThrottleAlgorithm } from "../../emulator";
import { EmulatorFixture } from "./emulator-fixture";

/**
 * The resilience layer against the emulator over real HTTP, in fake time: the client and the emulator share an
 * I/O-aware fake clock, so pacing, throttling, backoff and job progress are deterministic and take no real time.
 */

const KEY_A = { accessKeyId: "LTAI-account-key-A", accessKeySecret: "secret-A" };
const KEY_B = { accessKeyId: "LTAI-account-key-B", accessKeySecret: "secret-B" };

/** Runs `count` copies of `call` at once and returns how many failed. */
async function failures(count: number, call: () => Promise<unknown>): Promise<unknown[]> {
  const settled = await Promise.allSettled(Array.from({ length: count }, call));
  return settled.flatMap((s) => (s.status === "rejected" ? [s.reason] : []));
}

describe.each<[ThrottleAlgorithm]>([["token-bucket"], ["fixed-window"]])(
  "a burst against %s metering",
  (algorithm) => {
    let fixture: EmulatorFixture;
    beforeAll(async () => {
      fixture = await EmulatorFixture.start({ qps: 100, throttleAlgorithm: algorithm });
    });
    afterAll(() => fixture.close());

    it("500 concurrent ListFpShotDB and 500 QueryFpDBDeleteJobList: no errors, at most 1% throttled", async () => {
      const api = fixture.client();
      const start = fixture.clock.now();
      const [lists, queries] = await Promise.all([
        failures(500, () => api.listFpShotDb(["0123456789abcdef0123456789abcdef"])),
        failures(500, () => api.queryFpDbDeleteJobList()),
      ]);
      expect(lists).toEqual([]);
      expect(queries).toEqual([]);
      const counts = fixture.emulator.admin.counts().byAction;
      for (const action of ["ListFpShotDB", "QueryFpDBDeleteJobList"]) {
        expect(counts[action].ok).toBe(500);
        expect(counts[action].throttled).toBeLessThanOrEqual(5);
      }
      // Five times the per-second limit takes about five seconds (of fake time) per action, not much more.
      const elapsedMs = fixture.clock.now() - start;
      expect(elapsedMs).toBeGreaterThan(5000);
      expect(elapsedMs).toBeLessThan(5600);
    });
  },
);

describe("faults", () => {
  let fixture: EmulatorFixture;
  beforeAll(async () => {
    fixture = await EmulatorFixture.start({ quota: 50, seed: 7 });
  });
  afterAll(() => fixture.close());
  beforeEach(() => fixture.emulator.admin.reset());

  it("every read succeeds despite 20% injected InternalError", async () => {
    fixture.emulator.admin.setFaults([
      { type: "error", action: "ListFpShotDB", rate: 0.2, code: "InternalError", httpStatus: 500 },
      { type: "error", action: "QueryFpDBDeleteJobList", rate: 0.2, code: "InternalError", httpStatus: 500 },
    ]);
    const api = fixture.client();
    const [lists, queries] = await Promise.all([
      failures(200, () => api.listFpShotDb(["0123456789abcdef0123456789abcdef"])),
      failures(200, () => api.queryFpDbDeleteJobList()),
    ]);
    expect(lists).toEqual([]);
    expect(queries).toEqual([]);
    const counts = fixture.emulator.admin.counts().byAction;
    for (const action of ["ListFpShotDB", "QueryFpDBDeleteJobList"]) {
      expect(counts[action].ok).toBe(200);
      expect(counts[action].errors.InternalError).toBeGreaterThan(20);
      expect(counts[action].total).toBe(200 + counts[action].errors.InternalError);
    }
  });

  it("a fatal error is not retried", async () => {
    fixture.emulator.admin.setFaults([
      { type: "error", action: "ListFpShotDB", code: "InvalidParameter", httpStatus: 400 },
    ]);
    await expect(fixture.client().listFpShotDb(["a"])).rejects.toMatchObject({
      code: "InvalidParameter",
      kind: "fatal",
    });
    expect(fixture.emulator.admin.counts().byAction.ListFpShotDB.total).toBe(1);
  });

  it("a write that failed with a 500 is not retried: its outcome is ambiguous", async () => {
    const api = fixture.client();
    const { library } = await api.createFpShotDb({ name: "lib" });
    fixture.emulator.admin.setFaults([
      { type: "commit-then-fail", action: "SubmitFpDBDeleteJob", mode: "error" },
    ]);
    await expect(api.submitFpDbDeleteJob({ fpDbId: library.fpDbId, delType: "Purge" })).rejects.toMatchObject(
      {
        code: "InternalError",
        kind: "ambiguous",
        statusCode: 500,
      },
    );
    expect(fixture.emulator.admin.counts().byAction.SubmitFpDBDeleteJob.total).toBe(1);
    // It was in fact executed: exactly one job exists, as resume-or-submit will find.
    expect(fixture.emulator.admin.state().jobs).toHaveLength(1);
  });

  it("a write whose connection was dropped is not retried", async () => {
    fixture.emulator.admin.setFaults([{ type: "drop", action: "CreateFpShotDB" }]);
    await expect(fixture.client().createFpShotDb({ name: "lib" })).rejects.toMatchObject({
      code: "ECONNRESET",
      kind: "ambiguous",
    });
    expect(fixture.emulator.admin.counts().byAction.CreateFpShotDB.total).toBe(1);
  });

  it("a throttled write is retried (it was certainly rejected) and succeeds once", async () => {
    fixture.emulator.admin.setFaults([
      { type: "error", action: "CreateFpShotDB", code: "Throttling.User", httpStatus: 400, count: 2 },
    ]);
    const { library } = await fixture.client().createFpShotDb({ name: "lib" });
    expect(library.status).toBe("offline");
    const counts = fixture.emulator.admin.counts().byAction.CreateFpShotDB;
    expect(counts.total).toBe(3);
    expect(counts.ok).toBe(1);
    expect(fixture.emulator.admin.state().libraries).toHaveLength(1);
  });

  it("reads ride out a throttling storm (qps 5) by slowing down", async () => {
    fixture.emulator.admin.setSettings({ qps: 5 });
    const retries: string[] = [];
    const api = fixture.client({ onRetry: (info) => retries.push(info.kind) });
    const start = fixture.clock.now();
    const errors = await failures(40, () => api.listFpShotDb(["a"]));
    expect(errors).toEqual([]);
    const counts = fixture.emulator.admin.counts().byAction.ListFpShotDB;
    expect(counts.ok).toBe(40);
    // It follows the lowered limit down within a few refusals instead of hammering at its old rate.
    expect(counts.throttled).toBeGreaterThan(0);
    expect(counts.throttled).toBeLessThan(20);
    expect(retries).toEqual(Array(counts.throttled).fill("throttling"));
    expect(fixture.clock.now() - start).toBeLessThan(12_000);
  });
});

describe("two AccessKeys of one account", () => {
  let fixture: EmulatorFixture;
  beforeAll(async () => {
    fixture = await EmulatorFixture.start({
      qps: 100,
      accounts: [{ accountId: "2000000000000002", accessKeys: [KEY_A, KEY_B] }],
    });
  });
  afterAll(() => fixture.close());
  beforeEach(() => fixture.emulator.admin.reset());

  it("share the account's limit through the process-wide buckets: no errors, at most 1% throttled", async () => {
    const limiters = new RateLimiterRegistry({ clock: fixture.clock });
    const a = fixture.client({ ...KEY_A, limiters });
    const b = fixture.client({ ...KEY_B, limiters });
    const errors = await Promise.all([
      failures(300, () => a.listFpShotDb(["0123456789abcdef0123456789abcdef"])),
      failures(300, () => b.listFpShotDb(["0123456789abcdef0123456789abcdef"])),
    ]);
    expect(errors.flat()).toEqual([]);
    const counts = fixture.emulator.admin.counts().byAction.ListFpShotDB;
    expect(counts.ok).toBe(600);
    expect(counts.throttled).toBeLessThanOrEqual(6);
    const byKey = new Map<string, number>();
    for (const request of fixture.emulator.admin.requests()) {
      byKey.set(request.accessKeyId ?? "", (byKey.get(request.accessKeyId ?? "") ?? 0) + 1);
    }
    expect(byKey.get(KEY_A.accessKeyId)).toBeGreaterThanOrEqual(300);
    expect(byKey.get(KEY_B.accessKeyId)).toBeGreaterThanOrEqual(300);
  });

  it("for contrast: with separate buckets they overshoot, adapt, and still surface no errors", async () => {
    const a = fixture.client({ ...KEY_A });
    const b = fixture.client({ ...KEY_B });
    const errors = await Promise.all([
      failures(300, () => a.listFpShotDb(["0123456789abcdef0123456789abcdef"])),
      failures(300, () => b.listFpShotDb(["0123456789abcdef0123456789abcdef"])),
    ]);
    expect(errors.flat()).toEqual([]);
    const counts = fixture.emulator.admin.counts().byAction.ListFpShotDB;
    expect(counts.ok).toBe(600);
    expect(counts.throttled).toBeGreaterThan(0);
  });
});

describe("batched job waits", () => {
  let fixture: EmulatorFixture;
  beforeAll(async () => {
    fixture = await EmulatorFixture.start({ quota: 100, activateSeconds: 0, jobSeconds: 30 });
  });
  afterAll(() => fixture.close());

  it("45 Delete jobs submitted together: the ten oldest are swept, the 35 others looked at once, 10 ids a call", async () => {
    const client = fixture.client();
    const watcher = new JobWatcher(client, { clock: fixture.clock });
    // As the provider wires it: the watcher hears of each submitted job's DelType.
    const api = noticingSubmits(client, watcher, fixture.clock);
    const libraries = await Promise.all(
      Array.from({ length: 45 }, (_, i) => api.createFpShotDb({ name: `lib-${i}` })),
    );
    const jobs = await Promise.all(
      libraries.map(({ library }) => api.submitFpDbDeleteJob({ fpDbId: library.fpDbId, delType: "Delete" })),
    );
    const before = fixture.emulator.admin.counts().byAction.QueryFpDBDeleteJobList?.total ?? 0;
    const rounds: number[] = [];
    const done = await Promise.all(
      jobs.map(({ jobId }, i) =>
        watcher.waitForJob(jobId, {
          intervalMs: 5000,
          timeoutMs: 600_000,
          describe: `library ${libraries[i].library.fpDbId} (lib-${i})`,
          onPoll: i === 0 ? () => rounds.push(1) : undefined,
        }),
      ),
    );
    expect(done.map((job) => job.status)).toEqual(Array(45).fill("Success"));
    const calls = fixture.emulator.admin.counts().byAction.QueryFpDBDeleteJobList.total - before;
    // Job 0 is one of the ten oldest: its looks are the sweeps. When those ten are seen done, each of the others
    // (submitted just after them) is looked at once, when its own 30 s have passed: 10 ids a call while more than
    // one call's worth wait, then each of the last few exactly on time.
    expect(rounds.length).toBe(6);
    const polls = fixture.emulator.admin
      .requests()
      .filter((r) => r.action === "QueryFpDBDeleteJobList" && r.query.JobIds !== undefined)
      .map((r) => r.query.JobIds.split(","));
    expect(polls).toHaveLength(calls);
    expect(polls.slice(0, 6).every((ids) => ids.length === 10)).toBe(true);
    const followers = polls.slice(6).flat();
    expect(followers).toHaveLength(35);
    expect(new Set(followers).size).toBe(35);
    expect(calls).toBeLessThanOrEqual(rounds.length + 4 + 9);
    const gone = await api.listFpShotDb(libraries.slice(0, 10).map(({ library }) => library.fpDbId));
    expect(gone.nonExistIds).toHaveLength(10);
  });
});
