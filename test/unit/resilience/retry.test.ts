import { MpsApiError, type ErrorKind } from "../../../core/errors";
import type { RateLimiter, RateOutcome } from "../../../core/resilience/rate-limiter";
import {
  DEFAULT_RETRY_OPTIONS,
  RetryStrategy,
  backoffDelayMs,
  isRetryable,
  type RetryOptions,
} from "../../../core/resilience/retry";
import { FakeClock } from "../../support/fake-clock";

const OPTIONS: RetryOptions = { maxAttempts: 8, baseMs: 200, throttleBaseMs: 1000, maxDelayMs: 20_000 };

function apiError(kind: ErrorKind, code = "InternalError"): MpsApiError {
  return new MpsApiError(`MPS ListFpShotDB failed: ${code}.`, "ListFpShotDB", code, kind, 500, "RID");
}

/** An attempt function that fails with `errors` in turn, then returns "ok". */
function script(errors: unknown[]): { fn: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    fn: async () => {
      const error = errors[calls++];
      if (error !== undefined) throw error;
      return "ok";
    },
    calls: () => calls,
  };
}

class RecordingLimiter implements RateLimiter {
  readonly events: string[] = [];
  async acquire(): Promise<void> {
    this.events.push("acquire");
  }
  record(outcome: RateOutcome): void {
    this.events.push(outcome);
  }
}

describe("backoffDelayMs", () => {
  it.each<[number, ErrorKind, number, number]>([
    [0, "transient", 1, 200],
    [1, "transient", 1, 400],
    [2, "transient", 0.5, 400],
    [6, "transient", 1, 12_800],
    [7, "transient", 1, 20_000],
    // Throttling: a second's floor (MPS meters per second) under the jitter, the whole capped.
    [0, "throttling", 0, 1000],
    [0, "throttling", 1, 2000],
    [3, "throttling", 0.25, 3000],
    [5, "throttling", 1, 20_000],
    [10, "throttling", 0.5, 11_000],
    [4, "ambiguous", 0, 0],
  ])("retry %d of a %s failure with random()=%d waits %d ms", (retryIndex, kind, random, expected) => {
    expect(backoffDelayMs(retryIndex, kind, OPTIONS, () => random)).toBe(expected);
  });
});

describe("isRetryable", () => {
  it.each<[ErrorKind, boolean, boolean]>([
    ["throttling", false, true],
    ["throttling", true, true],
    ["transient", false, true],
    ["transient", true, true],
    ["ambiguous", false, true],
    ["ambiguous", true, false],
    ["fatal", false, false],
    ["fatal", true, false],
  ])("a %s failure (write: %s) is retried: %s", (kind, write, expected) => {
    expect(isRetryable(kind, write)).toBe(expected);
  });
});

