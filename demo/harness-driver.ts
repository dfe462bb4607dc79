import type { RunningEmulator } from "../emulator";
import * as engine from "../harness/engine";
import type { EngineEvent, RunResult } from "../harness/engine";
import { demoConfig, heading, PROGRAM_DIR, PURGE_TRIGGER, type DemoOutcome } from "./common";

const SYMBOLS: Record<string, string> = { create: "+", update: "~", replace: "+-", delete: "-", same: " " };

function print(event: EngineEvent): void {
  switch (event.kind) {
    case "plan":
      if (event.op !== "same")
        console.log(`plan: ${SYMBOLS[event.op] ?? event.op} ${event.op} ${event.type} ${event.name}`);
      return;
    case "diagnostic":
      if (event.source === "host") console.log(`  ${event.line}`);
      return;
    case "step-done": {
      const s = event.step;
      console.log(
        `${s.ok ? "done" : "FAILED"}: ${s.op} ${s.name}${s.id ? ` (${s.id})` : ""}${s.error ? `: ${s.error}` : ""}`,
      );
      return;
    }
    default:
      return;
  }
}

function check(result: RunResult, what: string): RunResult {
  if (!result.ok) throw new Error(`${what} failed: ${result.errors.join("; ")}`);
  return result;
}

/** The demo through the engine harness. */
export async function runWithHarness(emulator: RunningEmulator, stackFile: string): Promise<DemoOutcome> {
  const { config, secretKeys } = demoConfig(emulator);
  const base = {
    programDir: PROGRAM_DIR,
    stackFile,
    secretKeys,
    env: { ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true" },
    onEvent: print,
  };

  heading("1/3 up: create the library");
  const created = check(await engine.up({ ...base, config }), "up");
  const fpDbId = String(created.outputs.fpDbId);
  console.log(`outputs: fpDbId=${fpDbId} status=${String(created.outputs.status)}`);

  heading(`2/3 up: purgeTrigger set to "${PURGE_TRIGGER}"`);
  const purged = check(
    await engine.up({ ...base, config: { ...config, "mps-fpdb-quickstart:purgeTrigger": PURGE_TRIGGER } }),
    "up",
  );
  const purgeJobId = String(purged.outputs.purgeJobId);
  const purgeJobStatus = String(purged.outputs.purgeJobStatus);
  console.log(`outputs: purgeJobId=${purgeJobId} purgeJobStatus=${purgeJobStatus}`);

  heading("3/3 destroy: delete the library");
  const destroyed = check(await engine.destroy({ ...base, config }), "destroy");
  const line = destroyed.diagnostics.find((l) => l.includes("Submitted Delete job"));
  const deleteJobId = /Submitted Delete job (\S+)/.exec(line ?? "")?.[1];
  if (!deleteJobId) throw new Error("destroy did not log a Delete JobId");
  console.log(
    `Delete JobId from the provider's log: ${deleteJobId}; resources left in state: ${destroyed.state.resources.length}`,
  );

  return { fpDbId, purgeJobId, purgeJobStatus, deleteJobId };
}
