import type { RecordedRequest } from "./types";

/** Written in place of a secret in recorded requests. */
export const REDACTED = "<redacted>";

/** Bounded log of received RPC requests, oldest first; drops the oldest beyond `limit`. */
export class RequestLog {
  private entries: RecordedRequest[] = [];

  constructor(private readonly limit: number) {}

  add(entry: RecordedRequest): void {
    this.entries.push(entry);
    // Trim in chunks so a full log does not shift the whole array on every request.
    if (this.entries.length > this.limit + Math.max(1, Math.floor(this.limit / 10))) {
      this.entries = this.entries.slice(-this.limit);
    }
  }

  snapshot(): RecordedRequest[] {
    return this.entries.slice(-this.limit);
  }

  clear(): void {
    this.entries = [];
  }
}

/** Header values for the log: the Authorization signature and the security token replaced by `<redacted>`. */
export function redactHeaders(headers: Readonly<Record<string, string[]>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, values] of Object.entries(headers)) {
    const value = values.join(", ");
    if (name === "authorization") out[name] = value.replace(/Signature=[^,\s]*/g, `Signature=${REDACTED}`);
    else if (name === "x-acs-security-token") out[name] = REDACTED;
    else out[name] = value;
  }
  return out;
}

/** Query (or form) parameters for the log: V2 `Signature` and `SecurityToken` redacted. */
export function redactParams(params: readonly (readonly [string, string])[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of params) {
    out[name] = name === "Signature" || name === "SecurityToken" ? REDACTED : value;
  }
  return out;
}

/** A form body for the log with the same redactions as the query. */
export function redactBody(body: Buffer, form: readonly (readonly [string, string])[]): string | undefined {
  if (body.length === 0) return undefined;
  if (form.length === 0) return body.toString("utf8");
  return new URLSearchParams(Object.entries(redactParams(form))).toString();
}
