import type { IncomingMessage } from "node:http";
import { decodeParams, type Param } from "./rfc3986";

/** The raw facts of one request that signature checks and actions need. */
export interface WireRequest {
  method: string;
  /** Path as sent, without the query. */
  path: string;
  /** Decoded query parameters, wire order. */
  query: Param[];
  /** Raw body bytes (after de-chunking), exactly what was hashed by the client. */
  body: Buffer;
  /** Decoded form body parameters when the body is `application/x-www-form-urlencoded`, else empty. */
  form: Param[];
  /** Header values by lower-case name; a repeated header keeps every value. */
  headers: Readonly<Record<string, string[]>>;
}

/** Builds the wire view from Node's request and the body read from it. */
export function toWireRequest(req: IncomingMessage, body: Buffer): WireRequest {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  const headers: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (values) headers[name] = values;
  }
  const contentType = (headers["content-type"]?.[0] ?? "").toLowerCase();
  const isForm = contentType.startsWith("application/x-www-form-urlencoded");
  return {
    method: req.method ?? "GET",
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? [] : decodeParams(url.slice(q + 1)),
    body,
    form: isForm && body.length > 0 ? decodeParams(body.toString("utf8")) : [],
    headers,
  };
}

/** First value of a header, or undefined. */
export function headerValue(wire: WireRequest, name: string): string | undefined {
  return wire.headers[name]?.[0];
}

/** First value of a parameter, or undefined. */
export function paramValue(params: readonly Param[], name: string): string | undefined {
  return params.find(([n]) => n === name)?.[1];
}
