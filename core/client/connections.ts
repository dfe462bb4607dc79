/**
 * Which connection an MPS request rides, and what can be known about it when the request fails.
 *
 * Keep-alive connections can go stale without either end knowing: a NAT gateway or firewall on the path that
 * forgets connections idle for longer than its own timeout (often seconds to minutes) answers the next packet
 * on one with a reset. A read that meets such a reset is simply sent again. A write cannot be: CreateFpShotDB has
 * no idempotency token and SubmitFpDBDeleteJob creates a job per call, and a reset after the request was written
 * could mean it was executed, so the provider must treat it as an unknown outcome. A write therefore never rides
 * a connection that has been idle: it gets a connection of its own, closed after its answer.
 *
 * A failed write is known not to have been sent only when its connection was never established (TCP connect, and
 * the TLS handshake for HTTPS, not completed): no request byte leaves before that. A reset on a connection that
 * was established, reused or fresh, before any byte of answer stays an unknown outcome, because the service may
 * have received the request before the reset.
 *
 * How, and why a process-wide hook rather than an agent per client: the pinned SDK leaves no other way (measured,
 * and kept measured by test/unit/client/sdk-agents.test.ts).
 * - openapi-client 0.4.15 `Client.callApi` -> `doRequest` builds the runtime it hands to tea from a fixed list
 *   (key, cert, ca, readTimeout, connectTimeout, httpProxy, httpsProxy, noProxy, socks5Proxy, socks5NetWork,
 *   maxIdleConns, retry, backoff, ignoreSSL, tlsMinVersion): a `keepAlive`, `agent` or `httpsAgent` set on
 *   `RuntimeOptions` is dropped there, and `Config` has no such field either.
 * - tea-typescript 1.8.0 `doAction(request, runtime)` passes httpx method, headers, body, timeouts, TLS material
 *   and `rejectUnauthorized`, and an `agent` only as `new Agent({ keepAlive: runtime.keepAlive })` when
 *   `runtime.keepAlive` is set, which after `doRequest` it never is.
 * - httpx 2.3.3 `request(url, opts)` uses `opts.agent` or else its own module-level keep-alive agent (not
 *   exported), and calls `http.request` / `https.request` with it.
 * What is left is worse: overriding `doRequest` in a subclass means keeping a copy of the SDK's signing loop, and
 * replacing tea's `doAction` export is as process-wide as this hook while missing the credentials chain, which calls
 * httpx directly. So every request of every client rides httpx's one pool, and the one place to choose a request's
 * connection is the `http` / `https` module. The transport runs each call inside an `AsyncLocalStorage` context saying
 * whether it is a write, and a hook on `http.request` / `https.request` acts only on requests made inside such a
 * context: it swaps the agent of a write for a one-off agent (or, for another agent such as the proxy tunnel agent,
 * closes that agent's idle connections first) and records whether the request's connection was ever established.
 * Requests made outside a transport call are passed through untouched.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import http from "node:http";
import https from "node:https";
import type { Socket } from "node:net";
import type { TLSSocket } from "node:tls";

/** What one transport call learns about the connections of its request(s). */
export interface ConnectionFacts {
  /** Whether the call is a write: its request must not reuse an idle connection. */
  readonly fresh: boolean;
  /** Requests made inside the call (one, or more when the credentials chain refreshes through the network). */
  requests: number;
  /** Whether any of them reached an established connection (TCP connected, TLS handshake done). */
  established: boolean;
}

/** Whether every request of a failed call failed before its connection was established: nothing was sent. */
export function neverEstablished(facts: ConnectionFacts): boolean {
  return facts.requests > 0 && !facts.established;
}

/**
 * Runs `call` (one openapi-client call) with its requests' connections chosen by `fresh` and observed into the
 * returned facts.
 */
export function withConnectionPolicy<T>(
  fresh: boolean,
  call: () => Promise<T>,
): { facts: ConnectionFacts; result: Promise<T> } {
  const state = hookState();
  installHook(state);
  const facts: ConnectionFacts = { fresh, requests: 0, established: false };
  return { facts, result: state.storage.run(facts, call) };
}

