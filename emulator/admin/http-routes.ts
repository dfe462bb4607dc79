import type { IncomingMessage, ServerResponse } from "node:http";
import { sendJson } from "../http-io";
import { EmulatorInputError } from "../input-error";
import type { EmulatorAdmin, EmulatorSettings, FaultRule, SeedLibrary } from "../types";

/** Path prefix of the unsigned JSON admin API. */
export const ADMIN_PREFIX = "/_emulator/";

type Route = (admin: EmulatorAdmin, body: unknown) => unknown;

const ROUTES: Readonly<Record<string, Route>> = {
  "GET state": (admin) => admin.state(),
  "POST reset": (admin) => {
    admin.reset();
    return { ok: true };
  },
  "GET faults": (admin) => admin.state().faults,
  "PUT faults": (admin, body) => {
    admin.setFaults(asArray(body, "PUT /_emulator/faults takes a JSON array of fault rules"));
    return admin.state().faults;
  },
  "POST faults": (admin, body) => {
    for (const rule of Array.isArray(body) ? body : [body]) admin.addFault(rule as FaultRule);
    return admin.state().faults;
  },
  "DELETE faults": (admin) => {
    admin.clearFaults();
    return [];
  },
  "POST libraries": (admin, body) => ({
    fpDbId: admin.seedLibrary(asObject(body) as unknown as SeedLibrary),
  }),
  "GET settings": (admin) => admin.settings(),
  "POST settings": (admin, body) => admin.setSettings(asObject(body) as Partial<EmulatorSettings>),
  "GET counts": (admin) => admin.counts(),
  "GET requests": (admin) => admin.requests(),
};

/**
 * Serves `/_emulator/*`: GET state, POST reset, GET/PUT/POST/DELETE faults, POST libraries, GET/POST settings,
 * GET counts, GET requests. Bad input is a 400 `{error}`, an unknown route a 404 `{error}`.
 */
export function handleAdmin(
  admin: EmulatorAdmin,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
): void {
  const path = (req.url ?? "").split("?")[0]!.slice(ADMIN_PREFIX.length).replace(/\/+$/, "");
  const route = ROUTES[`${req.method} ${path}`];
  if (!route) {
    sendJson(res, 404, {
      error: `No admin route ${req.method} ${ADMIN_PREFIX}${path}; see emulator/admin/http-routes.ts.`,
    });
    return;
  }
  try {
    const parsed: unknown = body.length > 0 ? JSON.parse(body.toString("utf8")) : undefined;
    sendJson(res, 200, route(admin, parsed) ?? null);
  } catch (e) {
    if (e instanceof EmulatorInputError || e instanceof SyntaxError) {
      sendJson(res, 400, { error: e.message });
      return;
    }
    sendJson(res, 500, { error: e instanceof Error ? e.message : String(e) });
  }
}

function asArray(body: unknown, message: string): FaultRule[] {
  if (!Array.isArray(body)) throw new EmulatorInputError(message);
  return body as FaultRule[];
}

// The admin methods validate field by field; here only the JSON shape is checked.
function asObject(body: unknown): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new EmulatorInputError("This admin route takes a JSON object body.");
  }
  return body as Record<string, unknown>;
}
