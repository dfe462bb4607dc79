/**
 * Engine watch: the provider host's way of noticing that the Pulumi engine that started it is gone.
 *
 * The engine (the Pulumi CLI, or any program that drives the dynamic-provider host) starts the host as its child,
 * reads its stdout/stderr through pipes and talks to it over gRPC. Plugins get no signal when the engine dies (a
 * killed CLI, a killed CI job): Pulumi's host keeps its gRPC server up, finishes its calls, then writes into the
 * broken pipes; the EPIPE errors reach its uncaught-error handler, which writes the error to stderr, which fails
 * again, and so on: a host spinning at most of a core with growing memory, for ever.
 *
 * So, once per process, this module watches for either sign of a dead engine: the engine process changed (an
 * orphan is re-parented to init or a subreaper) or no longer exists, or a write to stdout/stderr failed. The
 * engine is the parent, except under the CLI's plugin wrapper (`pulumi-resource-pulumi-nodejs`, a `/bin/sh`
 * script that runs node without `exec`): then the parent is that shell, which outlives the engine, and the
 * engine is the shell's parent (found through /proc on Linux). From then
 * on nothing is written to either stream (nobody can read it, and a failed write is what feeds the loop), no new
 * write request to MPS is started, and the process exits as soon as no write request is on the wire. A request
 * on the wire is let finish: abandoning a CreateFpShotDB or SubmitFpDBDeleteJob mid-flight would leave its outcome
 * unknown, while a job that was submitted is found and resumed by the next run. Waits (polling) are abandoned, as
 * the next run resumes them.
 *
 * Installed from the provider's `configure`, and only inside Pulumi's dynamic-provider host process: a process
 * that merely loads the provider (a test runner, a program) keeps its own streams and its own life.
 */

import * as fs from "node:fs";
import * as path from "node:path";

/** How often the parent is checked, in milliseconds. A check is one system call. */
export const ENGINE_WATCH_INTERVAL_MS = 250;

/** Why the watch decided the engine is gone. */
export type EngineGoneReason = "parent-exited" | "output-closed";

/** A stream the watch silences once the engine is gone (process.stdout / process.stderr). */
export interface WatchedStream {
  write(...args: unknown[]): boolean;
  on(event: "error", listener: (error: unknown) => void): unknown;
}

/** What the watch needs from the process; tests pass fakes. */
export interface EngineWatchOptions {
  /**
   * The current chain from this process up to the engine: the parent pid, then the engine's when the parent is a
   * plugin wrapper (see {@link engineAncestry}). Read afresh on every check.
   */
  ancestry: () => number[];
  /** Whether a process with this pid exists. */
  isAlive: (pid: number) => boolean;
  /** Ends the process. */
  exit: (code: number) => void;
  streams: WatchedStream[];
  intervalMs?: number;
  /** Starts the periodic check; returns a function that stops it. The default timer does not keep Node alive. */
  every?: (ms: number, check: () => void) => () => void;
}

/** Thrown when a write to MPS is asked for after the engine is gone (the process is about to exit). */
export class EngineGoneError extends Error {
  constructor(action: string) {
    super(`MPS ${action} was not sent: the Pulumi engine that started this provider host is gone.`);
    this.name = "EngineGoneError";
  }
}

/** The watch itself; one per process (see {@link installEngineWatch}), or one per test with fakes. */
export class EngineWatch {
  private goneReason: EngineGoneReason | undefined;
  private writesInFlight = 0;
  private readonly initialAncestry: number[];
  private stop: (() => void) | undefined;

  constructor(private readonly o: EngineWatchOptions) {
    this.initialAncestry = o.ancestry();
    for (const stream of o.streams) {
      // A failed write to the engine's pipe is a sign, not an uncaught error (which would be written again).
      stream.on("error", () => this.engineGone("output-closed"));
    }
    const every = o.every ?? defaultEvery;
    this.stop = every(o.intervalMs ?? ENGINE_WATCH_INTERVAL_MS, () => this.check());
  }

  /** Why the engine is considered gone, or undefined while it lives. */
  get gone(): EngineGoneReason | undefined {
    return this.goneReason;
  }

  /** Requests to MPS that may change something and are on the wire now. */
  get inFlight(): number {
    return this.writesInFlight;
  }

