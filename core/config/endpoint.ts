/**
 * Where MPS is reached: the endpoint rules of docs/design.md, 'Inputs' (`endpoint`, `endpointType`, the
 * override read at call time) and which proxy requests to it go through
 * (docs/design.md, 'Credentials and configuration').
 */
import { ConfigError } from "../errors";
import { nonEmpty } from "../text";

/** Values of the `endpointType` input: which of a region's default endpoints is called. */
export const ENDPOINT_TYPES = ["public", "vpc"] as const;
export type EndpointType = (typeof ENDPOINT_TYPES)[number];

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

/** An endpoint and which rule chose it, for messages and `mps-fpdb doctor`. */
export interface EndpointChoice {
  endpoint: ResolvedEndpoint;
  /** `environment MPS_FPDB_ENDPOINT`, `the \`endpoint\` input`, `the default for region cn-shanghai`, ... */
  source: string;
}

/** Where a library's endpoint comes from: the override and its origin, the library's own inputs, its region. */
export interface EndpointLookup {
  override?: string;
  /** Where the override came from, for {@link EndpointChoice.source}. */
  overrideSource?: string;
  endpoint?: string;
  endpointType?: EndpointType;
  region: string;
}

/**
 * The endpoint to call for one library. The override (the environment variable `MPS_FPDB_ENDPOINT` or the
 * setting `pulumi-mps-fpdb:endpoint`, read when the call is made and never stored) wins over the library's
 * `endpoint`, so a destroy can reach an endpoint that moved; without either, the region's default. Throws
 * `ConfigError` for an unusable endpoint or region.
 */
export function resolveEndpoint(o: EndpointLookup): ResolvedEndpoint {
  return chooseEndpoint(o).endpoint;
}

/** {@link resolveEndpoint}, also saying which rule won: the one rule, shared by the provider and the doctor. */
export function chooseEndpoint(o: EndpointLookup): EndpointChoice {
  const override = o.override?.trim();
  if (override) {
    return {
      endpoint: parseOrThrow(
        override,
        "The endpoint override (MPS_FPDB_ENDPOINT or pulumi-mps-fpdb:endpoint)",
      ),
      source: o.overrideSource ?? "the endpoint override",
    };
  }
  if (o.endpoint !== undefined && o.endpoint.trim() !== "")
    return { endpoint: parseOrThrow(o.endpoint, "The `endpoint` input"), source: "the `endpoint` input" };
  if (!REGION_ID.test(o.region)) {
    throw new ConfigError(
      `The region "${o.region}" is not a region id such as "cn-shanghai". Set the \`region\` input or ` +
        "`alicloud:region` to a valid region id, or set `endpoint`.",
    );
  }
  const host = defaultEndpointHost(o.region, o.endpointType);
  return {
    endpoint: { url: `https://${host}`, host, protocol: "https", loopback: false },
    source: `the default for region ${o.region}${o.endpointType === "vpc" ? " (endpointType vpc)" : ""}`,
  };
}

function parseOrThrow(text: string, what: string): ResolvedEndpoint {
  const parsed = parseEndpoint(text);
  if (parsed.ok) return parsed.endpoint;
  throw new ConfigError(`${what} "${text}" ${parsed.problem}. Set it to a host, host:port or https:// URL.`);
}

/**
 * `getProxyForUrl` of proxy-from-env (its CommonJS build): the standard `HTTPS_PROXY` / `https_proxy` /
 * `ALL_PROXY` / `NO_PROXY` rules, read from `process.env` on every call. It ships no type declarations, hence the
 * typed `require`.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { getProxyForUrl } = require("proxy-from-env") as { getProxyForUrl(url: string): string };

/**
 * The proxy an HTTPS request to `hostname:port` goes through, or undefined when it goes direct. This is the one
 * rule both {@link resolveProxy} (what the provider logs) and the request hook in `client/proxy.ts` (what it does)
 * apply, so the two can never disagree:
 * - loopback hosts (127.0.0.0/8, `localhost`, `::1`) never use a proxy, whatever the environment says;
 * - otherwise proxy-from-env decides from the environment as it is now: `https_proxy`, then `HTTPS_PROXY`, then
 *   `all_proxy` / `ALL_PROXY` (the lower-case spelling wins when both are set, as in curl for these variables),
 *   unless `no_proxy` / `NO_PROXY` matches the host (exact name, `.suffix` or `*.suffix`, optional `:port`; `*`
 *   matches everything). A value without a scheme gets the request's scheme, so `HTTPS_PROXY=proxy:3128` means
 *   `https://proxy:3128`: write `http://` for a plain proxy.
 */
export function proxyForHttpsHost(hostname: string, port: number): string | undefined {
  const bare = hostname.replace(/^\[(.*)\]$/, "$1");
  if (isLoopbackHost(bare)) return undefined;
  const urlHost = bare.includes(":") ? `[${bare}]` : bare;
  return nonEmpty(getProxyForUrl(`https://${urlHost}:${port}/`));
}

/**
 * The proxy URL requests to the MPS endpoint will actually go through (as configured, credentials included: use
 * {@link proxyWithoutCredentials} before showing it), or undefined for a loopback endpoint, no proxy set, or a
 * `NO_PROXY` match. Reads `process.env` now, as the request hook does at request time.
 */
export function resolveProxy(endpoint: Pick<ResolvedEndpoint, "url" | "loopback">): string | undefined {
  if (endpoint.loopback) return undefined;
  const url = new URL(endpoint.url);
  return proxyForHttpsHost(url.hostname, Number(url.port) || 443);
}

/** What a proxy that is not a URL is called in messages (its text may hold a password, so it is never quoted). */
const INVALID_PROXY_TEXT = "(an invalid proxy URL)";

/**
 * Why `proxy` cannot be used as an HTTPS proxy (a sentence fragment after "the proxy <url>"), or undefined when it
 * can: it must parse as a URL with the scheme `http:` or `https:`.
 */
export function proxyUrlProblem(proxy: string): string | undefined {
  let url: URL;
  try {
    url = new URL(proxy);
  } catch {
    return "is not a valid URL";
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return `uses the scheme ${url.protocol}//; only http:// and https:// proxies are supported`;
  }
  return undefined;
}

/**
 * A proxy URL fit for a log line or an error: `scheme://host[:port]`, without `user:password@`, path or query.
 * A proxy URL can carry credentials, and they must never be shown.
 */
export function proxyWithoutCredentials(proxy: string): string {
  try {
    const url = new URL(proxy);
    return `${url.protocol}//${url.host}`;
  } catch {
    return INVALID_PROXY_TEXT;
  }
}

/**
 * The password of a proxy URL, as written and percent-decoded, for registering with the redacting logger; empty
 * when there is none.
 */
export function proxyPasswords(proxy: string): string[] {
  let password: string;
  try {
    password = new URL(proxy).password;
  } catch {
    return [];
  }
  if (password === "") return [];
  let decoded = password;
  try {
    decoded = decodeURIComponent(password);
  } catch {
    // A malformed %-escape: the raw text is all there is.
  }
  return decoded === password ? [password] : [password, decoded];
}
