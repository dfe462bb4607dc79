/**
 * What every scenario shares: the emulator, a scratch folder, the stack size, and the per-operation figures the
 * overhead scenario summarises.
 */
import type { StackState } from "../harness/engine";
import type { EmulatorProcess } from "./emulator-process";
import { cpuMsPerOperation, type Measured } from "./measure";

/** The emulator's timing in the bulk scenarios (issue: 100 requests/s per action, 3 s jobs). */
export const SERVICE = { requestsPerSecond: 100, jobSeconds: 3, activateSeconds: 1 } as const;

/** Shared by the scenarios of one benchmark run. */
export interface BenchContext {
  emulator: EmulatorProcess;
  /** Scratch folder for state files. */
  work: string;
  libraries: number;
  /** Host CPU milliseconds per operation, by operation label (`create`, `delete`, `naive delete`...). */
  cpuMsPerOperation: Record<string, number>;
}

/** Size of the serialized provider in a state: one copy, and both copies (inputs and outputs) per resource. */
export function providerBytes(state: StackState): { oneCopy: number; perResource: number } | undefined {
  const r = state.resources.find((res) => res.custom);
  if (!r) return undefined;
  const size = (v: unknown): number => (typeof v === "string" ? Buffer.byteLength(v, "utf8") : 0);
  const oneCopy = size(r.outputs.__provider) || size(r.inputs.__provider);
  return { oneCopy, perResource: size(r.outputs.__provider) + size(r.inputs.__provider) };
}

/** Notes the host CPU per operation of a measured run under `label`, for the overhead line. */
export function noteCpu(ctx: BenchContext, label: string, m: Measured): void {
  const ms = cpuMsPerOperation(m);
  if (ms !== undefined) ctx.cpuMsPerOperation[label] = ms;
}