  /** One check of the engine's processes; the timer calls it. */
  check(): void {
    if (this.goneReason) return;
    const now = this.o.ancestry();
    const changed =
      now.length !== this.initialAncestry.length || now.some((pid, i) => pid !== this.initialAncestry[i]);
    if (changed || !this.initialAncestry.every((pid) => this.o.isAlive(pid)))
      this.engineGone("parent-exited");
  }

  /**
   * Registers a write request about to be sent; call the returned function once it has settled, whatever the
   * outcome. Throws {@link EngineGoneError} once the engine is gone: nothing new is sent then.
   */
  beginWrite(action: string): () => void {
    if (this.goneReason) throw new EngineGoneError(action);
    this.writesInFlight++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.writesInFlight--;
      this.exitIfIdle();
    };
  }

  /** Marks the engine gone: silences the streams, stops checking, and exits once no write is in flight. */
  engineGone(reason: EngineGoneReason): void {
    if (this.goneReason) return;
    this.goneReason = reason;
    this.stop?.();
    this.stop = undefined;
    for (const stream of this.o.streams) silence(stream);
    this.exitIfIdle();
  }

  private exitIfIdle(): void {
    if (this.goneReason && this.writesInFlight === 0) this.o.exit(0);
  }
}

/** Replaces a stream's `write` with one that drops the data and reports success (calling any callback). */
function silence(stream: WatchedStream): void {
  stream.write = (...args: unknown[]): boolean => {
    const callback = args.find((a) => typeof a === "function") as (() => void) | undefined;
    if (callback) process.nextTick(callback);
    return true;
  };
}

function defaultEvery(ms: number, check: () => void): () => void {
  const timer = setInterval(check, ms);
  timer.unref();
  return () => clearInterval(timer);
}

/** The name the CLI's plugin wrapper scripts start with (`pulumi-resource-pulumi-nodejs` for dynamic providers). */
const PLUGIN_WRAPPER_PREFIX = "pulumi-resource-";

/**
 * This process's parent pid and, when the parent runs a Pulumi plugin wrapper script, the wrapper's parent (the
 * engine). Only Linux exposes another process's parent and command line (/proc); elsewhere, and when /proc cannot
 * be read, the parent alone.
 */
export function engineAncestry(procRoot = "/proc"): number[] {
  const parent = process.ppid;
  const args = readProc(`${procRoot}/${parent}/cmdline`)?.split("\0") ?? [];
  if (!args.some((arg) => path.basename(arg).startsWith(PLUGIN_WRAPPER_PREFIX))) return [parent];
  const stat = readProc(`${procRoot}/${parent}/stat`);
  // Fields after the command name, which is in parentheses and may itself hold spaces or parentheses.
  const grandparent = stat ? Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) : NaN;
  return Number.isInteger(grandparent) && grandparent > 0 ? [parent, grandparent] : [parent];
}

function readProc(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

function pidExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as { code?: unknown }).code === "EPERM";
  }
}

/** Where the process-wide watch lives: on `process`, so two copies of this module in one process share it. */
const WATCH = Symbol.for("pulumi-mps-fpdb.engine-watch");

function processWatch(): EngineWatch | undefined {
  return (process as unknown as { [WATCH]?: EngineWatch })[WATCH];
}

/**
 * Whether this process is Pulumi's dynamic-provider host (its main module is the SDK's
 * `cmd/dynamic-provider/index.js`), the only process the watch may end.
 */
export function isDynamicProviderHost(mainFile: string | undefined = require.main?.filename): boolean {
  return mainFile !== undefined && /[\\/]cmd[\\/]dynamic-provider[\\/]index\.js$/.test(mainFile);
}

/**
 * Installs the process-wide watch, once, if this process is a dynamic-provider host; otherwise does nothing.
 * Returns the watch in effect, if any.
 */
export function installEngineWatch(isHost: boolean = isDynamicProviderHost()): EngineWatch | undefined {
  const existing = processWatch();
  if (existing || !isHost) return existing;
  const watch = new EngineWatch({
    ancestry: () => engineAncestry(),
    isAlive: pidExists,
    exit: (code) => process.exit(code),
    streams: [process.stdout, process.stderr] as unknown as WatchedStream[],
  });
  (process as unknown as { [WATCH]?: EngineWatch })[WATCH] = watch;
  return watch;
}

/**
 * Registers a write request with the process-wide watch, when one is installed (see
 * {@link EngineWatch.beginWrite}); without one, the returned function does nothing.
 */
export function beginWrite(action: string): () => void {
  return processWatch()?.beginWrite(action) ?? noop;
}

function noop(): void {}
