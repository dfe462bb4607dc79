/**
 * Property bags on the provider wire: `google.protobuf.Struct` to and from plain values, with the engine's two
 * special values. A secret arrives as an envelope `{ <sig key>: <secret sig>, value }` (the plugin accepts
 * secrets in Configure, so the engine keeps the mark instead of stripping it), and a value not known yet (a
 * preview) as a fixed string, which the core knows as `UNKNOWN`.
 */
import { Struct, type JavaScriptValue } from "google-protobuf/google/protobuf/struct_pb";
import type { Props } from "../core/api";

/** The key that marks a special object on the wire (`rpc.specialSigKey` in Pulumi's Node SDK). */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
/** The signature of a secret envelope (`rpc.specialSecretSig`). */
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** Whether a value is a secret envelope. */
export function isSecret(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    !Array.isArray(value) &&
    (value as Record<string, unknown>)[SIG_KEY] === SECRET_SIG
  );
}

/** Wraps a value in a secret envelope. */
export function secret(value: unknown): Record<string, unknown> {
  return { [SIG_KEY]: SECRET_SIG, value };
}

/** The plain value: every secret envelope, at any depth, replaced by what it holds. */
export function reveal(value: unknown): unknown {
  if (isSecret(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (typeof value === "object" && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, reveal(item)]));
  }
  return value;
}

/** Whether the value is, or holds at any depth, a secret envelope. */
export function holdsSecret(value: unknown): boolean {
  if (isSecret(value)) return true;
  if (Array.isArray(value)) return value.some(holdsSecret);
  if (typeof value === "object" && value !== null) return Object.values(value).some(holdsSecret);
  return false;
}

/** A bag's plain values, and the top-level keys whose value was (or held) a secret. */
export function unwrap(props: Props): { plain: Props; secretKeys: Set<string> } {
  const secretKeys = new Set(Object.keys(props).filter((key) => holdsSecret(props[key])));
  return { plain: reveal(props) as Props, secretKeys };
}

/** The bag with the values under `keys` wrapped as secrets (each once). */
export function markSecret(props: Props, keys: Iterable<string>): Props {
  const out: Props = { ...props };
  for (const key of keys) {
    if (key in out && out[key] !== null && !isSecret(out[key])) out[key] = secret(out[key]);
  }
  return out;
}

/** A Struct's values, or undefined when the message has none (Read from an import has no properties). */
export function fromStruct(struct: Struct | undefined): Props | undefined {
  return struct === undefined ? undefined : (struct.toJavaScript() as Props);
}

/**
 * A bag as a Struct. `undefined` members are left out (the core never makes them, and the Struct encoder would
 * throw on one, failing the whole answer).
 */
export function toStruct(props: Props): Struct {
  return Struct.fromJavaScript(JSON.parse(JSON.stringify(props)) as Record<string, JavaScriptValue>);
}
