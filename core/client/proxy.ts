/**
 * Sending Alibaba Cloud API requests through the HTTPS proxy the environment names
 * (docs/design.md, 'Credentials and configuration': `HTTPS_PROXY` / `NO_PROXY` are honoured, loopback
 * always bypasses the proxy).
 *
 * Why a hook on `https.request` rather than a proxy agent per client: openapi-client 0.4.15 accepts
 * `httpsProxy`/`noProxy` settings and `doRequest` copies them into the runtime it hands to tea, but tea-typescript
 * 1.8.0 `doAction` never reads them, and no agent can be given instead: `doRequest` drops any `agent` or
 * `keepAlive` of the runtime, and httpx 2.3.3 `request()` then calls `https.request(options)` with its own
 * module-level keep-alive agent (the measurement is in ./connections and test/unit/client/sdk-agents.test.ts).
 * The STS exchanges of the credentials chain go through httpx too (@alicloud/credentials 2.4.7
 * `providers/http.js` `doRequest` passes httpx only method, body, headers and timeouts), so even an SDK that took
 * an agent per client would leave them to this hook. So the one place a proxy can be applied is the `https`
 * module itself. The hook is kept narrow: it only looks at requests to Alibaba Cloud API hosts (the MPS endpoint
 * a transport registered, and `*.aliyuncs.com`), and only swaps their `agent` for a CONNECT-tunnelling one when
 * the environment names a proxy for them. Every other request is passed through untouched.
 *
 * The CONNECT tunnel is https-proxy-agent's and the environment rules are proxy-from-env's (through
 * `proxyForHttpsHost`): both are widely used and made for exactly this job.
 */
import https from "node:https";
import type { ClientRequest } from "node:http";
import type { Socket } from "node:net";
import { HttpsProxyAgent } from "https-proxy-agent";
import { proxyForHttpsHost, proxyUrlProblem, proxyWithoutCredentials } from "../config/endpoint";
import { PROXY_CONNECT_FAILED_CODE } from "../resilience/classify";

/** Hosts under this domain are Alibaba Cloud API hosts (MPS in every region, STS): requests to them may be proxied. */
const ALIBABA_CLOUD_API_DOMAIN = ".aliyuncs.com";

/**
 * The tunnel to an API host could not be opened: the proxy refused the CONNECT, could not be reached, did not
 * answer in time, or is not a usable URL. Nothing was sent to the API host, so even a write may be sent again.
 * `proxy` never carries credentials.
 */
export class ProxyConnectError extends Error {
  readonly code = PROXY_CONNECT_FAILED_CODE;

  constructor(
    /** `scheme://host[:port]` of the proxy, without `user:password@`. */
    readonly proxy: string,
    /** `host:port` the tunnel was asked for. */
    readonly target: string,
    /** What went wrong, as a sentence fragment after "the proxy <url>". */
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`The proxy ${proxy} ${reason}`, options);
    this.name = "ProxyConnectError";
  }
}

/** Where an HTTPS request is going. */
export interface RequestTarget {
  hostname: string;
  port: number;
}

/**
 * The routing decision: the proxy a request to `target` must go through, or undefined to leave the request
 * alone. Only Alibaba Cloud API hosts (a host registered with {@link routeThroughProxy}, or any host ending in
 * `.aliyuncs.com`) are considered; loopback hosts, a `NO_PROXY` match and an environment without a proxy give
 * undefined. The environment is read on every call, as a proxy set or unset later must take effect.
 */
export function proxyForRequest(target: RequestTarget): string | undefined {
  if (!isApiHost(target.hostname)) return undefined;
  return proxyForHttpsHost(target.hostname, target.port);
}

/**
 * Registers `hostname` (the MPS endpoint of a transport) as an API host and installs the hook on `https.request`
 * and `https.get`, once per process however often it is called. Call it only for non-loopback endpoints: loopback
 * hosts never use a proxy, so a process that only talks to the emulator never has the hook.
 */
