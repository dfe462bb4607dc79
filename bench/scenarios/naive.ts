/**
 * The naive baseline (bench/naive/provider.ts): `up` and `destroy` of N libraries, then the side-by-side ratios
 * against our teardown from the same run.
 */
import { bulkRecord } from "../bulk-record";
import { noteCpu, providerBytes, SERVICE, type BenchContext } from "../context";
import { measure, type Measured } from "../measure";
import { emit, progress, round } from "../report";
import { naiveStack } from "../stacks";
import { checkJobs, knownJobIds } from "../verify";

/** The naive provider polls every 5 s (its header): the interval its floor allows for. */
const NAIVE_POLL_SECONDS = 5;

/** What the overhead scenario needs from the naive runs. */
export interface NaiveRuns {
  providerBytes?: { oneCopy: number; perResource: number };
}

/** Runs the naive stack's up and destroy; emits teardown-naive and, given ours, teardown-vs-naive. */
export async function runNaiveScenario(ctx: BenchContext, ours: Measured | undefined): Promise<NaiveRuns> {
  const { emulator, work, libraries } = ctx;
  const stack = naiveStack(emulator, work, libraries);
  progress(`naive: up of ${libraries} libraries`);
  const created = await measure("naive up", "up", stack, emulator);
  emit(
    bulkRecord("create-naive", libraries, created, {
      requestsPerSecond: SERVICE.requestsPerSecond,
      jobSeconds: 0,
      pollIntervalSeconds: 0,
    }),
  );
  noteCpu(ctx, "naive create", created);
  if (!created.result.ok)
    progress(`naive: up failed for ${created.result.errors.length}: ${created.result.errors[0]}`);
  const ids = created.result.state.resources.filter((r) => r.custom).map((r) => r.id);

  progress(`teardown-naive: destroy of ${libraries} libraries`);
  const before = await knownJobIds(emulator);
  const destroyed = await measure("teardown-naive", "destroy", stack, emulator);
  const check = await checkJobs(emulator, ids, "Delete", before);
  emit(
    bulkRecord(
      "teardown-naive",
      libraries,
      destroyed,
      {
        requestsPerSecond: SERVICE.requestsPerSecond,
        jobSeconds: SERVICE.jobSeconds,
        pollIntervalSeconds: NAIVE_POLL_SECONDS,
      },
      {
        deletedOnce: check.librariesWithOneSuccessfulJob,
        duplicateJobs: check.extraJobs,
        librariesGone: check.librariesDeleted,
      },
    ),
  );
  noteCpu(ctx, "naive delete", destroyed);
  if (ours) {
    emit({
      scenario: "teardown-vs-naive",
      libraries,
      wallRatio: round(ours.wallSeconds / destroyed.wallSeconds),
      callsRatio: round(ours.calls.total / destroyed.calls.total),
      throttledOurs: ours.calls.throttled,
      throttledNaive: destroyed.calls.throttled,
    });
  }
  return { providerBytes: providerBytes(created.result.state) };
}
