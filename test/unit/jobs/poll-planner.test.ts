import { PollPlanner } from "../../../core/jobs/poll-planner";
import { POLL_SHARE } from "../../../core/jobs/scheduler-rule";
import type { AdaptiveRateLimiter } from "../../../core/resilience/rate-limiter";
import { RateLimiterRegistry } from "../../../core/resilience/rate-limiter-registry";
import { FakeClock } from "../../support/fake-clock";

/**
 * The poll planner driven step by step on a fake clock, without timers or calls: it is asked what is due, the
 * looks are answered at once from a table of when each job ends, and the clock is moved to when it asks to be
 * asked again. What it decides there is what a lane sends.
 */

const FLOOR_MS = 1000;
const CAP_MS = 30_000;

/** A job's state as the fake service answers it. */
interface Job {
  done: boolean;
}

/** One call the planner sent: when (ms after the start) and which ids. */
interface Look {
  at: number;
  ids: string[];
}

function plannerOn(requestsPerSecond = 100) {
  const clock = new FakeClock();
  const start = clock.now();
  const limiter = new RateLimiterRegistry({ clock, requestsPerSecond }).limiterFor(
    "mps.test",
    "QueryFpDBDeleteJobList",
  );
  const planner = new PollPlanner<Job>(clock, limiter.share(POLL_SHARE));
  const endsAt = new Map<string, number>();
  const seenDoneAt = new Map<string, number>();
  /** Registers a wait on job `id`, started `startedAt` ms after the start, ending `endsAfterMs` after that. */
  const wait = (id: string, startedAt: number, endsAfterMs: number, classKey = "Delete"): void => {
    endsAt.set(id, start + startedAt + endsAfterMs);
    planner.add(
      {
        id,
        classKey,
        startedAt: start + startedAt,
        floorMs: FLOOR_MS,
        capMs: CAP_MS,
        timeoutMs: 3_600_000,
        describe: id,
        interpret: (job) => ({ done: job!.done, status: job!.done ? "Success" : "Analysing", value: job }),
        onTimeout: () => new Error(`${id} timed out`),
      },
      () => seenDoneAt.set(id, clock.now() - start),
      () => undefined,
    );
  };
  /** Runs the planner until `untilMs` after the start: every call it sends is answered at once. */
  const run = (untilMs: number): Look[] => {
    const looks: Look[] = [];
    for (;;) {
      const now = clock.now();
      const { calls, wakeAt } = planner.due(now);
      for (const call of calls) {
        planner.sent(call.watches);
        looks.push({ at: now - start, ids: call.ids });
        const outcomes = new Map(
          call.ids.map((id) => [id, { ok: true as const, value: { done: now >= endsAt.get(id)! } }]),
        );
        planner.answered(call.watches, outcomes, { sentAt: now, answeredAt: now });
      }
      if (calls.length > 0) continue;
      if (wakeAt === Infinity || wakeAt - start > untilMs) return looks;
      clock.advance(wakeAt - now);
    }
  };
  return { clock, start, limiter, planner, wait, run, seenDoneAt };
}

/** Keeps `limiter` busy: callers wait for tokens that, with the fake clock never slept on, never come. */
function keepBusy(limiter: AdaptiveRateLimiter): void {
  for (let i = 0; i < 20; i++) void limiter.acquire();
}

const gaps = (looks: Look[]): number[] => looks.slice(1).map((look, i) => look.at - looks[i].at);

describe("rule 6: spare looks where the budget is idle", () => {
  it("a lone wait on a 120 s job is looked at a floor after each look, and seen within a floor of its end", () => {
    const { wait, run, seenDoneAt } = plannerOn();
    wait("job-1", 0, 120_300);
    const looks = run(200_000);
    expect(gaps(looks)).toEqual(Array(looks.length - 1).fill(FLOOR_MS));
    expect(seenDoneAt.get("job-1")).toBe(121_000);
  });

  it("GIVEN a budget other callers keep busy THEN the same wait gets rule 1's looks only, a fifteenth of the time waited apart", () => {
    const { limiter, wait, run, seenDoneAt } = plannerOn();
    keepBusy(limiter);
    wait("job-1", 0, 120_300);
    const looks = run(200_000);
    expect(looks.length).toBeLessThan(60);
    expect(Math.max(...gaps(looks))).toBeGreaterThan(7 * FLOOR_MS);
    expect(seenDoneAt.get("job-1")! - 120_300).toBeGreaterThan(FLOOR_MS);
  });

  it("never looks before the class expects the wait done: a second 30 s job after a first is looked at once, at 30 s", () => {
    const { wait, run, seenDoneAt } = plannerOn();
    wait("job-1", 0, 30_000);
    run(40_000);
    expect(seenDoneAt.get("job-1")).toBe(30_000);
    wait("job-2", 40_000, 30_000);
    expect(run(100_000)).toEqual([{ at: 70_000, ids: ["job-2"] }]);
  });

  it("a crowded lane spends nothing spare: 11 waits on 20 s jobs are swept by rule 1 in shared calls", () => {
    const { wait, run } = plannerOn();
    for (let i = 0; i < 11; i++) wait(`job-${i}`, i, 20_000);
    const looks = run(60_000).filter((look) => look.ids.includes("job-0"));
    // Rule 1's sweep: a floor apart for the first 15 s, then a fifteenth of the time waited.
    expect(gaps(looks).slice(0, 14)).toEqual(Array(14).fill(FLOOR_MS));
    expect(gaps(looks).slice(14)).toEqual([
      expect.closeTo(looks[14].at / 15, 0),
      expect.closeTo(looks[15].at / 15, 0),
      expect.closeTo(looks[16].at / 15, 0),
      expect.closeTo(looks[17].at / 15, 0),
      expect.closeTo(looks[18].at / 15, 0),
    ]);
  });
});

