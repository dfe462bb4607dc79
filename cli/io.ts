/**
 * What a subcommand may touch of its process: output streams, environment and working folder. Passed in, so the
 * tests run every subcommand in-process against a real emulator and read exactly what it printed.
 */
export interface CliIo {
  /** Results: what a script or `--json` reader consumes. */
  stdout: (text: string) => void;
  /** Progress, warnings and errors. */
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Whether stdout is a terminal; colour is used only then (and never under NO_COLOR). */
  stdoutIsTerminal: boolean;
}

/** The real process's streams and environment. */
export function processIo(): CliIo {
  return {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    stdoutIsTerminal: process.stdout.isTTY === true,
  };
}

/** A refused command line: exit code 2, the message and the subcommand's usage on stderr. */
export class UsageError extends Error {}

/** Exit codes: 0 done, 1 a check or a call failed, 2 the command line was refused. */
export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** ANSI styles that collapse to plain text off a terminal, or when NO_COLOR is set (https://no-color.org). */
export interface Style {
  ok(text: string): string;
  warn(text: string): string;
  fail(text: string): string;
  dim(text: string): string;
  bold(text: string): string;
}

export function styleFor(io: CliIo): Style {
  const on = io.stdoutIsTerminal && !io.env.NO_COLOR;
  const wrap =
    (open: number, close: number) =>
    (text: string): string =>
      on ? `\u001b[${open}m${text}\u001b[${close}m` : text;
  return {
    ok: wrap(32, 39),
    warn: wrap(33, 39),
    fail: wrap(31, 39),
    dim: wrap(2, 22),
    bold: wrap(1, 22),
  };
}
