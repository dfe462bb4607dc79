/**
 * RFC 3986 percent-encoding as Alibaba's signers apply it: `encodeURIComponent` plus `! ' ( ) *`; `~` stays.
 */
export function rfc3986(value: string): string {
  return encodeURIComponent(value)
    .replace(/!/g, "%21")
    .replace(/'/g, "%27")
    .replace(/\(/g, "%28")
    .replace(/\)/g, "%29")
    .replace(/\*/g, "%2A");
}

/** A decoded name/value pair, in wire order. */
export type Param = readonly [name: string, value: string];

/**
 * Decodes a wire query string or form body. Never signs the raw text: the signature covers the decoded values
 * re-encoded by `canonicalParams`, so any valid encoding of the same value verifies.
 */
export function decodeParams(raw: string): Param[] {
  return [...new URLSearchParams(raw)].map(([name, value]) => [name, value] as const);
}

/** `k=v&...` with both sides RFC 3986 encoded, sorted by encoded name (byte order), then by value. */
export function canonicalParams(params: readonly Param[]): string {
  return params
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([an, av], [bn, bv]) => compare(an, bn) || compare(av, bv))
    .map(([name, value]) => `${name}=${value}`)
    .join("&");
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