describe("rule 3: shadowed waits of an in-order class are sampled", () => {
  it("GIVEN 40 waits whose class has learned nothing THEN one call per cap looks at the 10 shadowed waits looked at longest ago", () => {
    const { wait, run } = plannerOn();
    for (let i = 0; i < 40; i++) wait(`job-${i}`, i, 3_600_000);
    const leaders = new Set(Array.from({ length: 10 }, (_, i) => `job-${i}`));
    const ranks = (from: number) => Array.from({ length: 10 }, (_, i) => `job-${from + i}`);
    const sampled = run(130_000).filter((look) => look.ids.some((id) => !leaders.has(id)));
    expect(sampled.map((look) => look.ids)).toEqual([ranks(10), ranks(20), ranks(30), ranks(10)]);
    // Each a cap after the one before (the first a cap after the oldest shadowed wait started).
    sampled.forEach((look, i) => expect(look.at).toBe(10 + (i + 1) * CAP_MS));
  });

  it("GIVEN a shadowed wait that ended before the leaders THEN the sample finds it, and the class, out of order, sweeps every wait", () => {
    const { wait, run, seenDoneAt } = plannerOn();
    for (let i = 0; i < 10; i++) wait(`leader-${i}`, i, 3_600_000);
    wait("early", 10, 12_000);
    for (let i = 0; i < 29; i++) wait(`late-${i}`, 11 + i, 3_600_000);
    const looks = run(45_000);
    expect(seenDoneAt.get("early")).toBe(30_010);
    // Out of order, the shadowed waits are no longer left to a sample per cap: rule 1 looks at each of them.
    const lateLooks = looks.filter((look) => look.at > 30_010 && look.ids.includes("late-28"));
    expect(lateLooks.length).toBeGreaterThan(1);
    expect(lateLooks[0].at).toBeLessThan(30_010 + 3 * FLOOR_MS);
  });

  it("GIVEN a shadowed wait becomes a leader long after its last look THEN it is looked at when its class expects it done, not at once", () => {
    const { wait, run, seenDoneAt } = plannerOn();
    // Jobs of 40 s, in order: ten leaders, then ten started at 5 s (sampled at 35 s), then ten started at 10 s,
    // which no sample reaches before they lead, 45 s in: their last look is their start, 35 s before.
    const group = (name: string, startedAt: number) =>
      Array.from({ length: 10 }, (_, i) => {
        wait(`${name}-${i}`, startedAt + i, 40_000);
        return `${name}-${i}`;
      });
    group("leader", 0);
    group("second", 5_000);
    const third = group("third", 10_000);
    const looks = run(60_000);
    const firstLook = looks.find((look) => look.ids.some((id) => third.includes(id)))!;
    expect(firstLook.at).toBeGreaterThanOrEqual(50_000);
    for (const id of third) expect(seenDoneAt.get(id)).toBeLessThan(51_000);
  });
});

describe("rule 4: polls draw on the endpoint and action's one request budget", () => {
  it("spaces calls that only poll at the polls' share of the limit: 40 due waits go 10 a call, 1 / (0.2 x 100/s) apart", () => {
    const { wait, run } = plannerOn();
    for (let i = 0; i < 40; i++) wait(`job-${i}`, 0, 500);
    expect(run(1_200).map((look) => look.at)).toEqual([1_000, 1_050, 1_100, 1_150]);
  });

  it("GIVEN the limiter cut back after throttling THEN the polls' share is cut with it", () => {
    const { clock, limiter, wait, run } = plannerOn();
    for (let i = 0; i < 40; i++) wait(`job-${i}`, 0, 500);
    clock.advance(FLOOR_MS);
    limiter.record("throttled");
    const looks = run(1_400);
    // 70% of the rate: the calls come 1 / (0.7 x 20/s) = 71 ms apart instead of 50.
    expect(looks[1].at - looks[0].at).toBeCloseTo(1000 / (0.7 * POLL_SHARE * 100), 0);
  });
});

describe("the request budget as the planner reads it", () => {
  it("is idle only with nobody waiting for a token, the burst refilled and the rate back at its ceiling", async () => {
    const { clock, limiter } = plannerOn();
    expect(limiter.idleAt()).toBe(clock.now());
    await Promise.all(Array.from({ length: 5 }, () => limiter.acquire()));
    // The burst (5% of 100/s) is spent: idle again once 5 tokens are back at 95/s.
    expect(limiter.idleAt() - clock.now()).toBeCloseTo((5 / 95) * 1000, 3);
    clock.advance(1000);
    expect(limiter.idleAt()).toBe(clock.now());
    limiter.record("throttled");
    // Cut to 70%, the rate climbs back along CUBIC's curve for a few seconds.
    const recovery = limiter.idleAt() - clock.now();
    expect(recovery).toBeGreaterThan(4000);
    clock.advance(recovery);
    expect(limiter.currentRate()).toBeCloseTo(95, 3);
    expect(limiter.idleAt()).toBe(clock.now());
  });
});
