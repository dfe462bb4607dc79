import type { IncomingMessage, ServerResponse } from "node:http";
import { findAction } from "./actions";
import { ApiError, errorBody, errors } from "./api-error";
import type { Identity } from "./auth";
import type { EmulatorCore } from "./core";
import type { Outcome } from "./counts";
import { API_VERSION } from "./defaults";
import { sendJson } from "./http-io";
import { newRequestId } from "./ids";
import { redactBody, redactHeaders, redactParams } from "./request-log";
import { isV2 } from "./signing/v2";
import { isV3 } from "./signing/v3";
import { headerValue, paramValue, toWireRequest, type WireRequest } from "./signing/wire";
import { isoMillis } from "./time";

/** Schedules a delayed answer; the server clears pending ones on close. */
export type Scheduler = (fn: () => void, delayMs: number) => void;

/** Counted under this name when a request names no action. */
export const NO_ACTION = "(none)";

/**
 * One RPC request, from raw bytes to answer: route, verify the signature, meter the QPS, inject faults, run the
 * action, then tally and log it. Everything up to the (possibly delayed) answer runs synchronously, so
 * concurrent requests never interleave inside the store.
 */
export function handleRpc(
  core: EmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  body: Buffer,
  schedule: Scheduler,
): void {
  const now = core.now();
  const requestId = newRequestId();
  const wire = toWireRequest(req, body);
  const hostId = headerValue(wire, "host") ?? `mts.${core.region}.aliyuncs.com`;
  const { action, version } = route(wire);
  let identity: Identity | undefined;

  const finish = (status: number, outcome: Outcome): void => {
    core.counter.record(action ?? NO_ACTION, outcome);
    core.log.add({
      time: isoMillis(now),
      method: wire.method,
      path: wire.path,
      ...(action !== undefined && { action }),
      ...(identity && {
        signatureVersion: identity.signatureVersion,
        accessKeyId: identity.accessKeyId,
        accountId: identity.accountId,
      }),
      query: redactParams(wire.query),
      headers: redactHeaders(wire.headers),
      ...(body.length > 0 && { body: redactBody(body, wire.form) }),
      status,
      ...(outcome.kind === "error" && { code: outcome.code }),
      ...(outcome.kind === "throttled" && { code: "Throttling.User" }),
      ...(outcome.kind === "dropped" && { code: "(dropped)" }),
      requestId,
    });
  };
  const sendError = (error: ApiError): void =>
    sendJson(res, error.httpStatus, errorBody(error, requestId, hostId), { "x-acs-request-id": requestId });
  const drop = (): void => {
    req.socket.destroy();
  };

  try {
    if (action === undefined) throw errors.missingAction();
    const handler = findAction(action);
    if (!handler) throw errors.invalidAction(action);
    if (version !== API_VERSION) throw errors.invalidVersion(version, API_VERSION);
    identity = core.authenticator.verify(wire, now, core.settings.maxSkewSeconds);
    if (!core.throttler.admit(identity.accountId, action, now, core.settings.qps)) {
      const error = errors.throttled();
      finish(error.httpStatus, { kind: "throttled" });
      sendError(error);
      return;
    }
    const pre = core.faults.before(action);
    if (pre?.kind === "drop") {
      finish(0, { kind: "dropped" });
      drop();
      return;
    }
    if (pre?.kind === "error") throw pre.error;

    const result = handler({
      accountId: identity.accountId,
      params: businessParams(wire),
      now,
      requestId,
      store: core.store,
      settings: core.settings,
      faults: core.faults,
      durationRandom: core.durationRandom,
    });

    const post = core.faults.after(action);
    let answer: () => void;
    if (post.commitThenFail === "drop") {
      finish(0, { kind: "dropped" });
      answer = drop;
    } else if (post.commitThenFail === "error") {
      const error = errors.internal();
      finish(error.httpStatus, { kind: "error", code: error.code });
      answer = () => sendError(error);
    } else {
      finish(200, { kind: "ok" });
      answer = () =>
        sendJson(res, 200, { RequestId: requestId, ...result }, { "x-acs-request-id": requestId });
    }
    if (post.latencyMs > 0) schedule(answer, post.latencyMs);
    else answer();
  } catch (e) {
    if (!(e instanceof ApiError))
      console.error("[mps-emulator] unexpected error while handling a request:", e);
    const error = e instanceof ApiError ? e : errors.internal();
    finish(error.httpStatus, { kind: "error", code: error.code });
    sendError(error);
  }
}

/** Action and version: from the x-acs-* headers for V3, from the query for V2 (and unsigned fallbacks). */
function route(wire: WireRequest): { action?: string; version?: string } {
  const fromHeaders = {
    action: headerValue(wire, "x-acs-action"),
    version: headerValue(wire, "x-acs-version"),
  };
  const fromParams = { action: paramValue(wire.query, "Action"), version: paramValue(wire.query, "Version") };
  if (isV3(wire)) return fromHeaders;
  if (isV2(wire)) return fromParams;
  return {
    action: fromHeaders.action ?? fromParams.action,
    version: fromHeaders.version ?? fromParams.version,
  };
}

/** Query plus form body (V3 form bodies carry business parameters too); the body wins on a clash. */
function businessParams(wire: WireRequest): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of wire.query) if (!params.has(name)) params.set(name, value);
  for (const [name, value] of wire.form) params.set(name, value);
  return params;
}
