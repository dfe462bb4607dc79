/**
 * The emulator in a process of its own (forked by emulator-process.ts), so that it answers like a remote service:
 * the engine harness's bursts of work (encoding a thousand Delete calls) do not delay its answers, and its work
 * does not delay the harness. Takes its options as JSON in argv[2]; reports its endpoint over IPC.
 */
import { startEmulator, type EmulatorOptions } from "../emulator";

async function main(): Promise<void> {
  const options = JSON.parse(process.argv[2] ?? "{}") as EmulatorOptions;
  const emulator = await startEmulator(options);
  process.send?.({ endpoint: emulator.endpoint, region: emulator.region });
  // The parent closing the IPC channel (or dying) ends the emulator.
  process.on("disconnect", () => {
    void emulator.close().finally(() => process.exit(0));
  });
}

main().catch((err: unknown) => {
  console.error(`bench emulator failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
