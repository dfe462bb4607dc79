/**
 * Command line for the engine harness, for where the Pulumi CLI is absent (see USAGE). Prints a plan and
 * per-resource results the way `pulumi up` does, provider output as diagnostics, and exits 1 when anything
 * failed. Interrupts behave like the CLI's: the first SIGINT/SIGTERM cancels (running steps finish), the second
 * terminates (what is still running is named and left pending in the state file).
 */
import { parseArgs } from "node:util";
import { formatEvent, formatSummary, heading } from "./cli-format";
import { DEFAULT_STACK, removeLock, runOperation } from "./engine";
import type { Operation, StackRunOptions } from "./events";
import { normalizeParallel } from "./parallelism";

const OPERATIONS: readonly Operation[] = ["up", "preview", "refresh", "destroy"];
const USAGE = `usage: tsx harness/cli.ts up|preview|refresh|destroy --program DIR --stack-file FILE [options]
       tsx harness/cli.ts cancel --stack-file FILE   (removes the lock a killed run left, as pulumi cancel)

  --program DIR              the Pulumi project folder (Pulumi.yaml); plain config is read from its
                             Pulumi.<stack>.yaml as the Pulumi CLI does
  --stack-file FILE          the harness's state file (created by the first up)
  --stack NAME               the stack name (default ${DEFAULT_STACK})
  --config key=value         a plain config value, over Pulumi.<stack>.yaml (repeatable)
  --secret key=value         a secret config value (repeatable); stored encrypted when
                             PULUMI_CONFIG_PASSPHRASE (or PULUMI_CONFIG_PASSPHRASE_FILE) is set
  --parallel N               steps at once; default PULUMI_PARALLEL, else 4 x GOMAXPROCS (the CPUs Go would
                             use). Below 2 means 1; 2147483647 (the CLI's own maximum) means unbounded
  --continue-on-error        carry on past a failed step with what does not depend on it (default: the first
                             failed step stops the run; env PULUMI_CONTINUE_ON_ERROR)
  --run-program              destroy/refresh: run the program and configure the provider from the current
                             config, not the config stored at the last up (env PULUMI_RUN_PROGRAM)
  --clear-pending-creates    refresh: drop the pending CREATEs an interrupted run left in the state file
  --help                     this text

Exit code 0 when everything succeeded, 1 when a step or the program failed or the run was interrupted, 2 on a
bad command line. (--import-pending-creates is refused: it cannot work with dynamic providers.)`;

/** Parses `key=value` pairs into a config map. */
export function parsePairs(pairs: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const i = pair.indexOf("=");
    if (i <= 0)
      throw new Error(
        `--${flag} ${JSON.stringify(pair)} is not key=value (e.g. --${flag} alicloud:region=cn-hangzhou)`,
      );
    out[pair.slice(0, i)] = pair.slice(i + 1);
  }
  return out;
}

/** A parsed command line: the operation and its run options (without event handling). */
export interface CommandLine {
  op: Operation;
  stack: string;
  options: StackRunOptions & {
    parallel: number | undefined;
    continueOnError: boolean;
    runProgram: boolean;
    clearPendingCreates: boolean;
  };
}

