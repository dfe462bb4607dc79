/**
 * Command line for the engine harness, for where the Pulumi CLI is absent:
 *
 *   npx tsx harness/cli.ts up|preview|refresh|destroy --program DIR --stack-file FILE
 *       [--config key=value ...] [--secret key=value ...] [--parallel N] [--stack NAME]
 *
 * Prints a plan and per-resource results the way `pulumi up` does, provider output as diagnostics, and exits 1
 * when anything failed.
 */
import { parseArgs } from "node:util";
import { formatEvent, formatSummary, heading } from "./cli-format";
import { DEFAULT_STACK, runOperation } from "./engine";
import type { Operation } from "./events";

const OPERATIONS: readonly Operation[] = ["up", "preview", "refresh", "destroy"];
const USAGE =
  "usage: tsx harness/cli.ts up|preview|refresh|destroy --program DIR --stack-file FILE " +
  "[--config key=value ...] [--secret key=value ...] [--parallel N] [--stack NAME]";

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

function parseCommandLine(argv: string[]) {
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
    },
  });
  const op = positionals[0] as Operation;
  if (positionals.length !== 1 || !OPERATIONS.includes(op)) {
    throw new Error(
      `expected one operation (up, preview, refresh or destroy), got ${JSON.stringify(positionals.join(" "))}`,
    );
  }
  if (!values.program || !values["stack-file"]) throw new Error("--program and --stack-file are required");
  const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
  if (parallel !== undefined && !(Number.isInteger(parallel) && parallel >= 1)) {
    throw new Error(`--parallel must be a positive integer, got ${JSON.stringify(values.parallel)}`);
  }
  return {
    op,
    values: { ...values, program: values.program, "stack-file": values["stack-file"] },
    plain: parsePairs(values.config, "config"),
    secret: parsePairs(values.secret, "secret"),
    parallel,
  };
}

/** Runs the CLI; returns the exit code (0 ok, 1 failed, 2 bad command line). */
export async function main(
  argv: string[],
  write: (line: string) => void = (l) => console.log(l),
): Promise<number> {
  let parsed;
  try {
    parsed = parseCommandLine(argv);
  } catch (err) {
    write((err as Error).message);
    write(USAGE);
    return 2;
  }
  const { op, values, plain, secret, parallel } = parsed;
  const stack = values.stack ?? DEFAULT_STACK;
  write(heading(op, stack));
  const started = Date.now();
  const result = await runOperation(op, {
    programDir: values.program,
    stackFile: values["stack-file"],
    config: { ...plain, ...secret },
    secretKeys: Object.keys(secret),
    parallel,
    stackName: stack,
    onEvent: (e) => {
      const line = formatEvent(op, e);
      if (line !== undefined) write(line);
    },
  });
  for (const line of formatSummary(op, result, Date.now() - started)) write(line);
  return result.ok ? 0 : 1;
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
