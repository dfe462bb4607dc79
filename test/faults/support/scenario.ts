/**
 * One row of the fault matrix, end to end: a stack of N libraries created without faults, then a purge (an `up`
 * that changes the trigger) and a destroy, each under the fault and re-run once if it failed. The phases are
 * exposed as promises, so tests can assert on the purge while the destroy is still running.
 */
import { Semaphore } from "../../../harness/semaphore";
import type { FaultCase, Phase } from "./fault-cases";
import { FaultStack, type RecordedRun } from "./fault-stack";
import type { PhaseRecord } from "./ledger";
import type { SecretScan } from "./secret-scan";

/** The purge trigger the libraries are created with (a create never purges). */
export const CREATE_TRIGGER = "r1";
/** The trigger of the purge phase: the change submits one Purge job per library. */
export const PURGE_TRIGGER = "r2";

/** A running matrix row. */
export interface Scenario {
  fault: FaultCase;
  purge: Promise<PhaseRecord>;
  destroy: Promise<PhaseRecord>;
  /** Settles when everything is done and the emulator is closed. */
  done: Promise<unknown>;
  /** `<run label> <seconds>s` of every finished run, for the suite's timing line. */
  durations: string[];
}

/** How a scenario is started. */
export interface ScenarioOptions {
  work: string;
  count: number;
  scan: SecretScan;
  /** Seed of the emulator's fault PRNG. */
  seed: number;
  /** Resolves when the scenario may start (a concurrency limit); default at once. */
  slot?: () => Promise<() => void>;
}

/**
 * A concurrency limit for rows: the returned function resolves, once one of `limit` slots is free, to the
 * function that frees it again.
 */
export function slots(limit: number): () => Promise<() => void> {
  const semaphore = new Semaphore(limit);
  return () =>
    new Promise((granted) => {
      void semaphore.run(() => new Promise<void>((release) => granted(release)));
    });
}

/** Starts a matrix row; nothing is awaited here. */
export function startScenario(fault: FaultCase, o: ScenarioOptions): Scenario {
  const durations: string[] = [];
  const timed = (run: RecordedRun): RecordedRun => {
    durations.push(`${run.label} ${(run.durationMs / 1000).toFixed(1)}s`);
    return run;
  };
  const stack = (async () => {
    const release = await (o.slot?.() ?? Promise.resolve(() => undefined));
    const s = await FaultStack.start({
      name: fault.id,
      work: o.work,
      count: o.count,
      config: fault.config,
      emulator: { seed: o.seed },
      scan: o.scan,
      // Every library is attempted in every run, as with `pulumi up --continue-on-error`: under the engine's
      // fail-fast default, the libraries behind the first failure would wait for the next run, where their own
      // first job could fail again, and "at most one re-run" would measure the engine's rule, not the provider.
      continueOnError: true,
    });
    return { s, release };
  })();
  const created = stack.then(async ({ s }) => {
    const run = timed(await s.run("up", "create", CREATE_TRIGGER));
    if (!run.result.ok || run.result.state.resources.length !== o.count) {
      throw new Error(`${fault.id}: creating ${o.count} libraries failed: ${run.result.errors.join(" | ")}`);
    }
    return run.result.state.resources.map((r) => r.id);
  });
  const purge = created.then(async (ids) => runPhase((await stack).s, fault, "purge", ids, timed));
  const destroy = purge.then(async (p) => runPhase((await stack).s, fault, "destroy", p.ids, timed));
  const done = destroy
    .catch(() => undefined)
    .finally(async () => {
      const { s, release } = await stack;
      await s.close();
      release();
    });
  // The tests await these; until they do, a rejection must not count as unhandled.
  for (const p of [purge, destroy, done]) p.catch(() => undefined);
  return { fault, purge, destroy, done, durations };
}

async function runPhase(
  stack: FaultStack,
  fault: FaultCase,
  phase: Phase,
  ids: string[],
  timed: (run: RecordedRun) => RecordedRun,
): Promise<PhaseRecord> {
  const jobsBefore = new Set(stack.emulator.admin.state().jobs.map((j) => j.jobId));
  const go = async (label: string) =>
    timed(await (phase === "purge" ? stack.run("up", label, PURGE_TRIGGER) : stack.run("destroy", label)));
  const handle = fault.begin(stack.emulator, phase);
  const runs: RecordedRun[] = [];
  let fired = 0;
  try {
    runs.push(await go(phase));
    if (!runs[0].result.ok) runs.push(await go(`${phase} re-run`));
  } finally {
    fired = handle.end();
  }
  return { phase, ids, jobsBefore, runs, fired, delayedSubmits: fault.delayedSubmits };
}
