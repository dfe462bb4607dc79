/**
 * Test side of ./orphan-parent: starts the killable stand-in engine, follows its events, kills it, and watches the
 * provider host it left behind (by pid, without being its parent).
 */
import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import * as readline from "node:readline";
import type { OrphanParentEvent, OrphanParentRequest } from "./orphan-parent";

export type { OrphanParentRequest, OrphanParentEvent } from "./orphan-parent";

/** A running stand-in engine and the host it spawned. */
export interface OrphanParent {
  readonly child: ChildProcess;
  readonly events: OrphanParentEvent[];
  /** The host's pid, once it printed its port. */
  hostPid(): number | undefined;
  /** Resolves with the first event that matches, or rejects after `timeoutMs`. */
  waitFor(match: (e: OrphanParentEvent) => boolean, timeoutMs?: number): Promise<OrphanParentEvent>;
  /** SIGKILL to the stand-in engine only: the host is left running as an orphan. */
  kill(): Promise<void>;
  /** Host output lines relayed so far. */
  lines(): string[];
}

const SCRIPT = path.join(__dirname, "orphan-parent.ts");

/** Starts the stand-in engine with `request`; resolves once the host has printed its port. */
export async function startOrphanParent(request: OrphanParentRequest): Promise<OrphanParent> {
  const child = spawn(process.execPath, ["--import", "tsx", SCRIPT], {
    cwd: path.resolve(__dirname, "..", ".."),
    stdio: ["pipe", "pipe", "pipe"],
  });
  const events: OrphanParentEvent[] = [];
  const waiters = new Set<() => void>();
  let stderr = "";
  child.stderr!.setEncoding("utf8");
  child.stderr!.on("data", (chunk: string) => (stderr += chunk));
  readline.createInterface({ input: child.stdout! }).on("line", (line) => {
    try {
      events.push(JSON.parse(line) as OrphanParentEvent);
    } catch {
      return;
    }
    for (const wake of [...waiters]) wake();
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.stdin!.end(`${JSON.stringify(request)}\n`);

  const parent: OrphanParent = {
    child,
    events,
    hostPid: () => events.find((e) => e.event === "host")?.pid,
    lines: () => events.flatMap((e) => (e.event === "line" ? [e.line] : [])),
    waitFor(match, timeoutMs = 30_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (found) {
            waiters.delete(check);
            clearTimeout(timer);
            resolve(found);
          }
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(
            new Error(
              `the stand-in engine did not report the expected event within ${timeoutMs} ms; events: ` +
                `${JSON.stringify(events.slice(-20))}; stderr: ${stderr.slice(-2000)}`,
            ),
          );
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async kill() {
      child.kill("SIGKILL");
      await exited;
    },
  };
  const failed = (e: OrphanParentEvent) => e.event === "failed" && e.method === "setup";
  const first = await parent.waitFor((e) => e.event === "host" || failed(e), 60_000);
  if (first.event !== "host") throw new Error(`the stand-in engine failed: ${JSON.stringify(first)}`);
  return parent;
}

/** Whether a process with this pid exists (a zombie counts as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  return processState(pid) !== "Z";
}

/** The state letter of /proc/<pid>/stat (R, S, Z...), or undefined when it cannot be read. */
export function processState(pid: number): string | undefined {
  return procStat(pid)?.[0];
}

/** CPU time the process has used so far, in clock ticks (utime + stime of /proc/<pid>/stat). */
export function cpuTicks(pid: number): number | undefined {
  const fields = procStat(pid);
  return fields ? Number(fields[11]) + Number(fields[12]) : undefined;
}

/** The fields of /proc/<pid>/stat after the command name (field 3 onwards). */
function procStat(pid: number): string[] | undefined {
  try {
    const text = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return text
      .slice(text.lastIndexOf(")") + 2)
      .trim()
      .split(/\s+/);
  } catch {
    return undefined;
  }
}

/** Sends SIGKILL to `pid` if it still exists (cleanup after a failed test). */
export function killIfAlive(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // already gone
  }
}

/**
 * Polls every `intervalMs` until the process is gone, at most `polls` times. Returns the number of polls it took,
 * or undefined if it was still alive at the end, with the CPU ticks it used between the first and last poll.
 */
export async function waitForExit(
  pid: number,
  polls: number,
  intervalMs = 50,
): Promise<{ polls: number | undefined; cpuTicks: number }> {
  const start = cpuTicks(pid) ?? 0;
  let last = start;
  for (let i = 1; i <= polls; i++) {
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    if (!isAlive(pid)) return { polls: i, cpuTicks: last - start };
    last = cpuTicks(pid) ?? last;
  }
  return { polls: undefined, cpuTicks: last - start };
}
