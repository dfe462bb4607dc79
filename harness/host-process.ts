/**
 * Launching Pulumi's real dynamic-provider host (`@pulumi/pulumi/cmd/dynamic-provider/index.js`) the way the
 * engine does, and capturing its output lines.
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import { readProjectName, resolvePulumiSdk } from "./project";

const WATCHDOG = path.join(__dirname, "host-watchdog.cjs");

/** Which stream a captured line came from. */
export type HostStream = "stdout" | "stderr";

/** One captured output line of the host. */
export interface HostLine {
  stream: HostStream;
  line: string;
}

/** How the host process ended. */
export interface HostExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A launched host whose gRPC port is known. */
export interface HostProcess {
  child: ChildProcess;
  port: number;
  /** Every line after the port line, both streams, in arrival order. */
  lines: HostLine[];
  /** Set once the process has exited. */
  exit: HostExit | undefined;
  /** Resolves when the process exits. */
  exited: Promise<HostExit>;
}

/** Options for {@link spawnHost}. */
export interface SpawnHostOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  engineAddress: string;
  project?: string;
  startTimeoutMs: number;
  onLine?: (stream: HostStream, line: string) => void;
}

/**
 * Spawns the host with cwd = the program folder (its `require()`s of serialized providers resolve from there),
 * `PULUMI_NODEJS_PROJECT`/`PULUMI_PROJECT` set and `PULUMI_NODEJS_ENGINE` removed (with it set, provider logs go
 * to that address and are lost), and the engine address as the last argument. Resolves once the port is printed.
 */
export function spawnHost(o: SpawnHostOptions): Promise<HostProcess> {
  const cwd = path.resolve(o.cwd);
  const script = path.join(resolvePulumiSdk(cwd), "cmd", "dynamic-provider", "index.js");
  const project = o.project ?? readProjectName(cwd);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...o.env,
    PULUMI_NODEJS_PROJECT: project,
    PULUMI_PROJECT: project,
    PULUMI_CONFIG: "{}",
  };
  delete env.PULUMI_NODEJS_ENGINE;
  // stdin is a pipe the host never reads: host-watchdog.cjs ends the host when the harness's end of it closes.
  const child = spawn(process.execPath, ["--require", WATCHDOG, script, o.engineAddress], {
    cwd,
    env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.stdin!.on("error", () => undefined);
  trackUntilExit(child);

  const lines: HostLine[] = [];
  let portLine: string | undefined;
  let exitResolve!: (e: HostExit) => void;
  const exited = new Promise<HostExit>((resolve) => (exitResolve = resolve));
  const host: HostProcess = { child, port: 0, lines, exit: undefined, exited };

  return new Promise<HostProcess>((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      const tail = lines.map((l) => l.line).slice(-20);
      reject(
        new Error(`provider host in ${cwd} ${why}${tail.length ? `; its output:\n${tail.join("\n")}` : ""}`),
      );
    };
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      fail(`printed no port within ${o.startTimeoutMs} ms`);
    }, o.startTimeoutMs);
    const onLine = (stream: HostStream, line: string) => {
      if (stream === "stdout" && portLine === undefined) {
        portLine = line;
        const port = Number(line.trim());
        if (!Number.isInteger(port) || port <= 0) {
          child.kill("SIGKILL");
          fail(`printed ${JSON.stringify(line)} instead of its port`);
          return;
        }
        host.port = port;
        clearTimeout(timer);
        resolve(host);
        return;
      }
      lines.push({ stream, line });
      o.onLine?.(stream, line);
    };
    splitLines(child.stdout!, (l) => onLine("stdout", l));
    splitLines(child.stderr!, (l) => onLine("stderr", l));
    child.on("error", (err) => fail(`could not start: ${err.message}`));
    // "close" rather than "exit": it comes after the last output line has been read.
    child.on("close", (code, signal) => {
      host.exit = { code, signal };
      exitResolve(host.exit);
      if (portLine === undefined) fail(`exited (code ${code}, signal ${signal}) before printing its port`);
    });
  });
}

const live = new Set<ChildProcess>();
let exitHookInstalled = false;

// The host never exits on its own (its gRPC server keeps it alive). If the process that started it ends without
// closing it (a crashed test, an uncaught error), take it along instead of leaving an orphan.
function trackUntilExit(child: ChildProcess): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on("exit", killLiveHosts);
  }
  live.add(child);
  child.once("exit", () => live.delete(child));
}

function killLiveHosts(): void {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
}

function splitLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buffer = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    buffer += chunk;
    let nl: number;
    while ((nl = buffer.indexOf("\n")) >= 0) {
      onLine(buffer.slice(0, nl).replace(/\r$/, ""));
      buffer = buffer.slice(nl + 1);
    }
  });
  stream.on("end", () => {
    if (buffer) onLine(buffer);
    buffer = "";
  });
}
