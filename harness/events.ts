/**
 * The engine harness's public types: run options, step results, progress events and run results.
 */
import type { EngineLogRecord } from "./fake-engine";
import type { PendingOperationType, StackState } from "./state";

/** What a step did (or, in a preview, would do). */
export type StepOp =
  /** A new resource. */
  | "create"
  /** Unchanged: no provider call beyond Check and Diff. */
  | "same"
  /** Updated in place. */
  | "update"
  /** Replaced (see `deleteBeforeReplace` for the order). */
  | "replace"
  /** Deleted (or forgotten, when `retained`). */
  | "delete"
  /** Looked up with `.get()`. */
  | "read"
  /** Read during `refresh` (see `refresh` for the outcome). */
  | "refresh"
  /** An `import` resource option (dynamic providers cannot import; this step fails like under the CLI). */
  | "import"
  /** A `.get()` resource dropped from state without a Delete. */
  | "discard";

/** The outcome of one step. */
export interface StepResult {
  op: StepOp;
  urn: string;
  type: string;
  name: string;
  ok: boolean;
  /** Present when `ok` is false. */
  error?: string;
  /** The resource id after the step, when known. */
  id?: string;
  /** Replace: deleted the old resource before creating the new one. */
  deleteBeforeReplace?: boolean;
  /** Replace: the properties that forced it. */
  replaces?: string[];
  /** Delete: forgotten without a Delete call (retainOnDelete or a component). */
  retained?: boolean;
  /** Delete: the old copy of a create-before-delete replacement (the CLI's "delete-replaced"). */
  replaced?: boolean;
  /** Refresh: what the Read found. */
  refresh?: "unchanged" | "changed" | "gone";
  /** The step left the resource partially created (an init failure): it is in state with its id. */
  partial?: boolean;
  /** Preview only: nothing was changed. */
  preview?: boolean;
  durationMs: number;
}

/** Progress as it happens, for CLI-like printing. */
export type EngineEvent =
  | { kind: "host-started"; pid: number; engineAddress: string }
  | {
      kind: "plan";
      op: StepOp;
      urn: string;
      type: string;
      name: string;
      replaces?: string[];
      deleteBeforeReplace?: boolean;
    }
  | { kind: "step-start"; op: StepOp; urn: string; type: string; name: string }
  | { kind: "step-done"; step: StepResult }
  | { kind: "diagnostic"; source: "host" | "program"; stream: "stdout" | "stderr"; line: string }
  | { kind: "engine-log"; record: EngineLogRecord }
  /** An engine warning (pending operations of an interrupted run, a config value not used, ...). */
  | { kind: "warning"; message: string }
  | { kind: "checkpoint"; file: string; resources: number; writes: number };

/** The operations. */
export type Operation = "preview" | "up" | "refresh" | "destroy";

/** Options of every operation. */
export interface StackRunOptions {
  /** A Pulumi project folder (Pulumi.yaml + index.ts). The provider host runs here. */
  programDir: string;
  /** The state JSON path (created on the first `up`). */
  stackFile: string;
  /** Stack config with namespaced keys, e.g. `{"alicloud:region": "cn-hangzhou"}`. */
  config?: Record<string, string>;
  /** Which config keys are secret: wrapped on the wire, never written to the state file. */
  secretKeys?: string[];
  /**
   * Extra environment, as if the CLI had been started with it: the provider host and the program inherit it, and
   * the harness reads its own settings (`PULUMI_PARALLEL`, `GOMAXPROCS`, `PULUMI_CONTINUE_ON_ERROR`,
   * `PULUMI_RUN_PROGRAM`, `PULUMI_CONFIG_PASSPHRASE`) from it over `process.env`.
   */
  env?: NodeJS.ProcessEnv;
  /**
   * Maximum steps in flight, read as the engine reads `--parallel`: below 2 is 1, 2147483647 (the engine's
   * MaxInt32) or `Infinity` is unbounded. Default: `PULUMI_PARALLEL`, else 4 x GOMAXPROCS (the CPUs Go would use),
   * like the CLI.
   */
  parallel?: number;
  /** Carry on past a failed step with the steps that do not depend on it (`--continue-on-error`). */
  continueOnError?: boolean;
  /**
   * destroy/refresh: run the program and configure the provider from the current config, instead of the config
   * stored at the last update (`--run-program`).
   */
  runProgram?: boolean;
  /** refresh: drop the pending CREATEs an interrupted run left in the state file (`--clear-pending-creates`). */
  clearPendingCreates?: boolean;
  /**
   * Encrypts secret config in the state file (and decrypts it for destroy/refresh). Default:
   * `PULUMI_CONFIG_PASSPHRASE` or `PULUMI_CONFIG_PASSPHRASE_FILE`. Without one only the names of secret keys are
   * stored and destroy/refresh need their values supplied again.
   */
  passphrase?: string;
  /** A first interrupt: no new step starts, running steps finish and are recorded. */
  cancelSignal?: AbortSignal;
  /** A second interrupt: stop now; operations in flight stay pending in the state file. */
  terminateSignal?: AbortSignal;
  /** Default `dev`. */
  stackName?: string;
  /** Default: `name` in Pulumi.yaml. */
  projectName?: string;
  /** Progress events: plan lines, step start/finish, diagnostics. */
  onEvent?: (e: EngineEvent) => void;
  /** Minimum time between state writes, in ms (default 200). */
  checkpointIntervalMs?: number;
  /** Client-side deadline of Create/Update/Delete calls, in ms; default none (the host's death still ends them). */
  longCallDeadlineMs?: number;
  /** Deadline of Check/Diff/Read/Configure calls, in ms (default 60 s). */
  callDeadlineMs?: number;
}

/** What an operation returns. */
export interface RunResult {
  /** True when every step succeeded and the program raised no error. */
  ok: boolean;
  steps: StepResult[];
  /** Stack outputs (the program's exports) with secrets unwrapped; unknown values (preview) as the sentinel. */
  outputs: Record<string, unknown>;
  /** Top-level stack output names whose values are secret. */
  secretOutputs: string[];
  /** Provider host output lines. */
  diagnostics: string[];
  /** Program output lines. */
  programOutput: string[];
  /** Failed steps and program errors. */
  errors: string[];
  /** The state after the operation (unchanged by a preview). */
  state: StackState;
  /** Engine.Log calls the provider made. */
  engineLogs: EngineLogRecord[];
  /** How many times the state file was written. */
  checkpointWrites: number;
  /** Engine warnings (also emitted as `warning` events). */
  warnings: string[];
  /** After a terminate: the operations that were in flight (left pending in the state file). */
  stillRunning: { type: PendingOperationType; urn: string; id?: string }[];
}
