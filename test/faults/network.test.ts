/**
 * Network trouble of issue 9, through the engine harness and Pulumi's real provider host:
 *
 * - a device on the path that forgets connections idle for more than 150 ms and resets the next packet on one
 *   (test/support/idle-reset-proxy), with the provider polling every 300 ms so that its pooled connections go
 *   stale between polls: create, purge and destroy must each succeed in one run, with exactly one library per
 *   resource and one job per library;
 * - a throttling storm of 1 request/s per action for the whole purge and destroy phases.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { DEFAULT_QPS, startEmulator, type RunningEmulator } from "../../emulator";
import { DEFAULT_RETRY_MAX_DELAY_MS, DEFAULT_RETRY_THROTTLE_BASE_MS } from "../../core/config/settings";
import { startIdleResetProxy, type IdleResetProxy } from "../support/idle-reset-proxy";
import type { FaultCase } from "./support/fault-cases";
import { FaultStack } from "./support/fault-stack";
import {
  droppedFromStateProblems,
  failureMessageProblems,
  intendedStateProblems,
  jobCountProblems,
  ledgerLine,
  untrackedLibraryProblems,
  type PhaseRecord,
} from "./support/ledger";
import { CREATE_TRIGGER, PURGE_TRIGGER, startScenario, type Scenario } from "./support/scenario";
import { SecretScan } from "./support/secret-scan";
import {
  SUITE_ACCESS_KEY_ID,
  SUITE_ACCESS_KEY_SECRET,
  SUITE_ACCOUNT_ID,
  suiteEmulatorOptions,
} from "./support/suite-account";

const LIBRARIES = 5;
/** The device forgets a connection idle for longer than this, in ms. */
const DEVICE_IDLE_MS = 150;
/** The provider's poll interval behind the device, in ms: longer than the device's bound. */
const POLL_MS = 300;
const TIMEOUT_MS = 180_000;

const scan = new SecretScan();
let work: string;
let emulator: RunningEmulator;
let device: IdleResetProxy;
let stack: FaultStack;
let storm: Scenario;
const ledger: string[] = [];

/** Requests per second per action during the storm. */
const STORM_QPS = 1;

const ONE_PER_SECOND: FaultCase = {
  id: "one-request-per-second",
  title: `a storm of ${STORM_QPS} request/s per action`,
  // The storm is not scaled down like the suite's other timings, so neither is the provider's answer to it: the
  // release's back-off after a throttling answer (1 s, doubling up to 20 s), not the suite's milliseconds.
  config: {
    "pulumi-mps-fpdb:retryThrottleBaseMs": String(DEFAULT_RETRY_THROTTLE_BASE_MS),
    "pulumi-mps-fpdb:retryMaxDelayMs": String(DEFAULT_RETRY_MAX_DELAY_MS),
  },
  begin(target) {
    const throttled = () => target.admin.counts().overall.throttled;
    const before = throttled();
    target.admin.setSettings({ qps: STORM_QPS });
    return {
      end() {
        target.admin.setSettings({ qps: DEFAULT_QPS });
        return throttled() - before;
      },
    };
  },
};

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-network-"));
  // The storm runs on its own emulator and stack, alongside the device's.
  storm = startScenario(ONE_PER_SECOND, { work, count: LIBRARIES, scan, seed: 5 });
  emulator = await startEmulator(suiteEmulatorOptions({ activateSeconds: 1, jobSeconds: 1 }));
  device = await startIdleResetProxy({ upstreamPort: emulator.port, idleMs: DEVICE_IDLE_MS });
  stack = await FaultStack.start({
    name: "idle-reset",
    work,
    count: LIBRARIES,
    shared: emulator,
    config: {
      "pulumi-mps-fpdb:endpoint": device.endpoint,
      "pulumi-mps-fpdb:pollIntervalMs": String(POLL_MS),
      "pulumi-mps-fpdb:maxPollIntervalMs": String(POLL_MS * 2),
    },
    scan,
  });
});

afterAll(async () => {
  await storm?.done;
  await device?.close();
  await emulator?.close();
  console.log(ledger.join("\n"));
  fs.rmSync(work, { recursive: true, force: true });
}, TIMEOUT_MS);

