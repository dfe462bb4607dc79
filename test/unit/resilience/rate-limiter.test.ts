import { systemClock } from "../../../core/clock";
import {
  AdaptiveRateLimiter,
  CUBIC_SCALE,
  MIN_RATE_PER_SECOND,
  THROTTLE_BETA,
} from "../../../core/resilience/rate-limiter";
import { RateLimiterRegistry, processRateLimiters } from "../../../core/resilience/rate-limiter-registry";
import { FakeClock } from "../../support/fake-clock";

/** Acquires `count` tokens concurrently and returns the time (ms since `start`) each was granted, in order. */
async function grantTimes(limiter: AdaptiveRateLimiter, clock: FakeClock, count: number): Promise<number[]> {
  const start = clock.now();
  const times: number[] = [];
  await Promise.all(
    Array.from({ length: count }, () => limiter.acquire().then(() => times.push(clock.now() - start))),
  );
  return times;
}

/** Most grants in any window of `windowMs` (sliding). */
function maxInWindow(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe("AdaptiveRateLimiter pacing", () => {
  it("grants a cold burst of 5% of the limit at once, then 95% of the limit per second", async () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter({ clock });
    const times = await grantTimes(limiter, clock, 200);
    expect(times.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    times.slice(5).forEach((t, i) => expect(t).toBeCloseTo(((i + 1) * 1000) / 95, 2));
  });

  it("keeps every one-second window within the limit, sliding or fixed", async () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter({ clock, requestsPerSecond: 100 });
    const times = await grantTimes(limiter, clock, 1000);
    expect(maxInWindow(times, 1000)).toBeLessThanOrEqual(100);
    const perSecond = new Map<number, number>();
    for (const t of times)
      perSecond.set(Math.floor(t / 1000), (perSecond.get(Math.floor(t / 1000)) ?? 0) + 1);
    expect(Math.max(...perSecond.values())).toBeLessThanOrEqual(100);
  });

  it("serves waiting callers first come, first served", async () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter({ clock, requestsPerSecond: 20 });
    const order: number[] = [];
    await Promise.all(Array.from({ length: 10 }, (_, i) => limiter.acquire().then(() => order.push(i))));
    expect(order).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it("refills while idle, but never beyond the burst", async () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter({ clock });
    await grantTimes(limiter, clock, 5);
    clock.advance(60_000);
    const times = await grantTimes(limiter, clock, 7);
    expect(times.slice(0, 5)).toEqual([0, 0, 0, 0, 0]);
    expect(times[5]).toBeCloseTo(1000 / 95, 2);
  });

  it("refuses a limit that is not a positive number", () => {
    expect(() => new AdaptiveRateLimiter({ clock: new FakeClock(), requestsPerSecond: 0 })).toThrow(
      "requestsPerSecond must be a positive number, got 0",
    );
  });
});

