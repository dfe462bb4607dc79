/**
 * A tiny HTTP CONNECT proxy on 127.0.0.1 for tests. It never connects to the host a client asks for: it either
 * refuses with a status, stays silent, or tunnels to a loopback port the test chose (a local TLS server), so
 * nothing a test sends through it can leave this machine.
 */
import dns from "node:dns";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { isIP, connect as netConnect, type AddressInfo, type Socket } from "node:net";

/** What the proxy does with a CONNECT. */
export type ProxyBehaviour =
  | { kind: "refuse"; status: number; reason: string }
  | { kind: "silent" }
  /** Tunnels to `127.0.0.1:<port()>`, whatever host was asked for. */
  | { kind: "tunnel"; port: () => number };

/** One CONNECT the proxy received. */
export interface ConnectSeen {
  /** The request target, `host:port`. */
  target: string;
  /** The `Proxy-Authorization` header, if any. */
  proxyAuthorization?: string;
}

/** A running proxy. */
export interface ConnectProxy {
  port: number;
  /** Every CONNECT received, in order. */
  readonly connects: ConnectSeen[];
  /** Requests that were not CONNECTs (a client that treated the proxy as a forward HTTP proxy), as `METHOD url`. */
  readonly plainRequests: string[];
  behaviour: ProxyBehaviour;
  /** `http://[user:password@]127.0.0.1:<port>`. */
  url(credentials?: { user: string; password: string }): string;
  /** Closes the server and every socket it accepted or opened. */
  close(): Promise<void>;
}

/** Starts a proxy on 127.0.0.1, port 0. */
export async function startConnectProxy(behaviour: ProxyBehaviour): Promise<ConnectProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  const server: Server = createServer((req, res) => {
    proxy.plainRequests.push(`${req.method} ${req.url}`);
    res.writeHead(405, { connection: "close" });
    res.end();
  });
  server.on("connection", track);
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    proxy.connects.push({
      target: req.url ?? "",
      proxyAuthorization: req.headers["proxy-authorization"],
    });
    const current = proxy.behaviour;
    switch (current.kind) {
      case "refuse":
        client.end(`HTTP/1.1 ${current.status} ${current.reason}\r\nContent-Length: 0\r\n\r\n`);
        return;
      case "silent":
        return;
      case "tunnel": {
        const upstream = netConnect(current.port(), "127.0.0.1");
        track(upstream);
        upstream.on("connect", () => {
          client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
          if (head.length > 0) upstream.write(head);
          upstream.pipe(client);
          client.pipe(upstream);
        });
        upstream.on("error", () => client.destroy());
        client.on("error", () => upstream.destroy());
        return;
      }
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  const proxy: ConnectProxy = {
    port,
    connects: [],
    plainRequests: [],
    behaviour,
    url: (credentials) =>
      credentials
        ? `http://${encodeURIComponent(credentials.user)}:${encodeURIComponent(credentials.password)}@127.0.0.1:${port}`
        : `http://127.0.0.1:${port}`,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}

/** The `Proxy-Authorization` value a client sends for these credentials. */
export function basicProxyAuthorization(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
}

/**
 * Saves the given `process.env` keys and returns a function that puts them back exactly (deleting those that
 * were unset). proxy-from-env reads `process.env` at request time, so tests that vary the proxy set it there.
 */
export function saveEnv(keys: readonly string[]): () => void {
  const saved = new Map(keys.map((key) => [key, process.env[key]]));
  return () => {
    for (const [key, value] of saved) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
  };
}

/** Every variable proxy-from-env reads for an https URL, both spellings. */
export const PROXY_ENV_KEYS: readonly string[] = [
  "HTTPS_PROXY",
  "https_proxy",
  "ALL_PROXY",
  "all_proxy",
  "NO_PROXY",
  "no_proxy",
];

/** A guard against DNS lookups of real hosts; see {@link refuseDnsLookups}. */
export interface DnsGuard {
  /** Every non-loopback name a lookup was asked for (each refused). */
  readonly refused: string[];
  /** Puts the real `dns.lookup` back. */
  restore(): void;
}

/**
 * Makes `dns.lookup` (which Node's `net` uses to connect by name) refuse every name but `localhost` and IP
 * literals, and record it. Tests that send requests to aliyuncs.com host names through a loopback proxy install
 * it, so a request that went direct by mistake fails here, without a real DNS query, and the test can say so.
 */
export function refuseDnsLookups(): DnsGuard {
  const real = dns.lookup;
  const refused: string[] = [];
  const guarded = (hostname: string, ...rest: unknown[]) => {
    if (hostname === "localhost" || isIP(hostname) !== 0) {
      return (real as (...args: unknown[]) => void)(hostname, ...rest);
    }
    refused.push(hostname);
    const callback = rest.at(-1) as (error: Error) => void;
    const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname} (refused by the test)`), {
      code: "ENOTFOUND",
    });
    process.nextTick(() => callback(error));
  };
  (dns as { lookup: unknown }).lookup = guarded;
  return { refused, restore: () => ((dns as { lookup: unknown }).lookup = real) };
}
