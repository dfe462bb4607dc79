/**
 * `mps-fpdb`: the package's command line. Each subcommand is a thin front end over code the package already has
 * (the emulator's command line, the provider's resolution rules and client), loaded only when asked for, so
 * `mps-fpdb emulator` does not pay for the API client and starts quickly.
 */
import { type CliIo, EXIT_FAILED, EXIT_OK, EXIT_USAGE, UsageError } from "./io";

export const USAGE = `Usage: mps-fpdb <command> [options]

Commands:
  emulator [options]              start the local MPS emulator (prints its URL; runs until Ctrl-C)
  doctor [options]                check credentials, region, endpoint, permissions and tools as the provider
                                  would resolve them
  jobs <fpDbId...> [options]      list the Purge and Delete jobs of libraries
  jobs --stack-export FILE        ... of every FingerprintLibrary in a \`pulumi stack export\` file

Run \`mps-fpdb <command> --help\` for a command's options. \`mps-fpdb --version\` prints the package version.
Results go to stdout, progress and errors to stderr; the exit code is 0 on success, 1 when a check or call
failed, 2 for a bad command line. Colour is used only on a terminal, and never when NO_COLOR is set.
`;

/** Runs one command line and resolves to its exit code. Long-running `emulator` resolves once it listens. */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  let usage = USAGE;
  try {
    switch (command) {
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout(USAGE);
        return command === undefined ? EXIT_USAGE : EXIT_OK;
      case "--version":
      case "-v":
        io.stdout(`${(await import("./versions")).ownPackage().version}\n`);
        return EXIT_OK;
      case "emulator": {
        const { runEmulatorCli } = await import("../emulator/cli");
        await runEmulatorCli(rest);
        return typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
      }
      case "doctor": {
        const { doctor, DOCTOR_USAGE } = await import("./doctor");
        usage = DOCTOR_USAGE;
        return await doctor(rest, io);
      }
      case "jobs": {
        const { jobs, JOBS_USAGE } = await import("./jobs");
        usage = JOBS_USAGE;
        return await jobs(rest, io);
      }
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (e) {
    if (e instanceof UsageError || isParseArgsError(e)) {
      io.stderr(`${(e as Error).message}\n\n${usage}`);
      return EXIT_USAGE;
    }
    io.stderr(`mps-fpdb ${command}: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT_FAILED;
  }
}

/** `util.parseArgs` refuses unknown or malformed options with these codes. */
function isParseArgsError(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === "string" && code.startsWith("ERR_PARSE_ARGS_");
}
