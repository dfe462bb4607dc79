/**
 * How many steps run at once, as the Pulumi CLI decides it (pkg/cmd/pulumi/operations/up.go `defaultParallel`,
 * pkg/resource/deploy/deployment.go `DegreeOfParallelism`).
 */
import * as os from "node:os";

/** The engine's value for "unbounded" (math.MaxInt32). */
export const UNBOUNDED_PARALLEL = 2147483647;

function positiveInt(text: string | undefined): number | undefined {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return n > 0 ? n : undefined;
}

/**
 * `PULUMI_PARALLEL` when it is a positive integer, else 4 x the CPUs Go would use: `GOMAXPROCS` when it is a
 * positive integer, else the CPUs this process may run on (Go's default GOMAXPROCS honours the affinity mask, as
 * `os.availableParallelism()` does).
 */
export function defaultParallelism(env: NodeJS.ProcessEnv): number {
  const fromEnv = positiveInt(env.PULUMI_PARALLEL);
  if (fromEnv !== undefined) return normalizeParallel(fromEnv);
  const procs = positiveInt(env.GOMAXPROCS) ?? os.availableParallelism();
  return 4 * procs;
}

/** The engine's reading of a requested parallelism: below 2 is 1 (no parallelism), MaxInt32 or more is unbounded. */
export function normalizeParallel(requested: number): number {
  if (Number.isNaN(requested)) throw new Error("parallel must be a number");
  if (requested >= UNBOUNDED_PARALLEL) return Infinity;
  if (requested <= 1) return 1;
  return Math.floor(requested);
}