export function routeThroughProxy(hostname: string): void {
  const state = hookState();
  state.hosts.add(normaliseHost(hostname));
  // The copy of this module that registered last decides (see HookState); with one copy, that is always it.
  state.rewrite = withProxyAgent;
  if (state.installed) return;
  state.installed = true;
  const mutable = https as unknown as { request: RequestFunction; get: RequestFunction };
  mutable.request = hooked(mutable.request, state);
  mutable.get = hooked(mutable.get, state);
}

/** Whether the hook is installed in this process (for tests and diagnostics). */
export function isProxyHookInstalled(): boolean {
  return hookState().installed;
}

type RequestFunction = (...args: unknown[]) => ClientRequest;

/**
 * What the hook shares across copies of this module. It lives on the `https` module object under a global
 * symbol, not in module variables: this module can be loaded more than once in one process (two copies of the
 * package; jest's per-file module registries, each with its own `process.env` object) while `https` is one
 * object, so the hook must be installed once, see every registered host, and apply the rules of the copy that
 * registered last, which reads the environment the current caller sets.
 */
interface HookState {
  installed: boolean;
  /** Registered MPS endpoint host names, lower case, no brackets or trailing dot. */
  hosts: Set<string>;
  /** The argument rewrite of the copy of this module that registered last. */
  rewrite: (args: unknown[]) => unknown[];
}

const STATE = Symbol.for("pulumi-mps-fpdb.proxy-hook");

/** One keep-alive tunnelling agent per proxy URL, so tunnels are reused across requests. */
const agents = new Map<string, TunnelAgent>();

function hookState(): HookState {
  const holder = https as unknown as { [STATE]?: HookState };
  holder[STATE] ??= { installed: false, hosts: new Set(), rewrite: withProxyAgent };
  return holder[STATE];
}

function normaliseHost(hostname: string): string {
  return hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, "$1")
    .replace(/\.$/, "");
}

function isApiHost(hostname: string): boolean {
  const host = normaliseHost(hostname);
  return host.endsWith(ALIBABA_CLOUD_API_DOMAIN) || hookState().hosts.has(host);
}

function hooked(original: RequestFunction, state: HookState): RequestFunction {
  return function proxied(this: unknown, ...args: unknown[]): ClientRequest {
    return original.apply(this, state.rewrite(args));
  };
}

type Options = Record<string, unknown>;

/**
 * The arguments with the agent replaced when the request must go through a proxy, else the same arguments.
 * Handles `(options[, cb])` and `(url, options[, cb])`; `(url[, cb])` and anything else pass through untouched.
 */
function withProxyAgent(args: unknown[]): unknown[] {
  const [first, second] = args;
  if (isUrlInput(first)) {
    if (!isOptions(second)) return args;
    const url = parseUrl(first);
    if (!url) return args;
    const agent = agentFor(targetOf(second, url));
    return agent ? [first, { ...second, agent }, ...args.slice(2)] : args;
  }
  if (isOptions(first)) {
    const agent = agentFor(targetOf(first));
    return agent ? [{ ...first, agent }, ...args.slice(1)] : args;
  }
  return args;
}

function isUrlInput(value: unknown): value is string | URL {
  return typeof value === "string" || value instanceof URL;
}

/** A request options object (and not a URL, a callback or nothing). */
function isOptions(value: unknown): value is Options {
  return typeof value === "object" && value !== null && !(value instanceof URL);
}

function parseUrl(input: string | URL): URL | undefined {
  if (input instanceof URL) return input;
  try {
    return new URL(input);
  } catch {
    return undefined;
  }
}

/**
 * Where the request goes, as Node decides it: `hostname` over `host` (default `localhost`), options over the
 * URL. Requests over a Unix socket or a caller's own connection have no TCP target and are never routed.
 */
function targetOf(options: Options, url?: URL): RequestTarget | undefined {
  if (options.socketPath !== undefined || options.createConnection !== undefined) return undefined;
  const host = options.hostname ?? options.host ?? url?.hostname ?? "localhost";
  if (typeof host !== "string" || host === "") return undefined;
  const port = Number(options.port ?? url?.port) || 443;
  return { hostname: host, port };
}

