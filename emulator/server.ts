import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createInProcessAdmin } from "./admin/in-process";
import { ADMIN_PREFIX, handleAdmin } from "./admin/http-routes";
import { EmulatorCore } from "./core";
import { readBody } from "./http-io";
import { EmulatorInputError } from "./input-error";
import { handleRpc } from "./rpc";
import type { EmulatorOptions, RunningEmulator } from "./types";

/** The only interface the emulator listens on: it is a test double, never a network service. */
export const LISTEN_HOST = "127.0.0.1";

/**
 * Starts an MPS emulator on 127.0.0.1 (docs/architecture.md, 'The emulator'). Resolves once it is listening.
 *
 * @example
 *   const emu = await startEmulator({ jobSeconds: 0.3 });
 *   // openapi-client: new Config({ accessKeyId: DEFAULT_ACCESS_KEY_ID, accessKeySecret: DEFAULT_ACCESS_KEY_SECRET,
 *   //                              endpoint: emu.host, protocol: "http" })
 *   await emu.close();
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const port = options.port ?? 0;
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) {
    throw new EmulatorInputError(`Emulator option \`port\` must be an integer from 0 to 65535, got ${port}.`);
  }
  const core = new EmulatorCore(options);
  const admin = createInProcessAdmin(core);
  const timers = new Set<NodeJS.Timeout>();
  const schedule = (fn: () => void, delayMs: number): void => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, delayMs);
    timers.add(timer);
  };

  const server = createServer((req, res) => {
    readBody(req).then(
      (body) => {
        if ((req.url ?? "").startsWith(ADMIN_PREFIX)) handleAdmin(admin, req, res, body);
        else handleRpc(core, req, res, body, schedule);
      },
      () => req.socket.destroy(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, LISTEN_HOST, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const actualPort = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    endpoint: `http://${LISTEN_HOST}:${actualPort}`,
    host: `${LISTEN_HOST}:${actualPort}`,
    port: actualPort,
    region: core.region,
    admin,
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
