import { parseCliArgs } from "../../emulator/cli-args";
import { createPrng } from "../../emulator/prng";
import {
  describeDuration,
  EmulatorInputError,
  parseDuration,
  sampleMs,
  startEmulator,
  validateDuration,
  type DurationSpec,
  type RunningEmulator,
} from "../../emulator";
import { FakeClock } from "../support/fake-clock";
import { sdkCaller } from "../support/emulator";

function draws(spec: DurationSpec, n: number, seed = 1): number[] {
  const random = createPrng(seed);
  return Array.from({ length: n }, () => sampleMs(spec, random)).sort((a, b) => a - b);
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

describe("duration distributions", () => {
  it("a number is a fixed duration in seconds", () => {
    expect(draws(2.5, 5)).toEqual([2500, 2500, 2500, 2500, 2500]);
  });

  it("uniform draws stay within [min, max] and spread over it", () => {
    const sorted = draws({ uniform: { min: 2, max: 10 } }, 4000);
    expect(sorted[0]).toBeGreaterThanOrEqual(2000);
    expect(sorted[sorted.length - 1]).toBeLessThanOrEqual(10_000);
    expect(quantile(sorted, 0.5)).toBeGreaterThan(5500);
    expect(quantile(sorted, 0.5)).toBeLessThan(6500);
    expect(quantile(sorted, 0.05)).toBeLessThan(2600);
    expect(quantile(sorted, 0.95)).toBeGreaterThan(9400);
  });

  it("lognormal draws have the asked median and 95th percentile, and respect the cap", () => {
    const sorted = draws({ lognormal: { median: 10, p95: 30, max: 120 } }, 8000);
    expect(quantile(sorted, 0.5)).toBeGreaterThan(9_300);
    expect(quantile(sorted, 0.5)).toBeLessThan(10_700);
    expect(quantile(sorted, 0.95)).toBeGreaterThan(27_000);
    expect(quantile(sorted, 0.95)).toBeLessThan(33_000);
    expect(sorted[sorted.length - 1]).toBeLessThanOrEqual(120_000);
    expect(sorted[0]).toBeGreaterThan(0);
  });

  it("the same seed gives the same draws, another seed others", () => {
    const spec: DurationSpec = { lognormal: { median: 10, p95: 30 } };
    expect(draws(spec, 20, 7)).toEqual(draws(spec, 20, 7));
    expect(draws(spec, 20, 7)).not.toEqual(draws(spec, 20, 8));
  });

  it.each<[string, DurationSpec]>([
    ["3", 3],
    ["0.5", 0.5],
    ["2-10", { uniform: { min: 2, max: 10 } }],
    ["lognormal:10,30", { lognormal: { median: 10, p95: 30 } }],
    ["lognormal:10,30,120", { lognormal: { median: 10, p95: 30, max: 120 } }],
  ])("parses %s", (text, spec) => {
    expect(parseDuration("--job-seconds", text)).toEqual(spec);
  });

  it.each([["-1"], ["ten"], ["10-2"], ["lognormal:10"], ["lognormal:30,10"], ["lognormal:0,1"], [""]])(
    "refuses %j naming the flag and the accepted forms",
    (text) => {
      expect(() => parseDuration("--purge-seconds", text)).toThrow(EmulatorInputError);
      expect(() => parseDuration("--purge-seconds", text)).toThrow(
        /--purge-seconds takes seconds \(3\), a uniform range \(2-10\) or lognormal:MEDIAN,P95\[,MAX\]/,
      );
    },
  );

  it("refuses a bad distribution object naming the setting", () => {
    expect(() => validateDuration("deleteSeconds", { normal: { mean: 3 } })).toThrow(
      /Emulator setting `deleteSeconds` names an unknown distribution/,
    );
    expect(() => validateDuration("jobSeconds", { uniform: { min: 5, max: 1 } })).toThrow(
      /`jobSeconds` needs uniform.min <= uniform.max/,
    );
  });

  it("describes a duration for logs and results", () => {
    expect(describeDuration(3)).toBe("3 s");
    expect(describeDuration({ uniform: { min: 2, max: 10 } })).toBe("uniform 2-10 s");
    expect(describeDuration({ lognormal: { median: 10, p95: 30, max: 120 } })).toBe(
      "lognormal median 10 s, p95 30 s, max 120 s",
    );
  });

  it("the CLI takes a duration for Purge, Delete and activation separately", () => {
    const parsed = parseCliArgs([
      "--purge-seconds",
      "2-10",
      "--delete-seconds",
      "lognormal:10,30,120",
      "--activate-seconds",
      "0.5",
      "--job-seconds",
      "4",
    ]);
    expect(parsed).toMatchObject({
      help: false,
      options: {
        purgeSeconds: { uniform: { min: 2, max: 10 } },
        deleteSeconds: { lognormal: { median: 10, p95: 30, max: 120 } },
        activateSeconds: 0.5,
        jobSeconds: 4,
      },
    });
  });
});

describe("an emulator with distributed durations", () => {
  let emu: RunningEmulator;
  afterEach(() => emu.close());

  async function submitAll(delType: string, count: number): Promise<void> {
    const call = sdkCaller({ host: emu.host });
    for (let i = 0; i < count; i++) {
      const id = emu.admin.seedLibrary({ name: `lib-${i}` });
      await call("SubmitFpDBDeleteJob", { FpDBId: id, DelType: delType });
    }
  }

  it("draws each job's duration from its DelType's distribution, seeded, and records it in the ledger", async () => {
    const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
    const options = {
      clock,
      qps: 10_000,
      quota: 1000,
      seed: 5,
      purgeSeconds: { uniform: { min: 2, max: 4 } },
      deleteSeconds: { lognormal: { median: 10, p95: 30, max: 60 } },
    } as const;
    emu = await startEmulator(options);
    await submitAll("Purge", 20);
    await submitAll("Delete", 20);
    const jobs = emu.admin.state().jobs;
    const purges = jobs.filter((j) => j.delType === "Purge").map((j) => j.durationMs);
    const deletes = jobs.filter((j) => j.delType === "Delete").map((j) => j.durationMs);
    expect(purges.every((ms) => ms >= 2000 && ms <= 4000)).toBe(true);
    expect(new Set(purges).size).toBeGreaterThan(15);
    expect(deletes.every((ms) => ms > 0 && ms <= 60_000)).toBe(true);
    expect(new Set(deletes).size).toBeGreaterThan(15);

    // A job is Success exactly when its drawn duration has passed.
    const first = jobs.find((j) => j.delType === "Delete")!;
    const call = sdkCaller({ host: emu.host });
    const status = async (): Promise<string> => {
      const answer = await call("QueryFpDBDeleteJobList", { JobIds: first.jobId });
      return (answer.body.FpDBDeleteJobList as { FpDBDeleteJob: { Status: string }[] }).FpDBDeleteJob[0]
        .Status;
    };
    const submitted = Date.parse(first.submittedAt);
    clock.advance(submitted + first.durationMs - 1 - clock.now());
    expect(await status()).toBe("Analysing");
    clock.advance(1);
    expect(await status()).toBe("Success");

    // After a reset (same seed) the same requests draw the same durations.
    emu.admin.reset();
    await submitAll("Purge", 20);
    await submitAll("Delete", 20);
    expect(emu.admin.state().jobs.map((j) => j.durationMs)).toEqual(jobs.map((j) => j.durationMs));
  });

  it("draws activation delays per library from activateSeconds", async () => {
    const clock = new FakeClock(Math.floor(Date.now() / 1000) * 1000);
    emu = await startEmulator({
      clock,
      qps: 10_000,
      quota: 100,
      activateSeconds: { uniform: { min: 1, max: 5 } },
    });
    const call = sdkCaller({ host: emu.host });
    for (let i = 0; i < 20; i++) await call("CreateFpShotDB", { Name: `lib-${i}` });
    clock.advance(5000);
    const delays = emu.admin
      .state()
      .libraries.map((l) => Date.parse(l.activatedAt ?? "") - Date.parse(l.createdAt));
    expect(delays.every((ms) => ms >= 1000 && ms <= 5000)).toBe(true);
    expect(new Set(delays).size).toBeGreaterThan(10);
  });

  it("takes distributions through setSettings too, and refuses bad ones", async () => {
    emu = await startEmulator({});
    expect(() => emu.admin.setSettings({ deleteSeconds: "2-10" as unknown as DurationSpec })).toThrow(
      /`deleteSeconds` must be a number of seconds or a distribution/,
    );
    expect(() => emu.admin.setSettings({ purgeSeconds: { uniform: { min: 3, max: 1 } } })).toThrow(
      EmulatorInputError,
    );
    expect(emu.admin.setSettings({ purgeSeconds: { uniform: { min: 1, max: 3 } } })).toMatchObject({
      purgeSeconds: { uniform: { min: 1, max: 3 } },
    });
  });
});