describe("RetryStrategy", () => {
  it("retries a read on transient failures with full-jitter backoff, then returns its result", async () => {
    const clock = new FakeClock();
    const retry = new RetryStrategy(OPTIONS, clock, () => 0.5);
    const attempt = script([apiError("transient"), apiError("transient"), apiError("transient")]);
    await expect(retry.run({ action: "ListFpShotDB", write: false }, attempt.fn)).resolves.toBe("ok");
    expect(attempt.calls()).toBe(4);
    expect(clock.sleeps).toEqual([100, 200, 400]);
  });

  it("uses the larger base for throttling, on top of a second's floor", async () => {
    const clock = new FakeClock();
    const retry = new RetryStrategy(OPTIONS, clock, () => 0.5);
    const attempt = script([
      apiError("throttling", "Throttling.User"),
      apiError("throttling", "Throttling.User"),
    ]);
    await retry.run({ action: "ListFpShotDB", write: false }, attempt.fn);
    expect(clock.sleeps).toEqual([1500, 2000]);
  });

  it("gives up after maxAttempts and says so in the message, keeping the error's fields", async () => {
    const clock = new FakeClock();
    const retry = new RetryStrategy({ ...OPTIONS, maxAttempts: 3 }, clock, () => 1);
    const attempt = script(Array.from({ length: 10 }, () => apiError("transient")));
    const error = await retry
      .run({ action: "ListFpShotDB", write: false }, attempt.fn)
      .catch((e: unknown) => e);
    expect(attempt.calls()).toBe(3);
    expect(clock.sleeps).toEqual([200, 400]);
    expect(error).toBeInstanceOf(MpsApiError);
    expect(error).toMatchObject({
      message: "MPS ListFpShotDB failed: InternalError. Gave up after 3 attempts.",
      action: "ListFpShotDB",
      code: "InternalError",
      kind: "transient",
      statusCode: 500,
      requestId: "RID",
    });
  });

  it("retries a read on an ambiguous failure", async () => {
    const retry = new RetryStrategy(OPTIONS, new FakeClock(), () => 0);
    const attempt = script([apiError("ambiguous")]);
    await expect(retry.run({ action: "ListFpShotDB", write: false }, attempt.fn)).resolves.toBe("ok");
    expect(attempt.calls()).toBe(2);
  });

  it("never retries a write whose outcome is ambiguous", async () => {
    const clock = new FakeClock();
    const retry = new RetryStrategy(OPTIONS, clock, () => 0);
    const failure = apiError("ambiguous");
    const attempt = script([failure]);
    await expect(retry.run({ action: "SubmitFpDBDeleteJob", write: true }, attempt.fn)).rejects.toBe(failure);
    expect(attempt.calls()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("retries a write that was throttled (certainly rejected)", async () => {
    const retry = new RetryStrategy(OPTIONS, new FakeClock(), () => 0);
    const attempt = script([
      apiError("throttling", "Throttling.User"),
      apiError("throttling", "Throttling.User"),
    ]);
    await expect(retry.run({ action: "SubmitFpDBDeleteJob", write: true }, attempt.fn)).resolves.toBe("ok");
    expect(attempt.calls()).toBe(3);
  });

  it("retries a write whose connection was refused (never sent)", async () => {
    const retry = new RetryStrategy(OPTIONS, new FakeClock(), () => 0);
    const refused = Object.assign(new Error("connect ECONNREFUSED"), { code: "ECONNREFUSED" });
    const attempt = script([refused]);
    await expect(retry.run({ action: "CreateFpShotDB", write: true }, attempt.fn)).resolves.toBe("ok");
    expect(attempt.calls()).toBe(2);
  });

  it("classifies raw errors with the call's write flag: a raw reset is not retried for a write", async () => {
    const retry = new RetryStrategy(OPTIONS, new FakeClock(), () => 0);
    const reset = Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
    const write = script([reset]);
    await expect(retry.run({ action: "CreateFpShotDB", write: true }, write.fn)).rejects.toBe(reset);
    expect(write.calls()).toBe(1);
    const read = script([reset]);
    await expect(retry.run({ action: "ListFpShotDB", write: false }, read.fn)).resolves.toBe("ok");
    expect(read.calls()).toBe(2);
  });

  it.each([[false], [true]])("never retries a fatal failure (write: %s)", async (write) => {
    const clock = new FakeClock();
    const retry = new RetryStrategy(OPTIONS, clock, () => 0);
    const fatal = apiError("fatal", "SignatureDoesNotMatch");
    const attempt = script([fatal]);
    await expect(retry.run({ action: "X", write }, attempt.fn)).rejects.toBe(fatal);
    expect(attempt.calls()).toBe(1);
    expect(clock.sleeps).toEqual([]);
  });

  it("takes a send token before every attempt and reports throttling to the limiter", async () => {
    const limiter = new RecordingLimiter();
    const retry = new RetryStrategy(OPTIONS, new FakeClock(), () => 0);
    const attempt = script([apiError("throttling", "Throttling.User"), apiError("transient")]);
    await retry.run({ action: "ListFpShotDB", write: false, limiter }, attempt.fn);
    expect(limiter.events).toEqual(["acquire", "throttled", "acquire", "ok", "acquire", "ok"]);
  });

  it("tells onRetry about each retry with the delay it is about to wait", async () => {
    const retry = new RetryStrategy(OPTIONS, new FakeClock(), () => 1);
    const seen: [number, ErrorKind, number][] = [];
    const attempt = script([apiError("transient"), apiError("throttling", "Throttling")]);
    await retry.run(
      {
        action: "ListFpShotDB",
        write: false,
        onRetry: (info) => seen.push([info.attempt, info.kind, info.delayMs]),
      },
      attempt.fn,
    );
    expect(seen).toEqual([
      [1, "transient", 200],
      [2, "throttling", 3000],
    ]);
  });

  it("has the documented defaults", () => {
    expect(DEFAULT_RETRY_OPTIONS).toEqual({
      maxAttempts: 8,
      baseMs: 200,
      throttleBaseMs: 1000,
      maxDelayMs: 20_000,
    });
  });
});
