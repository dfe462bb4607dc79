import { errors } from "./api-error";
import type { Keyring } from "./keyring";
import type { NonceCache } from "./signing/nonces";
import { paramValue, headerValue, type WireRequest } from "./signing/wire";
import {
  canonicalRequest,
  checkPayloadHash,
  checkSignedHeaders,
  isV3,
  parseAuthorization,
  sameSignature,
  stringToSign,
  v3Signature,
} from "./signing/v3";
import { allParams, isV2, v2Signature, v2StringToSign } from "./signing/v2";
import { isoSeconds, parseSignedTime } from "./time";

/** The caller a verified request acts for. */
export interface Identity {
  accountId: string;
  accessKeyId: string;
  signatureVersion: "v3" | "v2";
}

/**
 * Verifies a request's signature from the raw request (V3 ACS3-HMAC-SHA256 or V2 HMAC-SHA1), then its time and
 * nonce. Order: structure, key, signature, time, nonce; the nonce is recorded only for a valid signature so a
 * forged request cannot burn someone else's nonce.
 */
export class Authenticator {
  constructor(
    private readonly keyring: Keyring,
    private readonly nonces: NonceCache,
  ) {}

  verify(wire: WireRequest, now: number, maxSkewSeconds: number): Identity {
    if (isV3(wire)) return this.verifyV3(wire, now, maxSkewSeconds);
    if (isV2(wire)) return this.verifyV2(wire, now, maxSkewSeconds);
    throw errors.incompleteSignature(
      "the request has neither an Authorization header (V3) nor a Signature parameter (V2)",
    );
  }

  private verifyV3(wire: WireRequest, now: number, maxSkewSeconds: number): Identity {
    const auth = parseAuthorization(headerValue(wire, "authorization")!);
    checkSignedHeaders(wire, auth);
    const owner = this.keyring.find(auth.accessKeyId);
    if (!owner) throw errors.accessKeyNotFound();
    const payloadHash = checkPayloadHash(wire);
    const expected = v3Signature(
      owner.accessKeySecret,
      stringToSign(canonicalRequest(wire, auth.signedHeaders, payloadHash)),
    );
    if (!sameSignature(expected, auth.signature.toLowerCase())) throw errors.signatureDoesNotMatch();
    checkTime("x-acs-date", headerValue(wire, "x-acs-date")!, now, maxSkewSeconds);
    this.useNonce(auth.accessKeyId, headerValue(wire, "x-acs-signature-nonce")!, now);
    return { accountId: owner.accountId, accessKeyId: auth.accessKeyId, signatureVersion: "v3" };
  }

  private verifyV2(wire: WireRequest, now: number, maxSkewSeconds: number): Identity {
    const params = allParams(wire);
    const required = (name: string): string => {
      const value = paramValue(params, name);
      if (!value) throw errors.incompleteSignature(`the parameter ${name} is missing`);
      return value;
    };
    const signature = required("Signature");
    const accessKeyId = required("AccessKeyId");
    const method = required("SignatureMethod");
    if (method !== "HMAC-SHA1") {
      throw errors.incompleteSignature(`unsupported SignatureMethod "${method}", use HMAC-SHA1`);
    }
    const version = required("SignatureVersion");
    if (version !== "1.0")
      throw errors.incompleteSignature(`unsupported SignatureVersion "${version}", use 1.0`);
    const timestamp = required("Timestamp");
    const nonce = required("SignatureNonce");
    const owner = this.keyring.find(accessKeyId);
    if (!owner) throw errors.accessKeyNotFound();
    if (!sameSignature(v2Signature(owner.accessKeySecret, v2StringToSign(wire)), signature)) {
      throw errors.signatureDoesNotMatch();
    }
    checkTime("Timestamp", timestamp, now, maxSkewSeconds);
    this.useNonce(accessKeyId, nonce, now);
    return { accountId: owner.accountId, accessKeyId, signatureVersion: "v2" };
  }

  private useNonce(accessKeyId: string, nonce: string, now: number): void {
    if (!this.nonces.use(accessKeyId, nonce, now)) throw errors.nonceUsed();
  }
}

function checkTime(name: string, value: string, now: number, maxSkewSeconds: number): void {
  const signedAt = parseSignedTime(value);
  if (signedAt === undefined) throw errors.timestampFormat(name, value);
  const skewSeconds = Math.floor(Math.abs(now - signedAt) / 1000);
  if (skewSeconds > maxSkewSeconds) {
    throw errors.timestampExpired(name, value, isoSeconds(now), skewSeconds, maxSkewSeconds);
  }
}
