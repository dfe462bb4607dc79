/**
 * Killed provider hosts (issue 9): the host is killed with SIGKILL at one of three moments of a create, a purge
 * or a destroy of a small stack (before the write is sent, after it reached MPS but before its answer was read,
 * during the wait that follows), and the same operation is run again. Nothing reaches state from the killed run,
 * so the re-run must find what the killed one left: one Delete per library, a Purge only where the trigger asked
 * (a duplicate only after a submit whose answer was lost, and then logged), no library deleted that the stack did
 * not own, and no library left untracked without a host line naming it.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { RunningEmulator } from "../../emulator";
import type { EngineEvent } from "../../harness/engine";
import { FaultStack, type RecordedRun } from "./support/fault-stack";
import {
  droppedFromStateProblems,
  foreignLibraryProblems,
  intendedStateProblems,
  jobCountProblems,
  ledgerLine,
  untrackedLibraryProblems,
  type PhaseRecord,
} from "./support/ledger";
import { CREATE_TRIGGER, PURGE_TRIGGER, slots } from "./support/scenario";
import { SecretScan } from "./support/secret-scan";
import { SUITE_ACCESS_KEY_ID, SUITE_ACCESS_KEY_SECRET, SUITE_ACCOUNT_ID } from "./support/suite-account";

/** Libraries per stack: enough for batching and concurrency, few enough for nine stacks on two cores. */
const LIBRARIES = 3;
/** Stacks running at once. */
const CONCURRENT = 3;
/** How long the answer to a write is held back in the after-submit case (the host dies meanwhile), in ms. */
const HELD_ANSWER_MS = 3000;
/** Job and activation time in the during-wait case, in seconds: long enough to kill the host inside the wait. */
const LONG_WAIT_SECONDS = 2;
const TIMEOUT_MS = 240_000;

type Operation = "create" | "purge" | "destroy";
type Moment = "before-submit" | "after-submit" | "during-wait";

const OPERATIONS: Operation[] = ["create", "purge", "destroy"];
const MOMENTS: Moment[] = ["before-submit", "after-submit", "during-wait"];
const WRITE_OF: Record<Operation, string> = {
  create: "CreateFpShotDB",
  purge: "SubmitFpDBDeleteJob",
  destroy: "SubmitFpDBDeleteJob",
};
const STEP_OF: Record<Operation, string> = { create: "create", purge: "update", destroy: "delete" };

/** What one case recorded. */
interface Outcome {
  operation: Operation;
  moment: Moment;
  record: PhaseRecord;
  /** Writes the emulator had received from the killed run when the host was killed. */
  writesAtKill: number;
  /** Libraries seeded next to the stack, which it does not own. */
  foreign: string[];
}

const scan = new SecretScan();
const outcomes = new Map<string, Promise<Outcome>>();
let work: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-killed-"));
  const slot = slots(CONCURRENT);
  for (const operation of OPERATIONS) {
    for (const moment of MOMENTS) {
      const outcome = (async () => {
        const release = await slot();
        try {
          return await runCase(operation, moment);
        } finally {
          release();
        }
      })();
      outcome.catch(() => undefined);
      outcomes.set(`${operation} ${moment}`, outcome);
    }
  }
});

afterAll(async () => {
  const settled = await Promise.allSettled(outcomes.values());
  const lines = settled.flatMap((s) => {
    if (s.status !== "fulfilled") return [];
    const { operation, moment, record, foreign, writesAtKill } = s.value;
    const times = record.runs.map((run) => `${(run.durationMs / 1000).toFixed(1)}s`).join(" + ");
    return [
      `${ledgerLine(`${operation}, host killed ${moment}`, record, foreign)}, ${writesAtKill} writes at the ` +
        `kill, runs took ${times}`,
    ];
  });
  console.log(lines.join("\n"));
  fs.rmSync(work, { recursive: true, force: true });
}, TIMEOUT_MS);

