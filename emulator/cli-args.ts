import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { DEFAULT_ACCOUNT_ID, defaultAccounts } from "./defaults";
import { parseDuration } from "./durations";
import { validateFaultRule } from "./fault-rules";
import { EmulatorInputError } from "./input-error";
import type { EmulatorAccount, EmulatorOptions, FaultRule, ThrottleAlgorithm } from "./types";

/** `--help` text. */
export const USAGE = `Usage: mps-fpdb emulator [options]   (in a clone: npm run emulator -- [options])

Serves the Alibaba Cloud MPS fingerprint-library API (mts 2014-06-18) on 127.0.0.1 and prints
"MPS emulator listening on http://127.0.0.1:<port>". Runs until SIGINT/SIGTERM.

Options:
  --port N                    TCP port on 127.0.0.1 (default 0: a free port)
  --region ID                 region served (default cn-hangzhou)
  --access-key-id ID          an AccessKey of the one account (repeatable, paired in order
  --access-key-secret SECRET    with --access-key-secret); default: the built-in emulator key
  --account-id ID             account that owns the --access-key-id pairs (default ${DEFAULT_ACCOUNT_ID})
  --accounts-file FILE        JSON [{"accountId": "...", "accessKeys": [{"accessKeyId": "...", "accessKeySecret": "..."}]}]
  --qps N                     requests per second per account and action (default 100)
  --throttle ALGORITHM        token-bucket (default) or fixed-window
  --quota N                   libraries per account (default 5)
  --activate-seconds D        offline -> active delay (default 1)
  --job-seconds D             Purge/Delete job duration (default 3)
  --purge-seconds D           Purge jobs only (default: --job-seconds)
  --delete-seconds D          Delete jobs only (default: --job-seconds)
                              D is seconds (fractions allowed, e.g. 0.5), a uniform range (2-10), or
                              lognormal:MEDIAN,P95[,MAX] (e.g. lognormal:10,30,120), drawn per job
                              from a PRNG seeded by --seed
  --max-skew-seconds S        allowed x-acs-date / Timestamp skew (default 900)
  --fault JSON                a fault rule (repeatable), e.g. '{"type":"error","action":"*","rate":0.2,"code":"InternalError","httpStatus":500}'
  --seed N                    PRNG seed for fault rates and durations (default 1)
  --help                      print this text
`;

/** Parsed command line: either help, or emulator options. */
export type CliCommand = { help: true } | { help: false; options: EmulatorOptions };

/** Parses CLI arguments into emulator options. Throws `EmulatorInputError` with a message naming the flag. */
export function parseCliArgs(argv: readonly string[]): CliCommand {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      port: { type: "string" },
      region: { type: "string" },
      "access-key-id": { type: "string", multiple: true },
      "access-key-secret": { type: "string", multiple: true },
      "account-id": { type: "string" },
      "accounts-file": { type: "string" },
      qps: { type: "string" },
      throttle: { type: "string" },
      quota: { type: "string" },
      "activate-seconds": { type: "string" },
      "job-seconds": { type: "string" },
      "purge-seconds": { type: "string" },
      "delete-seconds": { type: "string" },
      "max-skew-seconds": { type: "string" },
      fault: { type: "string", multiple: true },
      seed: { type: "string" },
      help: { type: "boolean" },
    },
  });
  if (values.help) return { help: true };

  const options: EmulatorOptions = { accounts: accountsFrom(values) };
  if (values.port !== undefined) options.port = number("--port", values.port);
  if (values.region !== undefined) options.region = values.region;
  if (values.qps !== undefined) options.qps = number("--qps", values.qps);
  if (values.throttle !== undefined) options.throttleAlgorithm = values.throttle as ThrottleAlgorithm;
  if (values.quota !== undefined) options.quota = number("--quota", values.quota);
  if (values["activate-seconds"] !== undefined) {
    options.activateSeconds = parseDuration("--activate-seconds", values["activate-seconds"]);
  }
  if (values["job-seconds"] !== undefined)
    options.jobSeconds = parseDuration("--job-seconds", values["job-seconds"]);
  if (values["purge-seconds"] !== undefined)
    options.purgeSeconds = parseDuration("--purge-seconds", values["purge-seconds"]);
  if (values["delete-seconds"] !== undefined)
    options.deleteSeconds = parseDuration("--delete-seconds", values["delete-seconds"]);
  if (values["max-skew-seconds"] !== undefined) {
    options.maxSkewSeconds = number("--max-skew-seconds", values["max-skew-seconds"]);
  }
  if (values.seed !== undefined) options.seed = number("--seed", values.seed);
  if (values.fault !== undefined) options.faults = values.fault.map(faultFrom);
  return { help: false, options };
}

function accountsFrom(values: {
  "access-key-id"?: string[];
  "access-key-secret"?: string[];
  "account-id"?: string;
  "accounts-file"?: string;
}): EmulatorAccount[] {
  const ids = values["access-key-id"] ?? [];
  const secrets = values["access-key-secret"] ?? [];
  const file = values["accounts-file"];
  if (file !== undefined && ids.length > 0) {
    throw new EmulatorInputError(
      "Use either --accounts-file or --access-key-id/--access-key-secret, not both.",
    );
  }
  if (file !== undefined) return readAccountsFile(file);
  if (ids.length !== secrets.length) {
    throw new EmulatorInputError(
      `Every --access-key-id needs a matching --access-key-secret (got ${ids.length} ids and ${secrets.length} secrets).`,
    );
  }
  if (ids.length === 0) return defaultAccounts();
  return [
    {
      accountId: values["account-id"] ?? DEFAULT_ACCOUNT_ID,
      accessKeys: ids.map((accessKeyId, i) => ({ accessKeyId, accessKeySecret: secrets[i]! })),
    },
  ];
}

function readAccountsFile(file: string): EmulatorAccount[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new EmulatorInputError(
      `--accounts-file ${file}: cannot read it as JSON (${(e as Error).message}).`,
    );
  }
  const valid =
    Array.isArray(parsed) &&
    parsed.every(
      (a: unknown) =>
        typeof a === "object" &&
        a !== null &&
        typeof (a as EmulatorAccount).accountId === "string" &&
        Array.isArray((a as EmulatorAccount).accessKeys),
    );
  if (!valid) {
    throw new EmulatorInputError(
      `--accounts-file ${file}: expected a JSON array of {"accountId": string, "accessKeys": [{"accessKeyId", "accessKeySecret"}]}.`,
    );
  }
  return parsed as EmulatorAccount[];
}

function number(flag: string, raw: string): number {
  const value = Number(raw);
  if (raw.trim() === "" || Number.isNaN(value))
    throw new EmulatorInputError(`${flag} takes a number, got "${raw}".`);
  return value;
}

function faultFrom(raw: string): FaultRule {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new EmulatorInputError(`--fault takes a JSON fault rule, got ${raw}.`);
  }
  return validateFaultRule(parsed);
}
