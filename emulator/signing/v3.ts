import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { errors } from "../api-error";
import { canonicalParams } from "./rfc3986";
import { headerValue, type WireRequest } from "./wire";

/** The only V3 algorithm openapi-client uses with AccessKeys. */
export const V3_ALGORITHM = "ACS3-HMAC-SHA256";

/** Headers every V3 request must sign (docs/mps-api.md, 'V3 signature'). */
export const REQUIRED_SIGNED_HEADERS: readonly string[] = [
  "host",
  "x-acs-action",
  "x-acs-version",
  "x-acs-date",
  "x-acs-signature-nonce",
  "x-acs-content-sha256",
];

/** The parts of `Authorization: ACS3-HMAC-SHA256 Credential=..,SignedHeaders=..,Signature=..`. */
export interface V3Authorization {
  accessKeyId: string;
  signedHeaders: string[];
  signature: string;
}

/** True when the request carries a V3 Authorization header (of any algorithm). */
export function isV3(wire: WireRequest): boolean {
  return headerValue(wire, "authorization") !== undefined;
}

/** Parses the Authorization header; throws IncompleteSignature when it is malformed. */
export function parseAuthorization(value: string): V3Authorization {
  const space = value.indexOf(" ");
  const algorithm = space < 0 ? value : value.slice(0, space);
  if (algorithm !== V3_ALGORITHM) {
    throw errors.incompleteSignature(`unsupported signature algorithm "${algorithm}", use ${V3_ALGORITHM}`);
  }
  const fields = new Map<string, string>();
  for (const part of value.slice(space + 1).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  const accessKeyId = fields.get("Credential");
  const signedHeaders = fields.get("SignedHeaders");
  const signature = fields.get("Signature");
  if (!accessKeyId) throw errors.incompleteSignature("the Authorization header has no Credential");
  if (!signedHeaders) throw errors.incompleteSignature("the Authorization header has no SignedHeaders");
  if (!signature) throw errors.incompleteSignature("the Authorization header has no Signature");
  return { accessKeyId, signedHeaders: signedHeaders.split(";").map((h) => h.toLowerCase()), signature };
}

/**
 * Structural checks before any crypto: the required headers are present and signed, and so is every other
 * `x-acs-*` header and the content type (an unsigned security token or body type could be swapped in transit).
 */
export function checkSignedHeaders(wire: WireRequest, auth: V3Authorization): void {
  const signed = new Set(auth.signedHeaders);
  for (const name of REQUIRED_SIGNED_HEADERS) {
    if (headerValue(wire, name) === undefined)
      throw errors.incompleteSignature(`the header ${name} is missing`);
    if (!signed.has(name)) throw errors.incompleteSignature(`the header ${name} is not in SignedHeaders`);
  }
  for (const name of Object.keys(wire.headers)) {
    const mustSign = name.startsWith("x-acs-") || (name === "content-type" && wire.body.length > 0);
    if (mustSign && !signed.has(name)) {
      throw errors.incompleteSignature(`the header ${name} is not in SignedHeaders`);
    }
  }
  for (const name of signed) {
    if (wire.headers[name] === undefined) {
      throw errors.incompleteSignature(`the signed header ${name} is missing`);
    }
  }
}

/** hex(sha256(body)); throws when it differs from `x-acs-content-sha256`. */
export function checkPayloadHash(wire: WireRequest): string {
  const hash = createHash("sha256").update(wire.body).digest("hex");
  if (headerValue(wire, "x-acs-content-sha256")?.toLowerCase() !== hash) throw errors.contentHashMismatch();
  return hash;
}

/** The canonical request of docs/mps-api.md, 'V3 signature', steps 1-6, recomputed from the raw request. */
export function canonicalRequest(
  wire: WireRequest,
  signedHeaders: readonly string[],
  payloadHash: string,
): string {
  const headerLines = signedHeaders
    .map((name) => {
      const values = (wire.headers[name] ?? []).map((v) => v.trim()).sort();
      return `${name}:${values.join(",")}\n`;
    })
    .join("");
  return [
    wire.method,
    wire.path,
    canonicalParams(wire.query),
    headerLines,
    signedHeaders.join(";"),
    payloadHash,
  ].join("\n");
}

/** `ACS3-HMAC-SHA256\n` + hex(sha256(canonical request)). */
export function stringToSign(canonical: string): string {
  return `${V3_ALGORITHM}\n${createHash("sha256").update(canonical, "utf8").digest("hex")}`;
}

/** hex(HMAC-SHA256(secret, stringToSign)). */
export function v3Signature(secret: string, toSign: string): string {
  return createHmac("sha256", secret).update(toSign, "utf8").digest("hex");
}

/** Constant-time comparison of two signature strings. */
export function sameSignature(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
