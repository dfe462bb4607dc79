/**
 * A TLS front for tests: terminates HTTPS on 127.0.0.1 with a self-signed certificate made at test time for a
 * host name of our choosing (an Alibaba Cloud API host), and forwards the plain bytes to a loopback port (the
 * emulator). With the CONNECT proxy tunnelling to it, a client that trusts the certificate talks to
 * `https://mts.<region>.aliyuncs.com` without anything leaving this machine.
 */
import { connect as netConnect, type AddressInfo, type Socket } from "node:net";
import { createServer, type TLSSocket } from "node:tls";
import { generate } from "selfsigned";

/** A certificate and its key, PEM. */
export interface TestCertificate {
  cert: string;
  key: string;
}

/** A self-signed, test-only certificate for `hostname` (EC P-256, valid for one day from an hour ago). */
export async function selfSignedCertificate(hostname: string): Promise<TestCertificate> {
  const now = Date.now();
  const pems = await generate([{ name: "commonName", value: hostname }], {
    keyType: "ec",
    curve: "P-256",
    algorithm: "sha256",
    notBeforeDate: new Date(now - 3_600_000),
    notAfterDate: new Date(now + 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: true },
      { name: "keyUsage", digitalSignature: true, keyCertSign: true },
      { name: "extKeyUsage", serverAuth: true },
      { name: "subjectAltName", altNames: [{ type: 2, value: hostname }] },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** A running TLS front. */
export interface TlsFront {
  port: number;
  /** The SNI server names clients asked for, in order (recorded before the client judges the certificate). */
  readonly serverNames: string[];
  /** Closes the server and every connection it accepted or opened. */
  close(): Promise<void>;
}

/** Starts a TLS front on 127.0.0.1, port 0, forwarding each connection to `127.0.0.1:<forwardPort()>`. */
export async function startTlsFront(
  certificate: TestCertificate,
  forwardPort: () => number,
): Promise<TlsFront> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  };
  const serverNames: string[] = [];
  const options = {
    cert: certificate.cert,
    key: certificate.key,
    SNICallback: (servername: string, done: (error: Error | null) => void) => {
      serverNames.push(servername);
      done(null);
    },
  };
  const server = createServer(options, (tls: TLSSocket) => {
    const upstream = netConnect(forwardPort(), "127.0.0.1");
    track(upstream);
    tls.pipe(upstream);
    upstream.pipe(tls);
    upstream.on("error", () => tls.destroy());
    tls.on("error", () => upstream.destroy());
  });
  server.on("connection", track);
  // A client that refuses the certificate drops the handshake; that is its answer, not the server's failure.
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    serverNames,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
