/**
 * Resource use of the provider host process, read from Linux `/proc/<pid>`: peak resident memory (`VmHWM`) and
 * CPU time (utime + stime). The host exits when the operation ends, so it is sampled on a timer and whenever the
 * caller asks (on every finished step), and the last sample stands for the whole run.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";

/** What the host used. */
export interface HostUsage {
  pid: number;
  /** Peak resident set size in MiB. */
  peakRssMb: number;
  /** CPU seconds (user + system) at the last sample. */
  cpuSeconds: number;
  /** CPU seconds spent before it printed its port (loading the SDK): not the provider's work. */
  startupCpuSeconds: number;
}

const SAMPLE_EVERY_MS = 200;

let clockTicks: number | undefined;

function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** Samples one process until {@link stop}. */
export class HostMonitor {
  private timer: NodeJS.Timeout | undefined;
  private pid: number | undefined;
  private peakKb = 0;
  private cpuTicks = 0;
  private startupTicks = 0;

  /** Starts sampling `pid` (call from the `host-started` event: its CPU so far is startup). */
  attach(pid: number): void {
    this.pid = pid;
    this.sample();
    this.startupTicks = this.cpuTicks;
    this.timer = setInterval(() => this.sample(), SAMPLE_EVERY_MS);
    this.timer.unref();
  }

  /** Takes a sample now; a vanished process keeps the last values. */
  sample(): void {
    if (this.pid === undefined) return;
    try {
      const status = fs.readFileSync(`/proc/${this.pid}/status`, "utf8");
      const hwm = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
      if (hwm) this.peakKb = Math.max(this.peakKb, Number(hwm[1]));
      // Fields after the parenthesised command name; utime and stime are the 14th and 15th of the whole line.
      const stat = fs.readFileSync(`/proc/${this.pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      this.cpuTicks = Number(fields[11]) + Number(fields[12]);
    } catch {
      // The host has exited: the previous sample is the last one there will be.
    }
  }

  /** Stops sampling and returns the usage, or undefined when no host was attached. */
  stop(): HostUsage | undefined {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.pid === undefined) return undefined;
    const hz = ticksPerSecond();
    return {
      pid: this.pid,
      peakRssMb: this.peakKb / 1024,
      cpuSeconds: this.cpuTicks / hz,
      startupCpuSeconds: this.startupTicks / hz,
    };
  }
}
