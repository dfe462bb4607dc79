/**
 * One stack of the reliability suite: its own emulator, a stack file of the `libraries` fixture program (N
 * FingerprintLibrary resources from config), and a record of every run with what the emulator saw during it.
 */
import * as path from "node:path";
import {
  startEmulator,
  type EmulatorOptions,
  type EmulatorState,
  type RecordedRequest,
  type RunningEmulator,
} from "../../../emulator";
import * as engine from "../../../harness/engine";
import type { EngineEvent, ResourceState, RunResult, StackRunOptions } from "../../../harness/engine";
import { loadState, type StackState } from "../../../harness/state";
import { hostEnv } from "../../support/lifecycle";
import type { SecretScan } from "./secret-scan";
import { SECRET_CONFIG_KEY, suiteConfig, suiteEmulatorOptions } from "./suite-account";

/** The fixture program: `count` libraries named lib-000, lib-001, ..., emptied when `purgeTrigger` changes. */
export const LIBRARIES_PROGRAM = path.join(__dirname, "..", "fixtures", "libraries");
/** Its project name, the namespace of its config keys. */
export const LIBRARIES_PROJECT = "mps-fpdb-faults";

/** The program's config: how many libraries, and the purge trigger (absent: none). */
export function programConfig(count: number, purgeTrigger?: string): Record<string, string> {
  return {
    [`${LIBRARIES_PROJECT}:count`]: String(count),
    ...(purgeTrigger !== undefined && { [`${LIBRARIES_PROJECT}:purgeTrigger`]: purgeTrigger }),
  };
}

/** One operation on the stack and what the emulator saw while it ran. */
export interface RecordedRun {
  op: "up" | "destroy";
  label: string;
  result: RunResult;
  /** The stack's resources before the run. */
  before: ResourceState[];
  /** The emulator right after the run. */
  after: EmulatorState;
  /** The requests the emulator received during the run. */
  requests: RecordedRequest[];
  durationMs: number;
}

/** How to start a {@link FaultStack}. */
export interface FaultStackOptions {
  /** Names the stack file. */
  name: string;
  /** Folder for the stack file. */
  work: string;
  count: number;
  /** Options of the stack's own emulator. */
  emulator?: EmulatorOptions;
  /** An emulator shared with other stacks instead of an own one (its owner closes it). */
  shared?: RunningEmulator;
  /** Extra provider config (e.g. a short `pulumi-mps-fpdb:readTimeoutMs`). */
  config?: Record<string, string>;
  /** Gathers every state file, output and error for the secret check. */
  scan: SecretScan;
  /** Run with `--continue-on-error`: a failed step does not stop the others (default: the engine's fail-fast). */
  continueOnError?: boolean;
}

/** An emulator plus one stack of the fixture program, run through the engine harness. */
export class FaultStack {
  readonly runs: RecordedRun[] = [];
  private closed = false;

  private constructor(
    readonly name: string,
    readonly emulator: RunningEmulator,
    readonly stackFile: string,
    private readonly o: FaultStackOptions,
  ) {}

  static async start(o: FaultStackOptions): Promise<FaultStack> {
    const emulator = o.shared ?? (await startEmulator(suiteEmulatorOptions(o.emulator)));
    return new FaultStack(o.name, emulator, path.join(o.work, `${o.name}.json`), o);
  }

  /** Run options for the stack, with the program config for `purgeTrigger`. */
  options(purgeTrigger?: string, onEvent?: (e: EngineEvent) => void): StackRunOptions {
    return {
      programDir: LIBRARIES_PROGRAM,
      stackFile: this.stackFile,
      config: suiteConfig(this.emulator.endpoint, {
        ...this.o.config,
        ...programConfig(this.o.count, purgeTrigger),
      }),
      secretKeys: [SECRET_CONFIG_KEY],
      env: hostEnv(),
      ...(this.o.continueOnError && { continueOnError: true }),
      ...(onEvent && { onEvent }),
    };
  }

  /** The state file as it stands. */
  state(): StackState {
    return loadState(this.stackFile, LIBRARIES_PROJECT, engine.DEFAULT_STACK);
  }

  /** Runs `up` (with `purgeTrigger`) or `destroy`, records it, and hands its texts to the secret scan. */
  async run(
    op: "up" | "destroy",
    label: string,
    purgeTrigger?: string,
    onEvent?: (e: EngineEvent) => void,
  ): Promise<RecordedRun> {
    const before = this.state().resources;
    const seen = this.emulator.admin.requests().length;
    const started = Date.now();
    const result = await engine[op](this.options(purgeTrigger, onEvent));
    const run: RecordedRun = {
      op,
      label,
      result,
      before,
      after: this.emulator.admin.state(),
      requests: this.emulator.admin.requests().slice(seen),
      durationMs: Date.now() - started,
    };
    this.runs.push(run);
    const source = `${this.name} ${label}`;
    this.o.scan.addLines(`host output of ${source}`, result.diagnostics);
    this.o.scan.addLines(`program output of ${source}`, result.programOutput);
    this.o.scan.addLines(`errors of ${source}`, result.errors);
    this.o.scan.add(`engine logs of ${source}`, JSON.stringify(result.engineLogs));
    this.o.scan.addFile(`state file after ${source}`, this.stackFile);
    return run;
  }

  /** Hands the emulator's request log to the secret scan and closes the emulator, unless it is shared. */
  async close(): Promise<void> {
    if (this.o.shared || this.closed) return;
    this.closed = true;
    this.o.scan.addRequests(`requests received by ${this.name}`, this.emulator.admin.requests());
    await this.emulator.close();
  }
}
