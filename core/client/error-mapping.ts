import { MpsApiError, type ErrorKind } from "../errors";
import {
  CREDENTIALS_UNAVAILABLE_CODE,
  INVALID_RESPONSE_CODE,
  PROXY_CONNECT_FAILED_CODE,
  REQUEST_TIMEOUT_CODE,
  UNKNOWN_FAILURE_CODE,
  classifyFacts,
  failureFacts,
} from "../resilience/classify";
import { messageOf } from "../text";

/** What the mapping needs to know about the call besides the error. */
export interface CallContext {
  action: string;
  write: boolean;
  /** The endpoint as configured, for messages (it holds no secret). */
  endpoint: string;
  connectTimeoutMs: number;
  readTimeoutMs: number;
}

/**
 * Node's codes for a server certificate this process does not trust. Behind a TLS-inspecting proxy they mean the
 * proxy's CA is missing, which Node only learns from `NODE_EXTRA_CA_CERTS`.
 */
const UNTRUSTED_CERTIFICATE_CODES: readonly string[] = [
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
];

/** Longest service message quoted in an error. */
const MAX_QUOTED_CHARS = 300;

/**
 * Turns anything openapi-client, httpx or a credentials provider throws into an `MpsApiError` that keeps the
 * action, Code, HTTP status and RequestId, with a kind from the classifier and a message that names the action
 * and code, says what to do next, and never quotes a secret (signatures and tokens are never part of it; a
 * service message is cut before any "string to sign" echo).
 */
export function toMpsApiError(error: unknown, context: CallContext): MpsApiError {
  if (error instanceof MpsApiError) return error;
  const facts = failureFacts(error);
  const kind = classifyFacts(facts, context.write);
  const requestId = requestIdOf(error);
  const proxy = proxyFailureOf(error);
  const detail = describeFailure(error, facts.code, context, proxy);
  const status = facts.statusCode !== undefined ? ` (HTTP ${facts.statusCode})` : "";
  const rid = requestId !== undefined ? ` RequestId: ${requestId}.` : "";
  const message =
    `MPS ${context.action} failed: ${facts.code}${status}: ${detail}${rid} ` +
    nextStep(facts.code, kind, context, proxy);
  return new MpsApiError(message, context.action, facts.code, kind, facts.statusCode, requestId);
}

/** Wraps a credentials-provider failure (the request was never sent). */
export function credentialsError(error: unknown, context: CallContext): MpsApiError {
  // An STS exchange of the credentials chain goes through the proxy too; when the proxy is what failed, the
  // credentials configuration is not what needs fixing.
  const proxy = proxyFailureOf(error);
  const reason = proxy ? `the proxy ${proxy.proxy} ${proxy.reason}` : quote(messageOf(error));
  const fix = proxy
    ? proxyNextStep(proxy)
    : `Check the credentials configuration: Pulumi config ` +
      `alicloud:accessKey/alicloud:secretKey, the ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET ` +
      `environment variables, or the @alicloud/credentials default chain (profile, OIDC, ECS RAM role, URI).`;
  const message =
    `MPS ${context.action} failed: ${CREDENTIALS_UNAVAILABLE_CODE}: could not obtain Alibaba Cloud credentials ` +
    `(${reason}); the request was not sent. ${fix}`;
  return new MpsApiError(message, context.action, CREDENTIALS_UNAVAILABLE_CODE, "transient");
}

function requestIdOf(error: unknown): string | undefined {
  const data = (error as { data?: unknown } | null)?.data;
  if (typeof data !== "object" || data === null) return undefined;
  const record = data as Record<string, unknown>;
  const id = record.RequestId ?? record.requestId;
  return typeof id === "string" && id !== "" ? id : undefined;
}

function describeFailure(
  error: unknown,
  code: string,
  context: CallContext,
  proxy: ProxyFailure | undefined,
): string {
  const data = (error as { data?: unknown } | null)?.data;
  if (typeof data === "object" && data !== null) {
    const record = data as Record<string, unknown>;
    const text = record.Message ?? record.message;
    return typeof text === "string" && text !== ""
      ? sentence(quote(text))
      : "the answer has no Code or Message.";
  }
  if (proxy) return `the proxy ${proxy.proxy} ${proxy.reason}; the request was not sent.`;
  const message = withoutUrl(messageOf(error));
  switch (code) {
    case REQUEST_TIMEOUT_CODE:
      return message.startsWith("ReadTimeout")
        ? `no complete answer from ${context.endpoint} within the read timeout (${context.readTimeoutMs} ms).`
        : `the connection to ${context.endpoint} was idle for the connect timeout (${context.connectTimeoutMs} ms).`;
    case INVALID_RESPONSE_CODE:
      return `the response body is not a JSON object (${quote(message)}).`;
    case UNKNOWN_FAILURE_CODE:
      return `${quote(message)}.`;
    default:
      return `connection error talking to ${context.endpoint} (${quote(message)}).`;
  }
}

