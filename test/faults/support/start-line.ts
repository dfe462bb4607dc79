/**
 * A start line for concurrent pipelines: one pass-through HTTP gate per pipeline in front of one emulator. Each
 * gate holds its pipeline's requests until every pipeline has sent its first one, then forwards everything
 * unchanged (the emulator still verifies signatures and meters the limit). Without it, the seconds a process
 * takes to start would decide whether two bursts of requests meet at the emulator or miss each other.
 */
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import type { RunningEmulator } from "../../../emulator";

/** The gates of a start line. */
export interface StartLine {
  /** `http://127.0.0.1:PORT` of each pipeline's gate (loopback, so plain http is allowed). */
  endpoints: string[];
  close(): Promise<void>;
}

/** Starts one gate per pipeline in front of `upstream`. */
export async function startLine(upstream: RunningEmulator, pipelines: number): Promise<StartLine> {
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const arrived = new Set<number>();
  const agent = new http.Agent({ keepAlive: true });
  const servers = Array.from({ length: pipelines }, (_, lane) =>
    http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (chunk: Buffer) => chunks.push(chunk));
      req.on("end", () => {
        arrived.add(lane);
        if (arrived.size === pipelines) open();
        void opened.then(() => forward(upstream, agent, req, Buffer.concat(chunks), res));
      });
    }),
  );
  await Promise.all(
    servers.map((server) => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))),
  );
  return {
    endpoints: servers.map((server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    async close() {
      agent.destroy();
      await Promise.all(
        servers.map(
          (server) =>
            new Promise<void>((resolve) => {
              server.closeAllConnections();
              server.close(() => resolve());
            }),
        ),
      );
    },
  };
}

/**
 * Sends the request on to the emulator as it came (the signed `host` header included, so the signature still
 * matches) and relays the answer; a connection the emulator drops is dropped here too.
 */
function forward(
  upstream: RunningEmulator,
  agent: http.Agent,
  req: http.IncomingMessage,
  body: Buffer,
  res: http.ServerResponse,
): void {
  const headers = { ...req.headers, "content-length": String(body.length) };
  delete headers["transfer-encoding"];
  const out = http.request(
    { host: "127.0.0.1", port: upstream.port, method: req.method, path: req.url, headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  out.on("error", () => res.socket?.destroy());
  out.end(body);
}
