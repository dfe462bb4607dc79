/**
 * The evidence for the process-wide hooks in core/client/connections.ts and core/client/proxy.ts: the pinned SDK
 * gives a caller no way to choose the agent (the connection pool, or a proxy tunnel) of its requests, per request
 * or per client. Should an SDK upgrade start honouring one, these tests fail, and the hooks can give way to
 * per-client agents.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import OpenApiClient, { Config, OpenApiRequest, Params } from "@alicloud/openapi-client";
import { RuntimeOptions } from "@alicloud/tea-util";
import * as tea from "@alicloud/tea-typescript";
import { MPS_RPC_PARAMS } from "../../../core/client/mps-rpc";

let server: http.Server;
let port: number;
const connections = new Set<Socket>();

beforeAll(async () => {
  server = http.createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ RequestId: "R" }));
    });
  });
  server.on("connection", (socket: Socket) => connections.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => connections.clear());

function client(): OpenApiClient {
  return new OpenApiClient(
    new Config({
      endpoint: `127.0.0.1:${port}`,
      protocol: "http",
      credential: {
        getCredential: async () => ({ accessKeyId: "id", accessKeySecret: "secret", type: "access_key" }),
      } as unknown as Config["credential"],
    }),
  );
}

it("GIVEN openapi-client's callApi WHEN the runtime asks for no keep-alive and carries agents THEN requests of two clients share one pooled connection", async () => {
  // An agent that would open a connection per request, offered under every name a caller might try.
  const own = new http.Agent({ keepAlive: false });
  const runtime = Object.assign(new RuntimeOptions({ autoretry: false, maxAttempts: 1, keepAlive: false }), {
    agent: own,
    httpAgent: own,
    httpsAgent: own,
  });
  const params = new Params({ action: "ListFpShotDB", ...MPS_RPC_PARAMS });
  const first = client();
  const second = client();
  for (const sdk of [first, first, second]) {
    await sdk.callApi(params, new OpenApiRequest({ query: {} }), runtime);
  }
  // Honoured, either setting would have given each of the three requests a connection of its own.
  expect(connections.size).toBe(1);
});

it("GIVEN tea's doAction itself WHEN the runtime asks for no keep-alive THEN each request gets its own connection, so openapi-client is what drops the setting", async () => {
  for (let i = 0; i < 2; i++) {
    const request = new tea.Request();
    request.protocol = "http";
    request.method = "GET";
    request.pathname = "/";
    request.headers = { host: `127.0.0.1:${port}` };
    const response = await tea.doAction(request, { keepAlive: false });
    await response.readBytes();
  }
  expect(connections.size).toBe(2);
});
