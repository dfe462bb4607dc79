import { EmulatorInputError } from "./input-error";

/**
 * How long something takes in the emulator (a Purge or Delete job, a library's activation), in seconds: a fixed
 * number (the default, as before), or a distribution sampled per job from the emulator's seeded PRNG, so a run
 * with the same seed and request order sees the same durations.
 */
export type DurationSpec =
  | number
  /** Uniformly between `min` and `max` seconds. */
  | { uniform: { min: number; max: number } }
  /**
   * Lognormal with this median and 95th percentile (seconds), capped at `max` when given: a few jobs take much
   * longer than most, as queue-backed jobs do.
   */
  | { lognormal: { median: number; p95: number; max?: number } };

/** z of the 95th percentile of the standard normal distribution. */
const Z95 = 1.6448536269514722;

/** Throws `EmulatorInputError` naming `name` unless `spec` is a valid duration. */
export function validateDuration(name: string, spec: unknown): DurationSpec {
  const bad = (why: string): never => {
    throw new EmulatorInputError(
      `Emulator setting \`${name}\` ${why}, got ${JSON.stringify(spec)}. Use seconds (3), ` +
        `{"uniform": {"min": 2, "max": 10}} or {"lognormal": {"median": 10, "p95": 30, "max": 120}}.`,
    );
  };
  const seconds = (value: unknown): value is number =>
    typeof value === "number" && Number.isFinite(value) && value >= 0;
  if (typeof spec === "number") {
    if (!seconds(spec)) bad("must be a finite number >= 0");
    return spec;
  }
  if (typeof spec !== "object" || spec === null) return bad("must be a number of seconds or a distribution");
  const keys = Object.keys(spec);
  if (keys.length !== 1) return bad("must name exactly one distribution");
  if ("uniform" in spec) {
    const u = (spec as { uniform: { min?: unknown; max?: unknown } }).uniform ?? {};
    if (!seconds(u.min) || !seconds(u.max) || u.max < u.min)
      bad("needs uniform.min <= uniform.max, both >= 0");
    return spec as DurationSpec;
  }
  if ("lognormal" in spec) {
    const l = (spec as { lognormal: { median?: unknown; p95?: unknown; max?: unknown } }).lognormal ?? {};
    if (!seconds(l.median) || l.median <= 0 || !seconds(l.p95) || l.p95 < l.median)
      bad("needs lognormal.median > 0 and lognormal.p95 >= median");
    if (l.max !== undefined && (!seconds(l.max) || (l.max as number) <= 0)) bad("needs lognormal.max > 0");
    return spec as DurationSpec;
  }
  return bad("names an unknown distribution (uniform or lognormal)");
}

/** One duration in milliseconds, drawn with `random` (uniform in [0, 1)) for a distribution. */
export function sampleMs(spec: DurationSpec, random: () => number): number {
  if (typeof spec === "number") return spec * 1000;
  if ("uniform" in spec) return (spec.uniform.min + random() * (spec.uniform.max - spec.uniform.min)) * 1000;
  const { median, p95, max } = spec.lognormal;
  const sigma = Math.log(p95 / median) / Z95;
  const seconds = median * Math.exp(sigma * standardNormal(random));
  return Math.min(seconds, max ?? Infinity) * 1000;
}

/** Box-Muller: one standard normal draw from two uniform ones. */
function standardNormal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/**
 * Parses a duration written on the command line: `3` (seconds), `2-10` (uniform), or
 * `lognormal:MEDIAN,P95[,MAX]`.
 */
export function parseDuration(flag: string, raw: string): DurationSpec {
  const text = raw.trim();
  const usage = `${flag} takes seconds (3), a uniform range (2-10) or lognormal:MEDIAN,P95[,MAX], got "${raw}".`;
  const num = (s: string): number => {
    const value = Number(s);
    if (s.trim() === "" || !Number.isFinite(value)) throw new EmulatorInputError(usage);
    return value;
  };
  let spec: DurationSpec;
  if (text.startsWith("lognormal:")) {
    const parts = text.slice("lognormal:".length).split(",");
    if (parts.length < 2 || parts.length > 3) throw new EmulatorInputError(usage);
    const [median, p95, max] = parts.map(num);
    spec = { lognormal: max === undefined ? { median, p95 } : { median, p95, max } };
  } else if (/^[\d.]+-[\d.]+$/.test(text)) {
    const [min, max] = text.split("-").map(num);
    spec = { uniform: { min, max } };
  } else {
    spec = num(text);
  }
  try {
    return validateDuration(flag, spec);
  } catch {
    throw new EmulatorInputError(usage);
  }
}

/** "3 s", "uniform 2-10 s", "lognormal median 10 s, p95 30 s, max 120 s": for logs and results. */
export function describeDuration(spec: DurationSpec): string {
  if (typeof spec === "number") return `${spec} s`;
  if ("uniform" in spec) return `uniform ${spec.uniform.min}-${spec.uniform.max} s`;
  const { median, p95, max } = spec.lognormal;
  return `lognormal median ${median} s, p95 ${p95} s${max !== undefined ? `, max ${max} s` : ""}`;
}
