/**
 * The fault matrix (issue 5): a purge and a destroy of 50 libraries under each kind of trouble, through the
 * engine harness and Pulumi's real provider host against the emulator. Each row has its own emulator and stack
 * and the rows run concurrently; the tests assert on what each row recorded.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { FAULT_CASES } from "./support/fault-cases";
import {
  droppedFromStateProblems,
  failureMessageProblems,
  intendedStateProblems,
  jobCountProblems,
  type PhaseRecord,
} from "./support/ledger";
import { slots, startScenario, type Scenario } from "./support/scenario";
import { SecretScan } from "./support/secret-scan";
import { SUITE_ACCESS_KEY_ID, SUITE_ACCESS_KEY_SECRET } from "./support/suite-account";

/** Libraries per stack, as issue 5 requires. */
const LIBRARIES = 50;
/** Rows running at once: enough to overlap their waits, few enough for a 2-core machine. */
const CONCURRENT_ROWS = 4;
/** A test waits for its row, which may still be queued behind others. */
const ROW_TIMEOUT_MS = 240_000;

const scan = new SecretScan();
const scenarios = new Map<string, Scenario>();
let work: string;

beforeAll(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-faults-"));
  const slot = slots(CONCURRENT_ROWS);
  FAULT_CASES.forEach((fault, i) => {
    scenarios.set(fault.id, startScenario(fault, { work, count: LIBRARIES, scan, seed: 11 + i, slot }));
  });
});

afterAll(async () => {
  await Promise.all([...scenarios.values()].map((s) => s.done));
  console.log([...scenarios.values()].map((s) => `${s.fault.id}: ${s.durations.join(", ")}`).join("\n"));
  fs.rmSync(work, { recursive: true, force: true });
}, ROW_TIMEOUT_MS);

function everyProblem(record: PhaseRecord): string[] {
  return [
    ...intendedStateProblems(record),
    ...jobCountProblems(record),
    ...droppedFromStateProblems(record),
    ...failureMessageProblems(record),
  ];
}

describe.each(FAULT_CASES)("under $title", (fault) => {
  it(
    "a purge of 50 libraries purges each once (a duplicate only after an ambiguous submit, and logged) " +
      "after at most one re-run",
    async () => {
      const record = await scenarios.get(fault.id)!.purge;
      expect(record.fired).toBeGreaterThan(0);
      expect(everyProblem(record)).toEqual([]);
    },
    ROW_TIMEOUT_MS,
  );

  it(
    "a destroy of 50 libraries deletes each with exactly one Delete job (one more after a Fail) and empties " +
      "the state after at most one re-run",
    async () => {
      const record = await scenarios.get(fault.id)!.destroy;
      expect(record.fired).toBeGreaterThan(0);
      expect(everyProblem(record)).toEqual([]);
    },
    ROW_TIMEOUT_MS,
  );
});

it(
  "never exposes the AccessKey secret in state files, host output, errors or the requests MPS received",
  async () => {
    await Promise.all([...scenarios.values()].map((s) => s.done));
    expect(scan.size).toBeGreaterThan(FAULT_CASES.length * 4);
    expect(scan.find(SUITE_ACCESS_KEY_SECRET)).toEqual([]);
    // The secret was in use: every request the emulators received was signed with the suite's key.
    expect([...scan.signers]).toEqual([SUITE_ACCESS_KEY_ID]);
  },
  ROW_TIMEOUT_MS,
);