function agentFor(target: RequestTarget | undefined): TunnelAgent | undefined {
  if (!target) return undefined;
  const proxy = proxyForRequest(target);
  if (!proxy) return undefined;
  let agent = agents.get(proxy);
  if (!agent) {
    agent = createAgent(proxy, `${target.hostname}:${target.port}`);
    agents.set(proxy, agent);
  }
  return agent;
}

function createAgent(proxy: string, target: string): TunnelAgent {
  // Thrown from inside https.request, this rejects httpx's promise, so the call fails with the reason. The
  // provider refuses such a proxy before any call (see ProviderContext); this covers one set later.
  const problem = proxyUrlProblem(proxy);
  if (problem !== undefined) throw new ProxyConnectError(proxyWithoutCredentials(proxy), target, problem);
  return new TunnelAgent(new URL(proxy), proxyWithoutCredentials(proxy));
}

type ConnectOptions = Parameters<HttpsProxyAgent<string>["connect"]>[1];

/**
 * https-proxy-agent with the failures of the CONNECT phase turned into a {@link ProxyConnectError}. Without it, a
 * refusal (407, 403, 502...) would be replayed as if the API host had answered, an unreachable proxy would read
 * as an unreachable MPS endpoint, and a proxy that never answers would hang the call: Node's request timeout only
 * starts once the agent hands over a socket.
 */
class TunnelAgent extends HttpsProxyAgent<string> {
  constructor(
    proxy: URL,
    private readonly shownAs: string,
  ) {
    super(proxy, { keepAlive: true });
  }

  override async connect(req: ClientRequest, opts: ConnectOptions): Promise<Socket> {
    const target = `${opts.host}:${opts.port}`;
    let answer: { statusCode: number; statusText: string } | undefined;
    const onAnswer = (connect: { statusCode: number; statusText: string }) => (answer = connect);
    req.once("proxyConnect", onAnswer);
    const abort = new AbortController();
    const attempt = this.connectWithSignal(req, opts, abort.signal);
    // httpx's connect timeout (the request's `timeout`) bounds the CONNECT too.
    const timeoutMs = typeof opts.timeout === "number" && opts.timeout > 0 ? opts.timeout : undefined;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_resolve, reject) => {
      if (timeoutMs === undefined) return;
      timer = setTimeout(() => {
        abort.abort();
        // Should the abort not reach the socket (a TLS proxy), a tunnel that opens late is closed at once.
        attempt.then(
          (late) => late.destroy(),
          () => undefined,
        );
        reject(
          new ProxyConnectError(
            this.shownAs,
            target,
            `did not answer the CONNECT to ${target} within ${timeoutMs} ms`,
          ),
        );
      }, timeoutMs);
    });
    let socket: Socket;
    try {
      socket = await Promise.race([attempt, deadline]);
    } catch (error) {
      if (error instanceof ProxyConnectError) throw error;
      const why = (error as { message?: unknown } | null)?.message;
      throw new ProxyConnectError(
        this.shownAs,
        target,
        `could not open a tunnel to ${target} (${String(why)})`,
        {
          cause: error,
        },
      );
    } finally {
      clearTimeout(timer);
      req.removeListener("proxyConnect", onAnswer);
    }
    if (answer && answer.statusCode !== 200) {
      // https-proxy-agent returns a stand-in socket that would replay the proxy's answer as if the API host had
      // sent it; the real request was never written to the proxy.
      socket.destroy();
      const status = `${answer.statusCode} ${answer.statusText}`.trim();
      throw new ProxyConnectError(
        this.shownAs,
        target,
        `refused the tunnel to ${target} with HTTP ${status}`,
      );
    }
    return socket;
  }

  /**
   * `super.connect` with `signal` on the socket to the proxy, so a timed-out CONNECT closes it rather than
   * leaving it open. https-proxy-agent opens that socket from `this.connectOpts` synchronously, before its first
   * `await`, so the per-call options are in place exactly while it does.
   */
  private connectWithSignal(req: ClientRequest, opts: ConnectOptions, signal: AbortSignal): Promise<Socket> {
    const shared = this.connectOpts;
    this.connectOpts = { ...shared, signal };
    try {
      return super.connect(req, opts);
    } finally {
      this.connectOpts = shared;
    }
  }
}