describe("AdaptiveRateLimiter adaptation", () => {
  it("cuts its rate to 70% on throttling and drains the burst", async () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter({ clock });
    limiter.record("throttled");
    expect(limiter.currentRate()).toBeCloseTo(95 * THROTTLE_BETA, 9);
    const times = await grantTimes(limiter, clock, 3);
    expect(times[0]).toBeCloseTo(1000 / 66.5, 2);
  });

  it("ignores refusals of requests sent before the last cut, and cuts again for one sent after it", () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter({ clock });
    const sentBefore = clock.now();
    clock.advance(10);
    limiter.record("throttled", sentBefore);
    expect(limiter.currentRate()).toBeCloseTo(66.5, 9);
    clock.advance(20);
    limiter.record("throttled", sentBefore);
    limiter.record("throttled", sentBefore + 5);
    const recovering = limiter.currentRate();
    expect(recovering).toBeGreaterThan(66.5);
    expect(recovering).toBeLessThan(67);
    limiter.record("throttled", clock.now() - 5);
    expect(limiter.currentRate()).toBeCloseTo(recovering * THROTTLE_BETA, 9);
  });

  it("without a send time, ignores throttling answers within a second of the last cut", () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter({ clock });
    limiter.record("throttled");
    clock.advance(500);
    const recovering = limiter.currentRate();
    limiter.record("throttled");
    limiter.record("throttled");
    expect(limiter.currentRate()).toBe(recovering);
    expect(recovering).toBeGreaterThan(95 * THROTTLE_BETA);
  });

  it("cuts again for throttling more than a second later, from the rate it had then", () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter({ clock });
    limiter.record("throttled");
    clock.advance(1500);
    const before = limiter.currentRate();
    limiter.record("throttled");
    expect(limiter.currentRate()).toBeCloseTo(before * THROTTLE_BETA, 9);
  });

  it("climbs back along the CUBIC curve and reaches the old rate after K seconds", () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter({ clock });
    limiter.record("throttled");
    const k = Math.cbrt((95 * (1 - THROTTLE_BETA)) / CUBIC_SCALE);
    clock.advance(1000);
    expect(limiter.currentRate()).toBeCloseTo(CUBIC_SCALE * (1 - k) ** 3 + 95, 9);
    clock.advance(k * 1000 - 1000 - 1);
    expect(limiter.currentRate()).toBeLessThan(95);
    clock.advance(2);
    expect(limiter.currentRate()).toBe(95);
    clock.advance(60_000);
    expect(limiter.currentRate()).toBe(95);
  });

  it("ignores ok outcomes for the rate (the ceiling is known)", () => {
    const limiter = new AdaptiveRateLimiter({ clock: new FakeClock() });
    limiter.record("ok");
    expect(limiter.currentRate()).toBe(95);
  });

  it("never drops below the minimum rate", () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter({ clock });
    for (let i = 0; i < 40; i++) {
      limiter.record("throttled");
      clock.advance(1001);
    }
    expect(limiter.currentRate()).toBeGreaterThanOrEqual(MIN_RATE_PER_SECOND);
  });

  it("slows the callers already queued when a throttling answer arrives", async () => {
    const clock = new FakeClock();
    const limiter = new AdaptiveRateLimiter({ clock });
    const start = clock.now();
    const times: number[] = [];
    const all = Array.from({ length: 100 }, (_, i) =>
      limiter.acquire().then(() => {
        times.push(clock.now() - start);
        if (i === 20) limiter.record("throttled");
      }),
    );
    await Promise.all(all);
    const gapsBefore = times[20] - times[19];
    const gapAfter = times[22] - times[21];
    expect(gapsBefore).toBeCloseTo(1000 / 95, 3);
    expect(gapAfter).toBeGreaterThan(1000 / 70);
  });
});

describe("RateLimiterRegistry", () => {
  it("shares one bucket per endpoint host and action", () => {
    const registry = new RateLimiterRegistry({ clock: new FakeClock() });
    const a = registry.limiterFor("127.0.0.1:1234", "ListFpShotDB");
    expect(registry.limiterFor("127.0.0.1:1234", "ListFpShotDB")).toBe(a);
    expect(registry.limiterFor("127.0.0.1:1234", "QueryFpDBDeleteJobList")).not.toBe(a);
    expect(registry.limiterFor("127.0.0.1:9999", "ListFpShotDB")).not.toBe(a);
    expect(registry.limiterFor("MTS.CN-HANGZHOU.ALIYUNCS.COM", "X")).toBe(
      registry.limiterFor("mts.cn-hangzhou.aliyuncs.com", "X"),
    );
  });

  it("keeps the lowest limit asked for", () => {
    const registry = new RateLimiterRegistry({ clock: new FakeClock(), requestsPerSecond: 100 });
    const limiter = registry.limiterFor("h", "A");
    expect(limiter.limit).toBeCloseTo(100, 9);
    registry.limiterFor("h", "A", 50);
    expect(limiter.limit).toBeCloseTo(50, 9);
    registry.limiterFor("h", "A", 80);
    expect(limiter.limit).toBeCloseTo(50, 9);
    expect(limiter.currentRate()).toBeCloseTo(47.5, 9);
  });

  it("has one process-wide registry per clock", () => {
    const clock = new FakeClock();
    expect(processRateLimiters(clock)).toBe(processRateLimiters(clock));
    expect(processRateLimiters(clock)).not.toBe(processRateLimiters(new FakeClock()));
    expect(processRateLimiters()).toBe(processRateLimiters(systemClock));
  });
});