/**
 * Installs the hook (once per process). Call it before the proxy hook is installed (see ./proxy), so that this
 * hook is the inner one and sees the agent a request really uses: the proxy's tunnel agent included.
 */
export function installConnectionPolicy(): void {
  installHook(hookState());
}

type RequestFunction = (...args: unknown[]) => http.ClientRequest;

/**
 * Shared by every copy of this module in the process (two copies of the package, jest's per-file registries):
 * it lives on the `http` module object, which is one per process, so the hook is installed once and every copy
 * uses the same storage.
 */
interface HookState {
  installed: boolean;
  storage: AsyncLocalStorage<ConnectionFacts>;
}

const STATE = Symbol.for("pulumi-mps-fpdb.connection-policy");

function hookState(): HookState {
  const holder = http as unknown as { [STATE]?: HookState };
  holder[STATE] ??= { installed: false, storage: new AsyncLocalStorage() };
  return holder[STATE];
}

function installHook(state: HookState): void {
  if (state.installed) return;
  state.installed = true;
  for (const module of [http, https]) {
    const mutable = module as unknown as { request: RequestFunction };
    const original = mutable.request;
    mutable.request = function connectionPolicy(this: unknown, ...args: unknown[]): http.ClientRequest {
      const facts = state.storage.getStore();
      if (!facts) return original.apply(this, args);
      const rewritten = facts.fresh ? withOwnConnection(args) : args;
      const request = original.apply(this, rewritten);
      observe(request, facts, agentOf(rewritten));
      return request;
    };
  }
}

type Options = Record<string, unknown>;

function isOptions(value: unknown): value is Options {
  return typeof value === "object" && value !== null && !(value instanceof URL);
}

/**
 * The arguments with the request's agent replaced by a one-off agent (`agent: false`: Node makes a new agent for
 * this request alone and closes the connection after the answer). An agent of another kind (a proxy's tunnel
 * agent) is kept, as it decides how to reach the host, but its idle connections are closed first so that it
 * opens a new one.
 */
function withOwnConnection(args: unknown[]): unknown[] {
  const at = isOptions(args[0]) ? 0 : isOptions(args[1]) ? 1 : -1;
  if (at < 0) return args;
  const options = args[at] as Options;
  const agent = options.agent;
  if (agent === undefined || agent === null || isPlainAgent(agent)) {
    const copy = [...args];
    copy[at] = { ...options, agent: false };
    return copy;
  }
  if (agent instanceof http.Agent) closeIdleConnections(agent);
  return args;
}

function isPlainAgent(agent: unknown): boolean {
  const ctor = (agent as { constructor?: unknown }).constructor;
  return ctor === http.Agent || ctor === https.Agent;
}

function closeIdleConnections(agent: http.Agent): void {
  const free = agent.freeSockets as Record<string, Socket[] | undefined>;
  for (const name of Object.keys(free)) {
    const sockets = free[name] ?? [];
    // Taken out of the pool before they close, so the request about to be made cannot pick one of them.
    delete free[name];
    for (const socket of sockets) socket.destroy();
  }
}

function agentOf(args: unknown[]): http.Agent | undefined {
  const options = args.find(isOptions);
  const agent = options?.agent;
  return agent instanceof http.Agent ? agent : undefined;
}

/**
 * Records in `facts` whether the request's connection gets established (a reused one already is). A reused
 * connection that fails means something on the path forgets idle connections: the agent's other idle ones are
 * as old, so they are closed too, and the retry of a read opens a new connection instead of meeting the next
 * stale one.
 */
function observe(request: http.ClientRequest, facts: ConnectionFacts, agent: http.Agent | undefined): void {
  facts.requests++;
  request.once("error", () => {
    if (request.reusedSocket && agent) closeIdleConnections(agent);
  });
  request.once("socket", (socket: Socket) => {
    const established = () => {
      facts.established = true;
    };
    const tls = socket as Partial<TLSSocket>;
    if (typeof tls.getFinished === "function") {
      // Our Finished message ends the handshake; no request byte goes out before it.
      if (tls.getFinished.call(socket) !== undefined) established();
      else socket.once("secureConnect", established);
    } else if (!socket.connecting) {
      established();
    } else {
      socket.once("connect", established);
    }
  });
}
