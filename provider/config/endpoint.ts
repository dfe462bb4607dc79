/**
 * Where MPS is reached: the endpoint rules of design section 3 (`endpoint`, `endpointType`, the override read at
 * call time) and the proxy settings the transport should use.
 */
import { ConfigError } from "../errors";
import type { EndpointType } from "../types";

/** An endpoint, normalised for the transport. */
export interface ResolvedEndpoint {
  /** `protocol://host[:port]`, no path. */
  url: string;
  /** `hostname[:port]`, as the SDK's `endpoint` setting wants it. */
  host: string;
  protocol: "http" | "https";
  /** True for 127.0.0.0/8, localhost and [::1]: plain http is allowed there and no proxy is used. */
  loopback: boolean;
}

/** Either the parsed endpoint or, for a bad one, what is wrong with it (a sentence fragment, no value). */
export type EndpointParse = { ok: true; endpoint: ResolvedEndpoint } | { ok: false; problem: string };

/** What `http://` is refused for, in every message that refuses it. */
export const LOOPBACK_HOSTS_TEXT = "loopback hosts (127.0.0.0/8, localhost, [::1])";

const HOSTNAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?$/i;
const REGION_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** True for hosts that never leave this machine: 127.0.0.0/8, `localhost` and `::1` (with or without brackets). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, "$1");
  if (h === "localhost" || h === "::1") return true;
  const octets = h.split(".");
  return (
    octets.length === 4 && octets[0] === "127" && octets.every((o) => /^\d{1,3}$/.test(o) && Number(o) <= 255)
  );
}

/**
 * Parses `host`, `host:port`, `https://host[:port]` or `http://loopback[:port]`. A bare host means https. Paths,
 * queries and user info are refused: the SDK takes a host, and user info would put a secret into state.
 */
export function parseEndpoint(text: string): EndpointParse {
  const trimmed = text.trim();
  if (trimmed === "") return { ok: false, problem: "is empty" };
  if (/\s/.test(trimmed)) return { ok: false, problem: "contains whitespace" };
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(trimmed)?.[1]?.toLowerCase();
  if (scheme !== undefined && scheme !== "http" && scheme !== "https") {
    return {
      ok: false,
      problem: `uses the scheme "${scheme}://"; only https:// (and http:// for loopback) work`,
    };
  }
  let url: URL;
  try {
    url = new URL(scheme ? trimmed : `https://${trimmed}`);
  } catch {
    return { ok: false, problem: "is not a host, host:port or http(s) URL" };
  }
  if (url.username || url.password)
    return { ok: false, problem: "must not contain user info (user:password@)" };
  if (url.pathname !== "/" || url.search || url.hash) {
    return { ok: false, problem: "must be a host without a path, query or fragment" };
  }
  const hostname = url.hostname;
  const bracketed = hostname.startsWith("[");
  if (!bracketed && !HOSTNAME.test(hostname))
    return { ok: false, problem: `has an invalid host name "${hostname}"` };
  const protocol = url.protocol === "http:" ? "http" : "https";
  const loopback = isLoopbackHost(hostname);
  if (protocol === "http" && !loopback) {
    return {
      ok: false,
      problem: `uses http://, which is only allowed for ${LOOPBACK_HOSTS_TEXT}; use https://`,
    };
  }
  const host = url.port ? `${hostname}:${url.port}` : hostname;
  return { ok: true, endpoint: { url: `${protocol}://${host}`, host, protocol, loopback } };
}

/** The default MPS endpoint of a region: `mts.<region>.aliyuncs.com`, or `mts-vpc.<region>...` inside a VPC. */
export function defaultEndpointHost(region: string, endpointType: EndpointType = "public"): string {
  return `${endpointType === "vpc" ? "mts-vpc" : "mts"}.${region}.aliyuncs.com`;
}

/**
 * The endpoint to call for one library. The override (the environment variable `MPS_FPDB_ENDPOINT` or the
 * setting `pulumi-mps-fpdb:endpoint`, read when the call is made and never stored) wins over the library's
 * `endpoint`, so a destroy can reach an endpoint that moved; without either, the region's default. Throws
 * `ConfigError` for an unusable endpoint or region.
 */
export function resolveEndpoint(o: {
  override?: string;
  endpoint?: string;
  endpointType?: EndpointType;
  region: string;
}): ResolvedEndpoint {
  const override = o.override?.trim();
  if (override)
    return parseOrThrow(override, "The endpoint override (MPS_FPDB_ENDPOINT or pulumi-mps-fpdb:endpoint)");
  if (o.endpoint !== undefined && o.endpoint.trim() !== "")
    return parseOrThrow(o.endpoint, "The `endpoint` input");
  if (!REGION_ID.test(o.region)) {
    throw new ConfigError(
      `The region "${o.region}" is not a region id such as "cn-shanghai". Set the \`region\` input or ` +
        "`alicloud:region` to a valid region id, or set `endpoint`.",
    );
  }
  const host = defaultEndpointHost(o.region, o.endpointType);
  return { url: `https://${host}`, host, protocol: "https", loopback: false };
}

function parseOrThrow(text: string, what: string): ResolvedEndpoint {
  const parsed = parseEndpoint(text);
  if (parsed.ok) return parsed.endpoint;
  throw new ConfigError(`${what} "${text}" ${parsed.problem}. Set it to a host, host:port or https:// URL.`);
}

/** Proxy settings for the transport, in the SDK's terms. */
export interface ProxySettings {
  httpsProxy?: string;
  httpProxy?: string;
  noProxy?: string;
}

/**
 * The proxy to use, from `HTTPS_PROXY`/`https_proxy`, `HTTP_PROXY`/`http_proxy` and `NO_PROXY`/`no_proxy`
 * (upper case first, as curl does). None for a loopback endpoint (the emulator), and none when no proxy is set.
 */
export function resolveProxy(env: NodeJS.ProcessEnv, loopback: boolean): ProxySettings | undefined {
  if (loopback) return undefined;
  const pick = (upper: string) => nonEmpty(env[upper]) ?? nonEmpty(env[upper.toLowerCase()]);
  const httpsProxy = pick("HTTPS_PROXY");
  const httpProxy = pick("HTTP_PROXY");
  if (!httpsProxy && !httpProxy) return undefined;
  const settings: ProxySettings = {};
  if (httpsProxy) settings.httpsProxy = httpsProxy;
  if (httpProxy) settings.httpProxy = httpProxy;
  const noProxy = pick("NO_PROXY");
  if (noProxy) settings.noProxy = noProxy;
  return settings;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}
