import { createHash, createHmac, randomBytes } from "node:crypto";
import { request, type Agent } from "node:http";

/**
 * A small test-side signer and raw HTTP sender, independent of the SDK and of the emulator's own signing code,
 * for requests the SDK cannot produce: tampered queries and bodies, stale dates, replayed nonces, chunked bodies.
 */

/** RFC 3986 as in docs/mps-api.md, 'V3 signature', step 3. */
export function pct(value: string): string {
  return encodeURIComponent(value).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function canonicalQuery(query: Record<string, string>): string {
  return Object.keys(query)
    .sort()
    .map((k) => `${pct(k)}=${pct(query[k]!)}`)
    .join("&");
}

/** A request ready to send. */
export interface RawRequest {
  method: string;
  /** Path plus wire query string. */
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** Send the body with Transfer-Encoding: chunked, in pieces. */
  chunked?: boolean;
}

export interface V3Input {
  host: string;
  action: string;
  query?: Record<string, string>;
  /** Form body fields. */
  form?: Record<string, string>;
  accessKeyId: string;
  accessKeySecret: string;
  date?: string;
  nonce?: string;
  securityToken?: string;
  version?: string;
}

/** Current UTC time as `YYYY-MM-DDThh:mm:ssZ`. */
export function acsDate(ms = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A V3 (ACS3-HMAC-SHA256) signed request, computed per docs/mps-api.md, 'V3 signature'. */
export function signV3(input: V3Input): RawRequest {
  const query = input.query ?? {};
  const body = Buffer.from(
    input.form ? new URLSearchParams(input.form).toString().replace(/\+/g, "%20") : "",
  );
  const headers: Record<string, string> = {
    host: input.host,
    "x-acs-action": input.action,
    "x-acs-version": input.version ?? "2014-06-18",
    "x-acs-date": input.date ?? acsDate(),
    "x-acs-signature-nonce": input.nonce ?? randomBytes(16).toString("hex"),
    "x-acs-content-sha256": createHash("sha256").update(body).digest("hex"),
  };
  if (input.form) headers["content-type"] = "application/x-www-form-urlencoded";
  if (input.securityToken) {
    headers["x-acs-accesskey-id"] = input.accessKeyId;
    headers["x-acs-security-token"] = input.securityToken;
  }
  const names = Object.keys(headers).sort();
  const canonical = [
    "POST",
    "/",
    canonicalQuery(query),
    names.map((n) => `${n}:${headers[n]!.trim()}\n`).join(""),
    names.join(";"),
    headers["x-acs-content-sha256"],
  ].join("\n");
  const toSign = `ACS3-HMAC-SHA256\n${createHash("sha256").update(canonical).digest("hex")}`;
  const signature = createHmac("sha256", input.accessKeySecret).update(toSign).digest("hex");
  headers.authorization = `ACS3-HMAC-SHA256 Credential=${input.accessKeyId},SignedHeaders=${names.join(";")},Signature=${signature}`;
  const qs = new URLSearchParams(query).toString().replace(/\+/g, "%20");
  return { method: "POST", path: qs ? `/?${qs}` : "/", headers, body };
}

export interface V2Input {
  host: string;
  action: string;
  params?: Record<string, string>;
  accessKeyId: string;
  accessKeySecret: string;
  timestamp?: string;
  nonce?: string;
}

/** A V2 (HMAC-SHA1) signed request with every parameter in the query, per docs/mps-api.md, 'V2 signature'. */
export function signV2(input: V2Input): RawRequest {
  const query: Record<string, string> = {
    Action: input.action,
    Format: "json",
    Version: "2014-06-18",
    Timestamp: input.timestamp ?? acsDate(),
    SignatureNonce: input.nonce ?? randomBytes(16).toString("hex"),
    ...input.params,
    SignatureMethod: "HMAC-SHA1",
    SignatureVersion: "1.0",
    AccessKeyId: input.accessKeyId,
  };
  const toSign = `POST&${pct("/")}&${pct(canonicalQuery(query))}`;
  query.Signature = createHmac("sha1", `${input.accessKeySecret}&`).update(toSign).digest("base64");
  const qs = new URLSearchParams(query).toString().replace(/\+/g, "%20");
  return { method: "POST", path: `/?${qs}`, headers: { host: input.host }, body: Buffer.alloc(0) };
}

/** The answer of a raw request. */
export interface RawAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** Sends a raw request to 127.0.0.1:port and parses the JSON answer; a fresh connection unless `agent` is given. */
export function send(port: number, raw: RawRequest, agent?: Agent): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...raw.headers };
    if (raw.chunked) headers["transfer-encoding"] = "chunked";
    else headers["content-length"] = raw.body.length;
    const req = request(
      { host: "127.0.0.1", port, method: raw.method, path: raw.path, headers, agent: agent ?? false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          try {
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
            });
          } catch (e) {
            reject(e);
          }
        });
      },
    );
    req.on("error", reject);
    if (raw.chunked) {
      for (let i = 0; i < raw.body.length; i += 7) req.write(raw.body.subarray(i, i + 7));
      req.end();
    } else {
      req.end(raw.body);
    }
  });
}