/** Parses the arguments after `cli.ts`. Throws with what is wrong. */
export function parseCommandLine(argv: string[]): CommandLine {
  if (argv.includes("--import-pending-creates")) {
    throw new Error(
      "--import-pending-creates cannot work with dynamic providers: the import reads the resource with no " +
        "`__provider` in its state, which the dynamic provider host needs to load the provider. Use " +
        "--clear-pending-creates and adopt the resource by its id instead",
    );
  }
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      program: { type: "string" },
      "stack-file": { type: "string" },
      config: { type: "string", multiple: true, default: [] },
      secret: { type: "string", multiple: true, default: [] },
      parallel: { type: "string" },
      stack: { type: "string" },
      "continue-on-error": { type: "boolean", default: false },
      "run-program": { type: "boolean", default: false },
      "clear-pending-creates": { type: "boolean", default: false },
    },
  });
  const op = positionals[0] as Operation;
  if (positionals.length !== 1 || !OPERATIONS.includes(op)) {
    throw new Error(
      `expected one operation (up, preview, refresh or destroy), got ${JSON.stringify(positionals.join(" "))}`,
    );
  }
  if (!values.program || !values["stack-file"]) throw new Error("--program and --stack-file are required");
  if (values["run-program"] && op !== "destroy" && op !== "refresh") {
    throw new Error("--run-program is a flag of destroy and refresh");
  }
  if (values["clear-pending-creates"] && op !== "refresh") {
    throw new Error("--clear-pending-creates is a flag of refresh");
  }
  let parallel: number | undefined;
  if (values.parallel !== undefined) {
    if (!/^-?\d+$/.test(values.parallel.trim())) {
      throw new Error(`--parallel must be an integer, got ${JSON.stringify(values.parallel)}`);
    }
    parallel = normalizeParallel(Number(values.parallel));
  }
  const plain = parsePairs(values.config, "config");
  const secret = parsePairs(values.secret, "secret");
  const stack = values.stack ?? DEFAULT_STACK;
  return {
    op,
    stack,
    options: {
      programDir: values.program,
      stackFile: values["stack-file"],
      config: { ...plain, ...secret },
      secretKeys: Object.keys(secret),
      parallel,
      stackName: stack,
      continueOnError: values["continue-on-error"],
      runProgram: values["run-program"],
      clearPendingCreates: values["clear-pending-creates"],
    },
  };
}

/** Where the CLI's interrupts come from; tests pass their own. */
export interface Interrupts {
  /** Calls `handler` on each SIGINT/SIGTERM until the returned function is called. */
  listen(handler: (signal: NodeJS.Signals) => void): () => void;
}

const processInterrupts: Interrupts = {
  listen(handler) {
    process.on("SIGINT", handler);
    process.on("SIGTERM", handler);
    return () => {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    };
  },
};

/** Runs the CLI; returns the exit code (0 ok, 1 failed or interrupted, 2 bad command line). */
export async function main(
  argv: string[],
  write: (line: string) => void = (l) => console.log(l),
  interrupts: Interrupts = processInterrupts,
): Promise<number> {
  if (argv.includes("--help") || argv.includes("-h")) {
    write(USAGE);
    return 0;
  }
  if (argv[0] === "cancel") {
    const i = argv.indexOf("--stack-file");
    const file = i >= 0 ? argv[i + 1] : undefined;
    if (!file) {
      write("--stack-file is required");
      write(USAGE.split("\n")[0]);
      return 2;
    }
    write(removeLock(file) ? `removed the lock of ${file}` : `${file} is not locked`);
    return 0;
  }
  let parsed: CommandLine;
  try {
    parsed = parseCommandLine(argv);
  } catch (err) {
    write((err as Error).message);
    write(USAGE.split("\n")[0]);
    return 2;
  }
  const { op, stack, options } = parsed;
  write(heading(op, stack));
  const cancel = new AbortController();
  const terminate = new AbortController();
  // backend/cancellation_scope.go: the first interrupt cancels, the second terminates.
  const stopListening = interrupts.listen((signal) => {
    const shown = signal === "SIGTERM" ? "SIGTERM" : "^C";
    if (!cancel.signal.aborted) {
      write(
        signal === "SIGTERM"
          ? "SIGTERM received; cancelling. If you would like to terminate immediately, send SIGTERM again."
          : "^C received; cancelling. If you would like to terminate immediately, press ^C again.",
      );
      if (op !== "preview") {
        write("Note that terminating immediately may lead to orphaned resources and other inconsistencies.");
      }
      cancel.abort();
    } else if (!terminate.signal.aborted) {
      write(`${shown} received; terminating`);
      terminate.abort();
    }
  });
  const started = Date.now();
  try {
    const result = await runOperation(op, {
      ...options,
      cancelSignal: cancel.signal,
      terminateSignal: terminate.signal,
      onEvent: (e) => {
        const line = formatEvent(op, e);
        if (line !== undefined) write(line);
      },
    });
    for (const line of formatSummary(op, result, Date.now() - started)) write(line);
    return result.ok ? 0 : 1;
  } finally {
    stopListening();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