function writesIn(emulator: RunningEmulator, action: string, since: number): number {
  return emulator.admin
    .requests()
    .slice(since)
    .filter((r) => r.action === action && r.status === 200).length;
}

/**
 * Kills the host at the moment: at the first step of the operation (before-submit); once the first write reached
 * the emulator, whose answer is held back (after-submit); once every library's write was answered and the host
 * named its library or job in a line (during-wait).
 */
function killer(
  emulator: RunningEmulator,
  operation: Operation,
  moment: Moment,
): { onEvent: (e: EngineEvent) => void; done: () => number } {
  const since = emulator.admin.requests().length;
  const jobsBefore = new Set(emulator.admin.state().jobs.map((j) => j.jobId));
  const librariesBefore = new Set(emulator.admin.state().libraries.map((l) => l.fpDbId));
  const lines: string[] = [];
  let pid: number | undefined;
  let writesAtKill = -1;
  const kill = () => {
    if (pid === undefined || writesAtKill >= 0) return;
    writesAtKill = writesIn(emulator, WRITE_OF[operation], since);
    clearInterval(watch);
    process.kill(pid, "SIGKILL");
  };
  const named = (id: string) => lines.some((line) => line.includes(id));
  const watch = setInterval(() => {
    if (moment === "after-submit" && writesIn(emulator, WRITE_OF[operation], since) > 0) kill();
    if (moment !== "during-wait") return;
    const state = emulator.admin.state();
    const written =
      operation === "create"
        ? state.libraries.filter((l) => !librariesBefore.has(l.fpDbId)).map((l) => l.fpDbId)
        : state.jobs.filter((j) => !jobsBefore.has(j.jobId)).map((j) => j.jobId);
    if (written.length >= LIBRARIES && written.every(named)) kill();
  }, 5);
  return {
    onEvent: (e) => {
      if (e.kind === "host-started") pid = e.pid;
      if (e.kind === "diagnostic") lines.push(e.line);
      if (e.kind === "step-start" && e.op === STEP_OF[operation] && moment === "before-submit") kill();
    },
    done: () => {
      clearInterval(watch);
      return writesAtKill;
    },
  };
}

async function runCase(operation: Operation, moment: Moment): Promise<Outcome> {
  const longWait = moment === "during-wait";
  const stack = await FaultStack.start({
    name: `${operation}-${moment}`,
    work,
    count: LIBRARIES,
    emulator: {
      activateSeconds: longWait && operation === "create" ? LONG_WAIT_SECONDS : 0.05,
      jobSeconds: longWait ? LONG_WAIT_SECONDS : 0.2,
    },
    scan,
  });
  try {
    const emulator = stack.emulator;
    const foreign = [emulator.admin.seedLibrary({ accountId: SUITE_ACCOUNT_ID, name: "not-the-stacks" })];
    let ids: string[] = [];
    if (operation !== "create") {
      const created = await stack.run("up", "create", CREATE_TRIGGER);
      if (!created.result.ok)
        throw new Error(`creating the stack failed: ${created.result.errors.join(" | ")}`);
      ids = created.result.state.resources.map((r) => r.id);
    }
    const jobsBefore = new Set(emulator.admin.state().jobs.map((j) => j.jobId));
    const write = WRITE_OF[operation];
    if (moment === "after-submit") {
      emulator.admin.setFaults([
        { type: "latency", action: write, latencyMs: HELD_ANSWER_MS, count: LIBRARIES },
      ]);
    }
    const go = (label: string, onEvent?: (e: EngineEvent) => void): Promise<RecordedRun> =>
      operation === "destroy"
        ? stack.run("destroy", label, undefined, onEvent)
        : stack.run("up", label, operation === "purge" ? PURGE_TRIGGER : CREATE_TRIGGER, onEvent);
    const kill = killer(emulator, operation, moment);
    const killed = await go(`${operation} (host killed ${moment})`, kill.onEvent);
    const writesAtKill = kill.done();
    emulator.admin.clearFaults();
    const rerun = await go(`${operation} re-run`);
    if (operation === "create") ids = rerun.result.state.resources.map((r) => r.id);
    const record: PhaseRecord = {
      phase: operation === "purge" ? "purge" : "destroy",
      ids,
      jobsBefore,
      runs: [killed, rerun],
      fired: writesAtKill >= 0 ? 1 : 0,
      // Whatever the killed host learnt from its submits died with it: for the stack, every submit of the killed
      // run is one whose answer was lost, and may leave a job the re-run has to find.
      delayedSubmits: killed.requests.filter((r) => r.action === write && r.status === 200).length,
    };
    return { operation, moment, record, writesAtKill, foreign };
  } finally {
    await stack.close();
  }
}

