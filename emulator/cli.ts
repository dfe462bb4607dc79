#!/usr/bin/env node
import { parseCliArgs, USAGE } from "./cli-args";
import { DEFAULT_ACCESS_KEY_ID, defaultAccounts } from "./defaults";
import { startEmulator } from "./server";

/**
 * Command line entry of `mps-fpdb emulator` (and of `npm run emulator`, which runs this file): prints exactly one
 * line on stdout, `MPS emulator listening on http://127.0.0.1:<port>` (scripts read it), then on stderr what a
 * person needs to point a stack at it: the region and the AccessKeys it accepts. Serves until SIGINT/SIGTERM.
 */
export async function emulatorMain(argv: readonly string[]): Promise<void> {
  let command;
  try {
    command = parseCliArgs(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  if (command.help) {
    process.stdout.write(USAGE);
    return;
  }
  const emulator = await startEmulator(command.options);
  process.stdout.write(`MPS emulator listening on ${emulator.endpoint}\n`);
  const keys = (command.options.accounts ?? defaultAccounts()).flatMap((a) =>
    a.accessKeys.map((k) => k.accessKeyId),
  );
  const builtIn = keys.length === 1 && keys[0] === DEFAULT_ACCESS_KEY_ID;
  process.stderr.write(
    `Region ${emulator.admin.state().region}; ` +
      (builtIn
        ? `accepting only the built-in test AccessKey ${DEFAULT_ACCESS_KEY_ID} (its secret is in the README), for ` +
          "tests and demos only.\n"
        : `accepting the AccessKey(s) ${keys.join(", ")}.\n`),
  );
  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

/** Runs {@link emulatorMain}, turning a failure to start into a message and exit code 1. */
export function runEmulatorCli(argv: readonly string[]): Promise<void> {
  return emulatorMain(argv).catch((e: unknown) => {
    process.stderr.write(`MPS emulator failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}

// Run directly (`node dist/emulator/cli.js`), not when `mps-fpdb emulator` requires it.
if (require.main === module) void runEmulatorCli(process.argv.slice(2));