/**
 * The fields of a `ProxyConnectError` (duck-typed, like everything thrown through httpx). Its own message is not
 * used: httpx appends the request URL to it, and `withoutUrl` would also cut the proxy's URL.
 */
interface ProxyFailure {
  proxy: string;
  target: string;
  reason: string;
}

function proxyFailureOf(error: unknown): ProxyFailure | undefined {
  const record = error as { code?: unknown; proxy?: unknown; target?: unknown; reason?: unknown } | null;
  if (record?.code !== PROXY_CONNECT_FAILED_CODE) return undefined;
  const { proxy, target, reason } = record;
  if (typeof proxy !== "string" || typeof target !== "string" || typeof reason !== "string") return undefined;
  return { proxy, target, reason };
}

/** What to do about a proxy that would not open the tunnel to `target`. */
function proxyNextStep(failure: ProxyFailure): string {
  const host = failure.target.replace(/:\d+$/, "");
  return (
    "Check HTTPS_PROXY (or https_proxy, ALL_PROXY) and the proxy's credentials, or add " +
    `${host} to NO_PROXY to go direct.`
  );
}

/** The message of anything thrown (duck-typed: Node's own errors are of another realm under jest). */

/** httpx appends "<METHOD> <url> failed." to its messages; the URL carries the query, which is noise here. */
function withoutUrl(message: string): string {
  return message
    .replace(/\s*(Connect\s+)?((GET|POST|PUT|DELETE|HEAD)\s*)?https?:\/\/\S*(\s+failed)?\.?/g, "")
    .replace(/\s*(GET|POST|PUT|DELETE|HEAD)\s+\/\S*(\s+failed)?\.?/g, "")
    .trim()
    .replace(/[.:\s]+$/, "");
}

/** Ends a quoted message with a full stop, unless it already ends with punctuation. */
function sentence(text: string): string {
  return /[.!?\]]$/.test(text) ? text : `${text}.`;
}

/** Quotes a foreign message safely: one line, bounded, and never an echoed string-to-sign. */
function quote(text: string): string {
  let result = text.replace(/\s+/g, " ").trim();
  const echo = result.search(/string\s*to\s*sign/i);
  if (echo >= 0) result = `${result.slice(0, echo).trim()} [string to sign omitted]`;
  if (result.length > MAX_QUOTED_CHARS) result = `${result.slice(0, MAX_QUOTED_CHARS)}...`;
  return result;
}

function nextStep(
  code: string,
  kind: ErrorKind,
  context: CallContext,
  proxy: ProxyFailure | undefined,
): string {
  if (kind === "throttling") {
    return "MPS throttled the request: lower requestsPerSecond or run fewer operations at once, then retry.";
  }
  if (proxy) return proxyNextStep(proxy);
  if (kind === "ambiguous") {
    return "The request may have been executed: check the service state before sending it again.";
  }
  if (isAuthenticationCode(code)) {
    return "Check the AccessKey pair (and security token) configured for this provider.";
  }
  if (code.startsWith("InvalidTimeStamp")) {
    return "Check this machine's clock: requests must be signed within 15 minutes of the service's time.";
  }
  if (/^(Forbidden|PermissionDenied|InvalidIdentity|NoPermission)/.test(code)) {
    return "Grant the RAM identity permission for MPS (for example the AliyunMTSFullAccess policy).";
  }
  if (code === "InvalidAction.NotFound") {
    return `The endpoint ${context.endpoint} does not serve this MPS action: check the endpoint and region.`;
  }
  if (code === "ENOTFOUND")
    return `The host of ${context.endpoint} does not resolve: check the endpoint and region.`;
  if (UNTRUSTED_CERTIFICATE_CODES.includes(code)) {
    return (
      `The TLS certificate of ${context.endpoint} is not trusted here. Behind a TLS-inspecting proxy, give Node ` +
      "the proxy's CA certificate with NODE_EXTRA_CA_CERTS=<file.pem>; otherwise check the endpoint."
    );
  }
  if (code === "ECONNREFUSED")
    return `Nothing accepts connections at ${context.endpoint}: check the endpoint.`;
  if (code === REQUEST_TIMEOUT_CODE) return "Check the endpoint and the network, or raise the read timeout.";
  if (kind === "transient") return "This is usually temporary: retry later.";
  return "Fix the request or the configuration; retrying the same request will not help.";
}

/** True for the codes with which MPS refuses the credentials themselves (not their permissions). */
export function isAuthenticationCode(code: string): boolean {
  return /^(SignatureDoesNotMatch|IncompleteSignature|InvalidAccessKey|InvalidSecurityToken)/.test(code);
}
