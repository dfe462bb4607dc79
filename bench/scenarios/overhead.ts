/**
 * Provider overhead: how long a fresh provider host takes to its first completed operation, CPU per operation
 * (from the bulk runs), and the serialized `__provider` bytes each resource carries in state.
 */
import { SERVICE, type BenchContext } from "../context";
import { measure } from "../measure";
import { emit, progress, round } from "../report";
import { ourStack } from "../stacks";
import type { NaiveRuns } from "./naive";
import type { OurRuns } from "./ours";

/** Emulator timing while the one-library stack runs: no waits, so the operations are pure overhead. */
const INSTANT = { activateSeconds: 0, jobSeconds: 0.05 };

/**
 * Measures a refresh (one Read) of a one-library stack through a fresh host, then emits the overhead line with
 * the figures `ours` and `naive` collected.
 */
export async function runOverheadScenario(ctx: BenchContext, ours: OurRuns, naive: NaiveRuns): Promise<void> {
  const { emulator, work } = ctx;
  await emulator.admin.setSettings(INSTANT);
  try {
    const stack = ourStack(emulator, work, "overhead", 1, { settings: { pollIntervalMs: "20" } });
    progress("overhead: up, refresh and destroy of one library");
    const up = await measure("overhead up", "up", stack, emulator);
    if (!up.result.ok) throw new Error(`overhead: up failed: ${up.result.errors[0]}`);
    const read = await measure("overhead refresh", "refresh", stack, emulator);
    const down = await measure("overhead destroy", "destroy", stack, emulator);
    const record: Record<string, unknown> = {
      scenario: "overhead",
      libraries: ctx.libraries,
      firstOperation: "Read (refresh of a one-library stack)",
      hostReadySeconds: read.hostReadySeconds === undefined ? undefined : round(read.hostReadySeconds, 3),
      firstOperationSeconds:
        read.firstStepSeconds === undefined ? undefined : round(read.firstStepSeconds, 3),
      firstCreateSeconds: up.firstStepSeconds === undefined ? undefined : round(up.firstStepSeconds, 3),
      firstDeleteSeconds: down.firstStepSeconds === undefined ? undefined : round(down.firstStepSeconds, 3),
      hostStartupCpuSeconds: read.host ? round(read.host.startupCpuSeconds, 2) : undefined,
      hostCpuMsPerOperation: ctx.cpuMsPerOperation,
      providerBytes: ours.providerBytes?.oneCopy,
      providerBytesPerResource: ours.providerBytes?.perResource,
      stateBytesPerResource: ours.stateBytesPerResource,
      naiveProviderBytesPerResource: naive.providerBytes?.perResource,
      errors: up.result.errors.length + read.result.errors.length + down.result.errors.length,
    };
    emit(
      Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as typeof record & {
        scenario: string;
      },
    );
  } finally {
    await emulator.admin.setSettings({
      activateSeconds: SERVICE.activateSeconds,
      jobSeconds: SERVICE.jobSeconds,
    });
  }
}
