import { MpsApiError, type ErrorKind } from "../errors";

/**
 * Error classification: which failed calls may be retried, and whether a failed write may have been executed.
 *
 * The question that matters for a write (CreateFpShotDB, SubmitFpDBDeleteJob) is not "is this temporary?" but
 * "did the service certainly NOT act on it?". Only then may the retry layer send it again; otherwise a retry
 * could create a second library or a second job, so the failure is `ambiguous` and the caller resumes-or-submits.
 *
 * Certainly not executed: throttling answers, 4xx answers (signature, parameter, permission, quota), a refused
 * connection, a failed DNS lookup, credentials that could not be obtained, a proxy that would not open the tunnel
 * (all before or instead of execution).
 * Unknown: 5xx answers, timeouts (httpx's "ConnectTimeout" is really a socket idle timer that can fire after the
 * request was sent), connection resets, broken pipes, and unparseable bodies (a 2xx with a broken body was
 * executed; a proxy's HTML 502 page was probably not, and httpx cannot tell us which it was).
 */

/** Throttling codes (HTTP 400, not 429, at Alibaba Cloud). Any code starting with `Throttling.` counts too. */
export const THROTTLING_CODES: readonly string[] = [
  "Throttling",
  "Throttling.User",
  "Throttling.Api",
  "Throttling.Tenant",
  "Throttling.Concurrency",
  "ServiceUnavailable.Throttling",
  "RequestThrottled",
];

/** Service codes for temporary server-side failures. */
export const TRANSIENT_CODES: readonly string[] = [
  "InternalError",
  "ServiceUnavailable",
  "ServiceUnavailable.Temporary",
  "UnknownError",
  "ServiceTimeout",
  "InternalError.Timeout",
];

/** HTTP statuses that mean "the server (or a gateway) failed, try again later". */
export const TRANSIENT_HTTP_STATUSES: readonly number[] = [500, 502, 503, 504];

/** HTTP statuses that mean "slow down". Alibaba uses 400 + a Throttling code, proxies may use 429. */
export const THROTTLING_HTTP_STATUSES: readonly number[] = [429];

/** Synthetic code for an httpx read or connect timeout (`RequestTimeoutError`, which has no code of its own). */
export const REQUEST_TIMEOUT_CODE = "RequestTimeout";

/** Synthetic code for a response body that is not the expected JSON object. */
export const INVALID_RESPONSE_CODE = "InvalidResponse";

/** Synthetic code for a credentials provider (STS, OIDC, URI, profile) that failed before the request was sent. */
export const CREDENTIALS_UNAVAILABLE_CODE = "CredentialsUnavailable";

/**
 * Synthetic code for a proxy that would not open the CONNECT tunnel to the API host (refused, unreachable, silent):
 * the request itself is only written into an open tunnel, so it never left this machine.
 */
export const PROXY_CONNECT_FAILED_CODE = "ProxyConnectFailed";

/** Synthetic code for a failure nothing else recognises. */
export const UNKNOWN_FAILURE_CODE = "UnknownFailure";

/** Node socket error codes after which the request may or may not have reached the service. */
export const SOCKET_ERROR_CODES: readonly string[] = [
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ECONNABORTED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "ESOCKETTIMEDOUT",
  "ERR_STREAM_PREMATURE_CLOSE",
];

/** Synthetic codes of failures after which the request may or may not have been executed. */
export const UNCERTAIN_OUTCOME_CODES: readonly string[] = [REQUEST_TIMEOUT_CODE, INVALID_RESPONSE_CODE];

/**
 * Failures that happen before a single byte of the request leaves this machine, and that may pass: the call was
 * certainly not executed, so even a write may be sent again.
 */
export const NOT_SENT_CODES: readonly string[] = [
  "ECONNREFUSED",
  "EAI_AGAIN",
  CREDENTIALS_UNAVAILABLE_CODE,
  PROXY_CONNECT_FAILED_CODE,
];

/** Actions that only read; every other action (including unknown ones) is treated as a write. */
export const READ_ACTIONS: readonly string[] = [
  "ListFpShotDB",
  "QueryFpDBDeleteJobList",
  "ListFpShotFiles",
  "QueryFpFileDeleteJobList",
];

/** Whether `action` may change state at the service (unknown actions are assumed to). */
export function isWriteAction(action: string): boolean {
  return !READ_ACTIONS.includes(action);
}

/** Whether `code` is a throttling answer (`Throttling`, `Throttling.*` or one of {@link THROTTLING_CODES}). */
export function isThrottlingCode(code: string | undefined): boolean {
  if (code === undefined) return false;
  return THROTTLING_CODES.includes(code) || code.startsWith("Throttling.");
}

