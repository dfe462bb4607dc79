/**
 * Starts the MPS emulator in a child process (emulator-child.ts) and talks to it through its HTTP admin API.
 */
import { fork } from "node:child_process";
import * as path from "node:path";
import { createAdminClient, type EmulatorOptions, type RemoteEmulatorAdmin } from "../emulator";

/** A running emulator process. */
export interface EmulatorProcess {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  region: string;
  admin: RemoteEmulatorAdmin;
  /** Ends the process and waits for it to exit. */
  close(): Promise<void>;
}

const START_TIMEOUT_MS = 30_000;

/** Forks the emulator with `options` and resolves once it listens. */
export function startEmulatorProcess(options: EmulatorOptions): Promise<EmulatorProcess> {
  // The child runs under the same tsx loader as this process (fork inherits execArgv).
  const child = fork(path.join(__dirname, "emulator-child.ts"), [JSON.stringify(options)], {
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`the bench emulator did not start within ${START_TIMEOUT_MS / 1000} s`));
    }, START_TIMEOUT_MS);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the bench emulator exited (code ${code}) before listening`));
    });
    child.once("message", (message: { endpoint: string; region: string }) => {
      clearTimeout(timer);
      resolve({
        endpoint: message.endpoint,
        region: message.region,
        admin: createAdminClient(message.endpoint),
        close: async () => {
          if (child.connected) child.disconnect();
          await exited;
        },
      });
    });
  });
}
