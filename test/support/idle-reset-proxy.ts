/**
 * A network device that forgets idle connections (issue 9 item 8): a TCP relay on 127.0.0.1 in front of the
 * emulator that, once a connection has carried nothing in either direction for more than `idleMs`, silently
 * drops it from its table. Neither side is told. The next packet the client sends on that connection is answered
 * with a TCP reset and never reaches the emulator, as a NAT gateway or stateful firewall does after its idle
 * timeout. Bytes are relayed unchanged, so signatures still verify.
 */
import * as net from "node:net";

/** What the device saw. */
export interface IdleResetStats {
  /** Client connections accepted. */
  connections: number;
  /** Connections reset because the client wrote on them after the idle bound. */
  resets: number;
  /** Answers (first upstream bytes after a client write) relayed to a client that was waiting for them. */
  answered: number;
  /** Connections the client closed or reset while its last request had no answer yet. */
  abandoned: number;
}

/** A running device. */
export interface IdleResetProxy {
  /** `http://127.0.0.1:PORT`: point the provider's endpoint here. */
  endpoint: string;
  port: number;
  stats(): IdleResetStats;
  close(): Promise<void>;
}

/** Options of {@link startIdleResetProxy}. */
export interface IdleResetOptions {
  /** Port of the emulator on 127.0.0.1. */
  upstreamPort: number;
  /** A connection idle for longer than this, in milliseconds, is forgotten. */
  idleMs: number;
}

/** Starts the device on a free loopback port. */
export async function startIdleResetProxy(o: IdleResetOptions): Promise<IdleResetProxy> {
  const stats: IdleResetStats = { connections: 0, resets: 0, answered: 0, abandoned: 0 };
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    stats.connections++;
    const upstream = net.connect({ host: "127.0.0.1", port: o.upstreamPort });
    sockets.add(client);
    sockets.add(upstream);
    // The device learns a connection from its first data packet; before that there is nothing to forget (on a busy
    // machine the gap between connecting and writing the first request can exceed a bound of a few ms).
    let lastActivity = Number.POSITIVE_INFINITY;
    let awaiting = false;
    let forgotten = false;

    client.on("data", (chunk: Buffer) => {
      if (forgotten) return;
      if (Date.now() - lastActivity > o.idleMs) {
        // The device no longer knows this connection: the packet is answered with a reset, the server never
        // sees it, and its side is left to time out on its own (closed here so the test leaves nothing open).
        forgotten = true;
        stats.resets++;
        client.resetAndDestroy();
        upstream.destroy();
        return;
      }
      lastActivity = Date.now();
      awaiting = true;
      upstream.write(chunk);
    });
    upstream.on("data", (chunk: Buffer) => {
      if (forgotten) return;
      lastActivity = Date.now();
      if (awaiting) stats.answered++;
      awaiting = false;
      client.write(chunk);
    });
    const clientGone = () => {
      if (awaiting && !forgotten) stats.abandoned++;
      awaiting = false;
      upstream.destroy();
    };
    client.on("end", () => upstream.end());
    client.on("close", clientGone);
    client.on("error", () => undefined);
    upstream.on("end", () => client.end());
    upstream.on("close", () => client.destroy());
    upstream.on("error", () => undefined);
    client.on("close", () => sockets.delete(client));
    upstream.on("close", () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({ ...stats }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
