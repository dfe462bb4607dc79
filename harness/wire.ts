/**
 * The property encodings Pulumi uses on the provider wire (`@pulumi/pulumi/runtime/rpc.js`), and the conversions
 * between plain JavaScript values and `google.protobuf.Struct`.
 */
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import type { JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import {
  holdsSecret as containsSecret,
  isSecret,
  reveal as unwrapSecrets,
  secret,
  SECRET_SIG,
  SIG_KEY,
} from "../plugin/properties";

/** A property bag as it travels over gRPC: JSON-like values, unknowns and secret envelopes included. */
export type Props = Record<string, unknown>;

/** The string that stands for a value not known yet (preview). `rpc.unknownValue` in the SDK. */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * The secret envelope is the plugin's (plugin/properties.ts: the same wire, one definition of it); the names this
 * harness has always used for it are kept.
 */
export {
  SIG_KEY,
  SECRET_SIG,
  isSecret,
  holdsSecret as containsSecret,
  reveal as unwrapSecrets,
} from "../plugin/properties";

/** The property under which a dynamic resource carries its serialized provider. */
export const PROVIDER_KEY = "__provider";

/** A secret on the wire: `{ [SIG_KEY]: SECRET_SIG, value }`. */
export interface SecretEnvelope {
  [SIG_KEY]: typeof SECRET_SIG;
  value: unknown;
}

/** Wraps a value in the secret envelope, as the engine does for secret config and secret outputs. */
export function wrapSecret(value: unknown): SecretEnvelope {
  return secret(value) as unknown as SecretEnvelope;
}

/**
 * Strips the secrets from a property bag and names the top-level keys that held one, so outputs with the same
 * keys can be marked secret again (the engine's `annotateSecrets`).
 */
export function stripSecrets(props: Props): { plain: Props; secretKeys: string[] } {
  const secretKeys = Object.keys(props).filter((k) => containsSecret(props[k]));
  return { plain: unwrapSecrets(props) as Props, secretKeys };
}

/** Wraps every top-level output whose key is in `secretKeys` (and is not already a secret) in the envelope. */
export function markSecrets(props: Props, secretKeys: readonly string[]): Props {
  const out: Props = { ...props };
  for (const key of secretKeys) {
    if (key in out && !isSecret(out[key])) out[key] = wrapSecret(out[key]);
  }
  return out;
}

/** True when the value or anything inside it is the unknown sentinel. */
export function containsUnknown(value: unknown): boolean {
  if (value === UNKNOWN) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
  return false;
}

/**
 * Converts a property bag to a Struct. Throws a TypeError naming the property when a value cannot travel
 * (undefined, functions, BigInt): the SDK's own error ("Unexpected struct type.") does not say which one.
 */
export function toStruct(props: Props): Struct {
  assertWireSafe(props, "");
  return Struct.fromJavaScript(props as Record<string, JavaScriptValue>);
}

/** Converts a Struct (or its absence) to a property bag. */
export function fromStruct(struct: Struct | undefined): Props {
  return struct ? (struct.toJavaScript() as Props) : {};
}

/** Canonical JSON (sorted keys) so that two property bags compare equal regardless of key order. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  }
  return value;
}

function assertWireSafe(value: unknown, path: string): void {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => assertWireSafe(v, `${path}[${i}]`));
    return;
  }
  if (typeof value === "object") {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      assertWireSafe(v, path ? `${path}.${k}` : k);
    }
    return;
  }
  throw new TypeError(
    `property \`${path || "(root)"}\` is ${typeof value}, which cannot be sent over gRPC; ` +
      "use null or omit the property instead",
  );
}