/** The facts about a failure the classification looks at. */
export interface FailureFacts {
  /** Service `Code`, Node socket code, or one of the synthetic codes above. */
  code: string;
  /** HTTP status when the service (or a gateway) answered. */
  statusCode?: number;
  /**
   * The request certainly never left this machine: its connection was never established (see
   * client/connections). Whatever the code says, even a write may then be sent again.
   */
  notSent?: boolean;
}

/** Where {@link markNotSent} records its finding on a thrown error (a registered symbol: errors cross realms). */
const NOT_SENT = Symbol.for("pulumi-mps-fpdb.request-not-sent");

/**
 * Marks a thrown error as a failure before the request was sent (its connection was never established), for
 * {@link failureFacts}. Returns the same error; a value that cannot carry the mark is returned unchanged.
 */
export function markNotSent(error: unknown): unknown {
  if (typeof error === "object" && error !== null && Object.isExtensible(error)) {
    Object.defineProperty(error, NOT_SENT, { value: true });
  }
  return error;
}

/**
 * Extracts {@link FailureFacts} from anything thrown by openapi-client/httpx/credentials or by this package:
 * - `ResponseError` (an HTTP 4xx/5xx): `code` = body Code, `statusCode` = HTTP status;
 * - httpx `RequestTimeoutError` (no code): {@link REQUEST_TIMEOUT_CODE};
 * - Node socket errors: their `code` (`ECONNRESET`, ...);
 * - `SyntaxError` (non-JSON body) and "The value is not a object" (non-object body): {@link INVALID_RESPONSE_CODE};
 * - `MpsApiError`: its own `code` and `statusCode`.
 */
export function failureFacts(error: unknown): FailureFacts {
  if (error instanceof MpsApiError) return { code: error.code, statusCode: error.statusCode };
  if (typeof error !== "object" || error === null) return { code: UNKNOWN_FAILURE_CODE };
  if ((error as { [NOT_SENT]?: unknown })[NOT_SENT] === true) {
    return { ...failureFacts(withoutMark(error)), notSent: true };
  }
  const record = error as { name?: unknown; code?: unknown; statusCode?: unknown; message?: unknown };
  const statusCode = typeof record.statusCode === "number" ? record.statusCode : undefined;
  const name = typeof record.name === "string" ? record.name : "";
  const message = typeof record.message === "string" ? record.message : "";
  if (name === "RequestTimeoutError" || name.endsWith("RequestTimeoutError")) {
    return { code: REQUEST_TIMEOUT_CODE };
  }
  // Checked by name, not instanceof: errors made by Node's own modules come from another realm under jest.
  if (name === "SyntaxError" || message.startsWith("The value is not a object")) {
    return { code: INVALID_RESPONSE_CODE, statusCode };
  }
  if (typeof record.code === "string" && record.code !== "" && record.code !== "undefined") {
    return { code: record.code, statusCode };
  }
  return { code: UNKNOWN_FAILURE_CODE, statusCode };
}

/** A stand-in that reads like `error` without the not-sent mark (so the facts can be taken as usual). */
function withoutMark(error: object): object {
  const record = error as { name?: unknown; code?: unknown; statusCode?: unknown; message?: unknown };
  return { name: record.name, code: record.code, statusCode: record.statusCode, message: record.message };
}

/** Classifies failure facts for a read (`write = false`) or a write. See the module comment for the reasoning. */
export function classifyFacts(facts: FailureFacts, write: boolean): ErrorKind {
  const { code, statusCode } = facts;
  if (isThrottlingCode(code) || (statusCode !== undefined && THROTTLING_HTTP_STATUSES.includes(statusCode))) {
    return "throttling";
  }
  if (NOT_SENT_CODES.includes(code) || facts.notSent === true) return "transient";
  const maybeExecuted =
    TRANSIENT_CODES.includes(code) ||
    SOCKET_ERROR_CODES.includes(code) ||
    UNCERTAIN_OUTCOME_CODES.includes(code) ||
    (statusCode !== undefined && TRANSIENT_HTTP_STATUSES.includes(statusCode));
  if (maybeExecuted) return write ? "ambiguous" : "transient";
  // A failure nobody recognises, without an HTTP answer: a read gains nothing from a retry, but a write may
  // have gone out, so it must not be reported as certainly failed.
  if (code === UNKNOWN_FAILURE_CODE && statusCode === undefined) return write ? "ambiguous" : "fatal";
  return "fatal";
}

/**
 * Maps an error from a call (+ whether the call is a write) to how the retry layer treats it. An `MpsApiError`
 * already carries the kind the transport decided; everything else is classified from {@link failureFacts}.
 */
export function classifyError(error: unknown, write: boolean): ErrorKind {
  if (error instanceof MpsApiError) return error.kind;
  return classifyFacts(failureFacts(error), write);
}
