import { createHmac } from "node:crypto";
import { canonicalParams, rfc3986, type Param } from "./rfc3986";
import type { WireRequest } from "./wire";

/** Query parameters of the V2 signature protocol (not business parameters). */
export const V2_PROTOCOL_PARAMS: readonly string[] = [
  "AccessKeyId",
  "Signature",
  "SignatureMethod",
  "SignatureVersion",
  "SignatureNonce",
  "Timestamp",
];

/** True when the request is V2-signed (a `Signature` query or body parameter, no Authorization header). */
export function isV2(wire: WireRequest): boolean {
  return allParams(wire).some(([name]) => name === "Signature");
}

/** Query plus form body: V2 signs both (docs/mps-api.md, 'V2 signature'). */
export function allParams(wire: WireRequest): Param[] {
  return [...wire.query, ...wire.form];
}

/** `METHOD&%2F&pct(canonicalized params except Signature)`. */
export function v2StringToSign(wire: WireRequest): string {
  const params = allParams(wire).filter(([name]) => name !== "Signature");
  return `${wire.method}&${rfc3986("/")}&${rfc3986(canonicalParams(params))}`;
}

/** base64(HMAC-SHA1(secret + "&", stringToSign)). */
export function v2Signature(secret: string, toSign: string): string {
  return createHmac("sha1", `${secret}&`).update(toSign, "utf8").digest("base64");
}
