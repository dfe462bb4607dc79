import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { neverEstablished, withConnectionPolicy } from "../../../core/client/connections";

/** A keep-alive agent of another kind than Node's own (like the proxy's tunnel agent). */
class OwnAgent extends http.Agent {}

let server: http.Server;
let port: number;
const connections = new Set<Socket>();

beforeAll(async () => {
  server = http.createServer((_req, res) => res.end("ok"));
  server.on("connection", (socket: Socket) => connections.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => connections.clear());

function get(agent: http.Agent): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, path: "/", agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(req.reusedSocket));
    });
    req.on("error", reject);
    req.end();
  });
}

it("lets reads reuse idle connections and gives each write a connection of its own", async () => {
  const agent = new http.Agent({ keepAlive: true });
  try {
    await withConnectionPolicy(false, () => get(agent)).result;
    expect(await withConnectionPolicy(false, () => get(agent)).result).toBe(true);
    expect(connections.size).toBe(1);
    const write = withConnectionPolicy(true, () => get(agent));
    expect(await write.result).toBe(false);
    expect(write.facts).toMatchObject({ requests: 1, established: true });
    expect(neverEstablished(write.facts)).toBe(false);
    expect(connections.size).toBe(2);
  } finally {
    agent.destroy();
  }
});

it("closes the idle connections of another kind of agent before a write, so it opens a new one", async () => {
  const agent = new OwnAgent({ keepAlive: true });
  try {
    await withConnectionPolicy(false, () => get(agent)).result;
    expect(connections.size).toBe(1);
    expect(await withConnectionPolicy(true, () => get(agent)).result).toBe(false);
    expect(connections.size).toBe(2);
  } finally {
    agent.destroy();
  }
});

it("leaves requests outside a transport call alone", async () => {
  const agent = new http.Agent({ keepAlive: true });
  try {
    await get(agent);
    expect(await get(agent)).toBe(true);
    expect(connections.size).toBe(1);
  } finally {
    agent.destroy();
  }
});
