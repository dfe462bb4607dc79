import { request } from "node:http";
import type { EmulatorSettings, FaultRule, RemoteEmulatorAdmin, SeedLibrary } from "../types";
import { ADMIN_PREFIX } from "./http-routes";

/**
 * The admin API of an emulator in another process, over HTTP. `endpoint` is `http://127.0.0.1:PORT` or
 * `127.0.0.1:PORT`. Each call opens its own connection, so nothing keeps the caller's process alive.
 */
export function createAdminClient(endpoint: string): RemoteEmulatorAdmin {
  const base = new URL(/^https?:\/\//.test(endpoint) ? endpoint : `http://${endpoint}`);
  const call = <T>(method: string, path: string, body?: unknown): Promise<T> =>
    adminRequest<T>(base, method, path, body);
  return {
    state: () => call("GET", "state"),
    reset: async () => {
      await call("POST", "reset");
    },
    setFaults: async (rules: FaultRule[]) => {
      await call("PUT", "faults", rules);
    },
    addFault: async (rule: FaultRule) => {
      await call("POST", "faults", rule);
    },
    clearFaults: async () => {
      await call("DELETE", "faults");
    },
    seedLibrary: async (lib: SeedLibrary) =>
      (await call<{ fpDbId: string }>("POST", "libraries", lib)).fpDbId,
    setSettings: (settings: Partial<EmulatorSettings>) => call("POST", "settings", settings),
    settings: () => call("GET", "settings"),
    counts: () => call("GET", "counts"),
    requests: () => call("GET", "requests"),
  };
}

function adminRequest<T>(base: URL, method: string, path: string, body?: unknown): Promise<T> {
  const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
  return new Promise<T>((resolve, reject) => {
    const req = request(
      {
        host: base.hostname,
        port: base.port,
        method,
        path: `${ADMIN_PREFIX}${path}`,
        agent: false,
        headers: payload ? { "content-type": "application/json", "content-length": payload.length } : {},
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: unknown;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            reject(new Error(`Emulator admin ${method} ${path}: answer is not JSON: ${text.slice(0, 200)}`));
            return;
          }
          if ((res.statusCode ?? 500) >= 400) {
            const message = (parsed as { error?: string } | undefined)?.error ?? text;
            reject(new Error(`Emulator admin ${method} ${path} failed (${res.statusCode}): ${message}`));
            return;
          }
          resolve(parsed as T);
        });
        res.on("error", reject);
      },
    );
    req.on("error", (e) =>
      reject(new Error(`Emulator admin ${method} ${path} at ${base.host}: ${e.message}`)),
    );
    req.end(payload);
  });
}