describe("behind a device that resets connections idle for more than 150 ms", () => {
  let ids: string[] = [];
  const phase = async (op: "up" | "destroy", label: string, trigger?: string) => {
    const jobsBefore = new Set(emulator.admin.state().jobs.map((j) => j.jobId));
    const before = stack.state().resources.map((r) => r.id);
    const run = await stack.run(op, label, trigger);
    const record: PhaseRecord = {
      phase: op === "destroy" ? "destroy" : "purge",
      ids: before,
      jobsBefore,
      runs: [run],
      fired: device.stats().resets,
    };
    return { run, record };
  };

  it(
    "creates each library exactly once, in one run",
    async () => {
      const { run } = await phase("up", "create", CREATE_TRIGGER);
      expect(run.result.errors).toEqual([]);
      ids = run.result.state.resources.map((r) => r.id);
      expect(ids).toHaveLength(LIBRARIES);
      const libraries = run.after.libraries.filter((lib) => lib.accountId === SUITE_ACCOUNT_ID);
      expect(libraries.map((lib) => lib.fpDbId).sort()).toEqual([...ids].sort());
      expect(run.after.libraries.every((lib) => lib.status === "active")).toBe(true);
      expect(untrackedLibraryProblems([run])).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    "purges each library once, in one run, while the device resets stale connections",
    async () => {
      const { record } = await phase("up", "purge", PURGE_TRIGGER);
      ledger.push(
        `${ledgerLine("purge behind the idle-reset device", record)}, ${device.stats().resets} resets`,
      );
      expect(record.runs[0].result.errors).toEqual([]);
      expect([
        ...intendedStateProblems(record),
        ...jobCountProblems(record),
        ...droppedFromStateProblems(record),
      ]).toEqual([]);
      // The device struck: polls after an idle gap met forgotten connections.
      expect(device.stats().resets).toBeGreaterThan(0);
    },
    TIMEOUT_MS,
  );

  it(
    "deletes each library with one Delete job, in one run",
    async () => {
      const resetsBefore = device.stats().resets;
      const { record } = await phase("destroy", "destroy");
      ledger.push(
        `${ledgerLine("destroy behind the idle-reset device", record)}, ${device.stats().resets} resets`,
      );
      expect(record.runs[0].result.errors).toEqual([]);
      expect([
        ...intendedStateProblems(record),
        ...jobCountProblems(record),
        ...droppedFromStateProblems(record),
        ...untrackedLibraryProblems(record.runs),
      ]).toEqual([]);
      expect(device.stats().resets).toBeGreaterThan(resetsBefore);
      // No write was ever reported with an unknown outcome: none rode a stale connection.
      const lines = record.runs.flatMap((run) => run.result.diagnostics);
      expect(lines.filter((line) => /unknown outcome|may have been executed/.test(line))).toEqual([]);
    },
    TIMEOUT_MS,
  );
});

describe(`under ${ONE_PER_SECOND.title}`, () => {
  const problems = (record: PhaseRecord) => [
    ...intendedStateProblems(record),
    ...jobCountProblems(record),
    ...droppedFromStateProblems(record),
    ...failureMessageProblems(record),
    ...untrackedLibraryProblems(record.runs),
  ];

  it(
    "a purge purges each library once (a duplicate only after an ambiguous submit, and logged), in one run",
    async () => {
      const record = await storm.purge;
      ledger.push(
        `${ledgerLine("purge at 1 request/s", record)}, ${record.fired} throttled; first run's errors: ` +
          (record.runs[0].result.errors.slice(0, 2).join(" | ") || "none"),
      );
      expect(record.fired).toBeGreaterThan(0);
      expect(problems(record)).toEqual([]);
      // With the release's back-off, the storm is outlasted without a re-run.
      expect(record.runs).toHaveLength(1);
    },
    TIMEOUT_MS,
  );

  it(
    "a destroy deletes each library with exactly one Delete job, in one run",
    async () => {
      const record = await storm.destroy;
      ledger.push(
        `${ledgerLine("destroy at 1 request/s", record)}, ${record.fired} throttled; first run's errors: ` +
          (record.runs[0].result.errors.slice(0, 2).join(" | ") || "none"),
      );
      expect(record.fired).toBeGreaterThan(0);
      expect(problems(record)).toEqual([]);
      expect(record.runs).toHaveLength(1);
    },
    TIMEOUT_MS,
  );
});

it(
  "never exposes the AccessKey secret in state files, host output, errors or the requests MPS received",
  async () => {
    await storm.done;
    scan.addRequests("requests received behind the idle-reset device", emulator.admin.requests());
    expect(scan.size).toBeGreaterThan(5);
    expect(scan.find(SUITE_ACCESS_KEY_SECRET)).toEqual([]);
    expect([...scan.signers]).toEqual([SUITE_ACCESS_KEY_ID]);
  },
  TIMEOUT_MS,
);