function problems(outcome: Outcome): string[] {
  const { record, operation, foreign } = outcome;
  const killed = record.runs[0];
  const last = record.runs[record.runs.length - 1];
  const found: string[] = [];
  if (killed.result.ok) found.push("the killed run succeeded: the host was not killed in time");
  found.push(...foreignLibraryProblems(last, foreign));
  found.push(...untrackedLibraryProblems(record.runs, foreign));
  if (operation === "create") {
    if (!last.result.ok) found.push(`the re-run failed: ${last.result.errors.join(" | ")}`);
    if (last.result.state.resources.length !== LIBRARIES) {
      found.push(`${last.result.state.resources.length} resources in state, expected ${LIBRARIES}`);
    }
    const jobs = last.after.jobs.filter((j) => !record.jobsBefore.has(j.jobId));
    if (jobs.length > 0) found.push(`a create submitted jobs: ${jobs.map((j) => j.jobId).join(", ")}`);
    return found;
  }
  found.push(
    ...intendedStateProblems(record),
    ...jobCountProblems(record),
    ...droppedFromStateProblems(record),
  );
  if (operation === "purge") found.push(...knowableDuplicateProblems(record));
  return found;
}

/**
 * Issue 9 item 5: a Purge of a library that is newer than the last job its state knows (here: none, the library
 * was created by the stack) and not in its `jobHistory` belongs to the current trigger; the provider may only
 * submit another, as a logged possible duplicate, when the 20 newest jobs of the account do not reach back far
 * enough. These accounts hold far fewer than 20 jobs, so the window shows every job: no duplicate at all.
 */
function knowableDuplicateProblems(record: PhaseRecord): string[] {
  const last = record.runs[record.runs.length - 1];
  if (last.after.jobs.length > 20) return [];
  const problems: string[] = [];
  for (const id of record.ids) {
    const purges = last.after.jobs.filter(
      (j) => j.fpDbId === id && j.delType === "Purge" && !record.jobsBefore.has(j.jobId),
    );
    if (purges.length > 1) {
      problems.push(
        `library ${id}: ${purges.length} Purge jobs (${purges.map((j) => j.jobId).join(", ")}) although the ` +
          `account's ${last.after.jobs.length} jobs all fit in the 20-newest window`,
      );
    }
  }
  return problems;
}

describe.each(OPERATIONS)("%s", (operation) => {
  it.each(MOMENTS)(
    `the host killed %s, then a re-run: the ledger balances`,
    async (moment) => {
      const outcome = await outcomes.get(`${operation} ${moment}`)!;
      // The kill landed where the case says: no write before it, or at least one write already sent.
      if (moment === "before-submit") expect(outcome.writesAtKill).toBe(0);
      else expect(outcome.writesAtKill).toBeGreaterThan(0);
      expect(problems(outcome)).toEqual([]);
    },
    TIMEOUT_MS,
  );
});

it(
  "never exposes the AccessKey secret in state files, host output, errors or the requests MPS received",
  async () => {
    await Promise.allSettled(outcomes.values());
    expect(scan.size).toBeGreaterThan(OPERATIONS.length * MOMENTS.length);
    expect(scan.find(SUITE_ACCESS_KEY_SECRET)).toEqual([]);
    expect([...scan.signers]).toEqual([SUITE_ACCESS_KEY_ID]);
  },
  TIMEOUT_MS,
);
