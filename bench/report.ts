/**
 * Where the benchmark writes: one JSON object per line on stdout (the machine-readable result), human progress
 * on stderr, so `npm run bench > results.jsonl` keeps only the results.
 */

/** One result line. Fields that do not apply to a scenario are omitted. */
export interface BenchRecord {
  scenario: string;
  [field: string]: unknown;
}

/** Writes one result line to stdout. */
export function emit(record: BenchRecord): void {
  process.stdout.write(`${JSON.stringify(record)}\n`);
}

/** Writes a progress line to stderr, stamped with seconds since the benchmark started. */
export function progress(message: string): void {
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1).padStart(6);
  process.stderr.write(`[bench ${seconds}s] ${message}\n`);
}

const startedAt = Date.now();

/** Rounds to `digits` decimals, for readable JSON. */
export function round(value: number, digits = 3): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}
