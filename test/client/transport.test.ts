import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import * as net from "node:net";
import type { AddressInfo } from "node:net";
import Credential, { Config } from "@alicloud/credentials";
import { createTransport, type CredentialLike, type TransportOptions } from "../../core/client/transport";
import { MpsApiError } from "../../core/errors";
import { startEmulator, type RunningEmulator } from "../../emulator";
import {
  PROXY_ENV_KEYS,
  basicProxyAuthorization,
  refuseDnsLookups,
  saveEnv,
  startConnectProxy,
  type ConnectProxy,
  type DnsGuard,
} from "../support/connect-proxy";
import { startIdleResetProxy, type IdleResetProxy } from "../support/idle-reset-proxy";
import { accessKeyCredential } from "../support/mps";
import { selfSignedCertificate, startTlsFront } from "../support/tls-front";

const SECRET = "transport-test-secret-VALUE";

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

/** A loopback HTTP server whose answer the test sets per request. */
class RawServer {
  readonly received: Received[] = [];
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) =>
    json(res, 200, { RequestId: "R0" });
  private server?: Server;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        this.received.push({ method: req.method ?? "", url: req.url ?? "", headers: req.headers, body });
        this.handler(req, res);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function staticCredential(accessKeyId = "AKID-1"): Credential {
  return accessKeyCredential(accessKeyId, SECRET);
}

const server = new RawServer();

beforeAll(() => server.start());
afterAll(() => server.stop());
beforeEach(() => {
  server.received.length = 0;
  server.handler = (_req, res) => json(res, 200, { RequestId: "R0" });
});

function transport(overrides: Partial<TransportOptions> = {}) {
  return createTransport({
    endpoint: `http://127.0.0.1:${server.port}`,
    credential: staticCredential(),
    connectTimeoutMs: 2000,
    readTimeoutMs: 2000,
    ...overrides,
  });
}

async function failure(promise: Promise<unknown>): Promise<MpsApiError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(MpsApiError);
  expect((error as Error).message).not.toContain(SECRET);
  return error as MpsApiError;
}

describe("transport requests", () => {
  it("sends a V3-signed RPC POST to / with the parameters in the query and no body", async () => {
    server.handler = (_req, res) => json(res, 200, { RequestId: "R1", JobId: "job-1" });
    const body = await transport({ userAgent: "pulumi-mps-fpdb/test" }).call("SubmitFpDBDeleteJob", {
      FpDBId: "lib-1",
      DelType: "Delete",
      UserData: "a b&c=d",
    });
    expect(body).toEqual({ RequestId: "R1", JobId: "job-1" });
    const [request] = server.received;
    expect(request.method).toBe("POST");
    expect(request.url).toBe("/?FpDBId=lib-1&DelType=Delete&UserData=a%20b%26c%3Dd");
    expect(request.body).toBe("");
    expect(request.headers["x-acs-action"]).toBe("SubmitFpDBDeleteJob");
    expect(request.headers["x-acs-version"]).toBe("2014-06-18");
    expect(request.headers["host"]).toBe(`127.0.0.1:${server.port}`);
    expect(request.headers["user-agent"]).toContain("pulumi-mps-fpdb/test");
    expect(request.headers["authorization"]).toMatch(
      /^ACS3-HMAC-SHA256 Credential=AKID-1,SignedHeaders=host;x-acs-action;[a-z0-9;-]+,Signature=[0-9a-f]{64}$/,
    );
  });

  it("asks the credential for keys on every request, so refreshed keys are used", async () => {
    let n = 0;
    const rotating: CredentialLike = {
      getCredential: async () => staticCredential(`AKID-${++n}`).getCredential(),
    };
    const wire = transport({ credential: rotating });
    await wire.call("ListFpShotDB", { FpDBIds: "a" });
    await wire.call("ListFpShotDB", { FpDBIds: "a" });
    const ids = server.received.map(
      (r) => /Credential=([^,]+)/.exec(String(r.headers["authorization"]))?.[1],
    );
    expect(ids).toEqual(["AKID-2", "AKID-4"]);
  });

  it("exposes the endpoint's host[:port] as the rate-limit key", () => {
    expect(transport().endpointHost).toBe(`127.0.0.1:${server.port}`);
  });
});

describe("transport failures", () => {
  it("maps a throttling answer to MpsApiError with action, Code, status and RequestId, sent once", async () => {
    server.handler = (_req, res) =>
      json(res, 400, {
        RequestId: "R-T",
        HostId: "mts.cn-hangzhou.aliyuncs.com",
        Code: "Throttling.User",
        Message: "Request was denied due to user flow control.",
      });
    const error = await failure(transport().call("ListFpShotDB", { FpDBIds: "a" }));
    expect(error.message).toBe(
      "MPS ListFpShotDB failed: Throttling.User (HTTP 400): Request was denied due to user flow control. " +
        "RequestId: R-T. MPS throttled the request: lower requestsPerSecond or run fewer operations at once, " +
        "then retry.",
    );
    expect(error).toMatchObject({
      action: "ListFpShotDB",
      code: "Throttling.User",
      kind: "throttling",
      statusCode: 400,
      requestId: "R-T",
    });
    expect(server.received).toHaveLength(1);
  });

  it("reports a 500 as transient for a read and ambiguous for a write", async () => {
    server.handler = (_req, res) =>
      json(res, 500, {
        RequestId: "R-5",
        Code: "InternalError",
        Message: "The operation has failed due to some unknown error, exception or failure.",
      });
    const read = await failure(transport().call("QueryFpDBDeleteJobList", {}));
    expect(read).toMatchObject({ code: "InternalError", kind: "transient", statusCode: 500 });
    const write = await failure(transport().call("SubmitFpDBDeleteJob", { FpDBId: "l", DelType: "Delete" }));
    expect(write.message).toBe(
      "MPS SubmitFpDBDeleteJob failed: InternalError (HTTP 500): The operation has failed due to some unknown " +
        "error, exception or failure. RequestId: R-5. The request may have been executed: check the service " +
        "state before sending it again.",
    );
    expect(write).toMatchObject({
      code: "InternalError",
      kind: "ambiguous",
      statusCode: 500,
      requestId: "R-5",
    });
  });

  it("reports a fatal parameter error with what to do next", async () => {
    server.handler = (_req, res) =>
      json(res, 403, {
        RequestId: "R-Q",
        Code: "QuotaExceeded.FpShotDB",
        Message: "quota of 5 libraries reached",
      });
    const error = await failure(transport().call("CreateFpShotDB", { Name: "n" }));
    expect(error.message).toBe(
      "MPS CreateFpShotDB failed: QuotaExceeded.FpShotDB (HTTP 403): quota of 5 libraries reached. RequestId: " +
        "R-Q. Fix the request or the configuration; retrying the same request will not help.",
    );
    expect(error).toMatchObject({
      kind: "fatal",
    });
  });

  it("never quotes an echoed string-to-sign from a signature error", async () => {
    server.handler = (_req, res) =>
      json(res, 400, {
        RequestId: "R-S",
        Code: "SignatureDoesNotMatch",
        Message:
          "Specified signature is not matched with our calculation. server string to sign is:POST&%2F&AccessKeyId%3DX",
      });
    const error = await failure(transport().call("ListFpShotDB", { FpDBIds: "a" }));
    expect(error.message).toBe(
      "MPS ListFpShotDB failed: SignatureDoesNotMatch (HTTP 400): Specified signature is not matched with our " +
        "calculation. server [string to sign omitted] RequestId: R-S. Check the AccessKey pair (and security " +
        "token) configured for this provider.",
    );
    expect(error.kind).toBe("fatal");
  });

  it("reports an error answer without Code or Message by its HTTP status", async () => {
    server.handler = (_req, res) => json(res, 503, { RequestId: "R-N" });
    const error = await failure(transport().call("ListFpShotDB", { FpDBIds: "a" }));
    expect(error.message).toBe(
      "MPS ListFpShotDB failed: UnknownFailure (HTTP 503): the answer has no Code or Message. RequestId: R-N. " +
        "This is usually temporary: retry later.",
    );
    expect(error).toMatchObject({
      code: "UnknownFailure",
      kind: "transient",
      statusCode: 503,
    });
  });

  it("reports a non-JSON error body (a gateway page) as InvalidResponse, ambiguous for a write", async () => {
    server.handler = (_req, res) => {
      res.writeHead(502, { "content-type": "text/html" });
      res.end("<html>Bad Gateway</html>");
    };
    const read = await failure(transport().call("ListFpShotDB", { FpDBIds: "a" }));
    expect(read).toMatchObject({ code: "InvalidResponse", kind: "transient" });
    expect(read.message).toMatch(
      /^MPS ListFpShotDB failed: InvalidResponse: the response body is not a JSON object \(/,
    );
    const write = await failure(transport().call("CreateFpShotDB", { Name: "n" }));
    expect(write).toMatchObject({ code: "InvalidResponse", kind: "ambiguous" });
  });

  it("reports a 2xx body that is not an object as InvalidResponse", async () => {
    server.handler = (_req, res) => json(res, 200, ["not", "an", "object"]);
    const error = await failure(transport().call("ListFpShotDB", { FpDBIds: "a" }));
    expect(error).toMatchObject({ code: "InvalidResponse", kind: "transient" });
  });

  it("reports a reset connection as ECONNRESET without the URL, ambiguous for a write", async () => {
    server.handler = (req) => req.socket.destroy();
    const write = await failure(transport().call("SubmitFpDBDeleteJob", { FpDBId: "l", DelType: "Delete" }));
    expect(write.message).toBe(
      `MPS SubmitFpDBDeleteJob failed: ECONNRESET: connection error talking to http://127.0.0.1:${server.port} ` +
        "(socket hang up). The request may have been executed: check the service state before sending it again.",
    );
    expect(write).toMatchObject({
      code: "ECONNRESET",
      kind: "ambiguous",
    });
    const read = await failure(transport().call("ListFpShotDB", { FpDBIds: "a" }));
    expect(read).toMatchObject({ code: "ECONNRESET", kind: "transient" });
  });

  it("times out after the configured read timeout, sending the request once", async () => {
    server.handler = () => undefined;
    const started = Date.now();
    const error = await failure(
      transport({ connectTimeoutMs: 1000, readTimeoutMs: 150 }).call("SubmitFpDBDeleteJob", {
        FpDBId: "l",
        DelType: "Delete",
      }),
    );
    expect(Date.now() - started).toBeLessThan(900);
    expect(error.message).toBe(
      `MPS SubmitFpDBDeleteJob failed: RequestTimeout: no complete answer from http://127.0.0.1:${server.port} ` +
        "within the read timeout (150 ms). The request may have been executed: check the service state before " +
        "sending it again.",
    );
    expect(error).toMatchObject({
      code: "RequestTimeout",
      kind: "ambiguous",
    });
    expect(server.received).toHaveLength(1);
  });

  it("reports a refused connection as transient even for a write (nothing was sent)", async () => {
    const closed = new RawServer();
    await closed.start();
    const port = closed.port;
    await closed.stop();
    const error = await failure(
      transport({ endpoint: `http://127.0.0.1:${port}` }).call("CreateFpShotDB", { Name: "n" }),
    );
    expect(error.message).toBe(
      `MPS CreateFpShotDB failed: ECONNREFUSED: connection error talking to http://127.0.0.1:${port} (connect ` +
        `ECONNREFUSED 127.0.0.1:${port}). Nothing accepts connections at http://127.0.0.1:${port}: check the endpoint.`,
    );
    expect(error).toMatchObject({
      code: "ECONNREFUSED",
      kind: "transient",
    });
  });

  it("reports a credentials failure as CredentialsUnavailable and sends nothing", async () => {
    const broken: CredentialLike = {
      getCredential: async () => {
        throw new Error("get sts token failed with: connect ETIMEDOUT");
      },
    };
    const error = await failure(
      transport({ credential: broken }).call("SubmitFpDBDeleteJob", { FpDBId: "l" }),
    );
    expect(error.message).toBe(
      "MPS SubmitFpDBDeleteJob failed: CredentialsUnavailable: could not obtain Alibaba Cloud credentials (get " +
        "sts token failed with: connect ETIMEDOUT); the request was not sent. Check the credentials " +
        "configuration: Pulumi config alicloud:accessKey/alicloud:secretKey, the ALIBABA_CLOUD_ACCESS_KEY_ID/" +
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET environment variables, or the @alicloud/credentials default chain " +
        "(profile, OIDC, ECS RAM role, URI).",
    );
    expect(error).toMatchObject({
      code: "CredentialsUnavailable",
      kind: "transient",
    });
    expect(server.received).toHaveLength(0);
  });
});

describe("transport through an HTTPS proxy", () => {
  // Nothing here may leave this machine: the CONNECT proxy never connects to the host asked for, and a request to
  // an aliyuncs.com host that went direct would need a DNS lookup, which the guard refuses and records.
  const MTS = "https://mts.cn-hangzhou.aliyuncs.com";
  const PROXY_USER = "svc-proxy";
  const PROXY_PASSWORD = "proxy-PASSWORD-1";
  let proxy: ConnectProxy;
  let dnsGuard: DnsGuard;
  let restoreEnv: () => void;

  beforeAll(async () => {
    dnsGuard = refuseDnsLookups();
    proxy = await startConnectProxy({ kind: "refuse", status: 407, reason: "Proxy Authentication Required" });
  });
  afterAll(async () => {
    dnsGuard.restore();
    await proxy.close();
    expect(dnsGuard.refused).toEqual([]);
  });
  beforeEach(() => {
    restoreEnv = saveEnv(PROXY_ENV_KEYS);
    for (const key of PROXY_ENV_KEYS) delete process.env[key];
    proxy.connects.length = 0;
    proxy.behaviour = { kind: "refuse", status: 407, reason: "Proxy Authentication Required" };
  });
  afterEach(() => restoreEnv());

  function viaProxy(overrides: Partial<TransportOptions> = {}) {
    process.env.HTTPS_PROXY = proxy.url({ user: PROXY_USER, password: PROXY_PASSWORD });
    return transport({ endpoint: MTS, ...overrides });
  }

  it("GIVEN a proxy that refuses the CONNECT THEN the call fails naming the proxy and the fix, sent nowhere else", async () => {
    const error = await failure(viaProxy().call("CreateFpShotDB", { Name: "n" }));
    expect(proxy.connects).toEqual([
      {
        target: "mts.cn-hangzhou.aliyuncs.com:443",
        proxyAuthorization: basicProxyAuthorization(PROXY_USER, PROXY_PASSWORD),
      },
    ]);
    expect(proxy.plainRequests).toEqual([]);
    expect(error.message).toBe(
      `MPS CreateFpShotDB failed: ProxyConnectFailed: the proxy http://127.0.0.1:${proxy.port} refused the tunnel ` +
        "to mts.cn-hangzhou.aliyuncs.com:443 with HTTP 407 Proxy Authentication Required; the request was not " +
        "sent. Check HTTPS_PROXY (or https_proxy, ALL_PROXY) and the proxy's credentials, or add " +
        "mts.cn-hangzhou.aliyuncs.com to NO_PROXY to go direct.",
    );
    // Nothing reached MPS, so even a write may be retried.
    expect(error).toMatchObject({ code: "ProxyConnectFailed", kind: "transient", statusCode: undefined });
    expect(error.message).not.toContain(PROXY_PASSWORD);
    expect(error.message).not.toContain(PROXY_USER);
  });

  it("GIVEN a proxy that cannot be reached THEN the call fails naming the proxy, transient even for a write", async () => {
    const closed = await startConnectProxy({ kind: "silent" });
    const port = closed.port;
    await closed.close();
    process.env.HTTPS_PROXY = `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:${port}`;
    const error = await failure(transport({ endpoint: MTS }).call("SubmitFpDBDeleteJob", { FpDBId: "l" }));
    expect(error.message).toBe(
      `MPS SubmitFpDBDeleteJob failed: ProxyConnectFailed: the proxy http://127.0.0.1:${port} could not open a ` +
        `tunnel to mts.cn-hangzhou.aliyuncs.com:443 (connect ECONNREFUSED 127.0.0.1:${port}); the request was ` +
        "not sent. Check HTTPS_PROXY (or https_proxy, ALL_PROXY) and the proxy's credentials, or add " +
        "mts.cn-hangzhou.aliyuncs.com to NO_PROXY to go direct.",
    );
    expect(error).toMatchObject({ code: "ProxyConnectFailed", kind: "transient" });
  });

  it("GIVEN a proxy that never answers the CONNECT THEN the call fails after the connect timeout, not hangs", async () => {
    proxy.behaviour = { kind: "silent" };
    const started = Date.now();
    const error = await failure(viaProxy({ connectTimeoutMs: 200 }).call("ListFpShotDB", { FpDBIds: "a" }));
    expect(Date.now() - started).toBeLessThan(1500);
    expect(proxy.connects.map((c) => c.target)).toEqual(["mts.cn-hangzhou.aliyuncs.com:443"]);
    expect(error.message).toBe(
      `MPS ListFpShotDB failed: ProxyConnectFailed: the proxy http://127.0.0.1:${proxy.port} did not answer the ` +
        "CONNECT to mts.cn-hangzhou.aliyuncs.com:443 within 200 ms; the request was not sent. Check HTTPS_PROXY " +
        "(or https_proxy, ALL_PROXY) and the proxy's credentials, or add mts.cn-hangzhou.aliyuncs.com to NO_PROXY " +
        "to go direct.",
    );
    expect(error.kind).toBe("transient");
  });

  it("GIVEN an open tunnel THEN TLS runs end to end with the MPS host's name, and an untrusted certificate fails the call", async () => {
    const certificate = await selfSignedCertificate("mts.cn-hangzhou.aliyuncs.com");
    const front = await startTlsFront(certificate, () => server.port);
    try {
      proxy.behaviour = { kind: "tunnel", port: () => front.port };
      const error = await failure(viaProxy().call("ListFpShotDB", { FpDBIds: "a" }));
      expect(front.serverNames).toEqual(["mts.cn-hangzhou.aliyuncs.com"]);
      expect(server.received).toEqual([]);
      expect(error.kind).toBe("fatal");
      expect(error.message).toBe(
        "MPS ListFpShotDB failed: DEPTH_ZERO_SELF_SIGNED_CERT: connection error talking to " +
          "https://mts.cn-hangzhou.aliyuncs.com (self-signed certificate). The TLS certificate of " +
          "https://mts.cn-hangzhou.aliyuncs.com is not trusted here. Behind a TLS-inspecting proxy, give Node the " +
          "proxy's CA certificate with NODE_EXTRA_CA_CERTS=<file.pem>; otherwise check the endpoint.",
      );
    } finally {
      await front.close();
    }
  });

  it("GIVEN the credentials chain needs an STS exchange THEN it goes through the proxy too", async () => {
    const roleArn = new Credential(
      new Config({
        type: "ram_role_arn",
        accessKeyId: "AKID-1",
        accessKeySecret: SECRET,
        roleArn: "acs:ram::1234567890:role/mps",
        roleSessionName: "pulumi",
      }),
    );
    const error = await failure(viaProxy({ credential: roleArn }).call("ListFpShotDB", { FpDBIds: "a" }));
    expect(proxy.connects.map((c) => c.target)).toEqual(["sts.aliyuncs.com:443"]);
    expect(error.message).toBe(
      "MPS ListFpShotDB failed: CredentialsUnavailable: could not obtain Alibaba Cloud credentials (the proxy " +
        `http://127.0.0.1:${proxy.port} refused the tunnel to sts.aliyuncs.com:443 with HTTP 407 Proxy ` +
        "Authentication Required); the request was not sent. Check HTTPS_PROXY (or https_proxy, ALL_PROXY) and " +
        "the proxy's credentials, or add sts.aliyuncs.com to NO_PROXY to go direct.",
    );
    expect(error.kind).toBe("transient");
  });

  it("GIVEN a loopback endpoint and HTTPS_PROXY THEN the request goes direct and the proxy sees nothing", async () => {
    viaProxy();
    process.env.ALL_PROXY = process.env.HTTPS_PROXY;
    const body = await transport().call("ListFpShotDB", { FpDBIds: "a" });
    expect(body).toEqual({ RequestId: "R0" });
    expect(server.received).toHaveLength(1);
    expect(proxy.connects).toEqual([]);
  });
});

describe("transport behind a device that forgets idle connections", () => {
  // Issue 9 item 8: a NAT or firewall that drops connections idle for longer than its bound tells neither side;
  // the next packet on such a connection is answered with a reset and never reaches MPS.
  const IDLE_BOUND_MS = 150;
  /** Longer than the device's bound, shorter than the emulator's keep-alive timeout (5 s). */
  const IDLE_GAP_MS = 400;
  let emulator: RunningEmulator;
  let device: IdleResetProxy;

  beforeAll(async () => {
    emulator = await startEmulator();
  });
  afterAll(() => emulator.close());
  // A device (and port) per test, so no test meets a connection another one left idle.
  beforeEach(async () => {
    device = await startIdleResetProxy({ upstreamPort: emulator.port, idleMs: IDLE_BOUND_MS });
  });
  afterEach(() => device.close());

  function behindDevice() {
    return createTransport({
      endpoint: device.endpoint,
      credential: accessKeyCredential(),
      connectTimeoutMs: 2000,
      readTimeoutMs: 2000,
    });
  }

  const idle = () => new Promise((resolve) => setTimeout(resolve, IDLE_GAP_MS));

  it("GIVEN a keep-alive connection idle past the bound THEN a create goes out on a fresh connection and creates one library", async () => {
    const wire = behindDevice();
    await wire.call("ListFpShotDB", { FpDBIds: "warm-up" });
    await idle();
    const body = await wire.call("CreateFpShotDB", { Name: "after-idle" });
    const created = (body.FpShotDB as { FpDBId?: unknown } | undefined)?.FpDBId;
    expect(typeof created).toBe("string");
    const libraries = emulator.admin.state().libraries.filter((lib) => lib.name === "after-idle");
    expect(libraries.map((lib) => lib.fpDbId)).toEqual([created]);
  });

  it("GIVEN the same idle gap THEN a read still rides the stale connection, is reset by the device and is safe to retry", async () => {
    // Proof that the device really resets stale connections: reads keep reusing sockets, and a reset read is
    // transient (the retry layer sends it again).
    const wire = behindDevice();
    await wire.call("ListFpShotDB", { FpDBIds: "warm-up" });
    await idle();
    const resetsBefore = device.stats().resets;
    const error = await failure(wire.call("ListFpShotDB", { FpDBIds: "warm-up" }));
    expect(error).toMatchObject({ code: "ECONNRESET", kind: "transient" });
    expect(device.stats().resets).toBe(resetsBefore + 1);
  });

  it("GIVEN several idle connections and one read reset THEN the next read opens a new connection", async () => {
    // Three connections in the pool, all forgotten by the device: after the first reset, the others must not be
    // tried one by one (each retry would burn an attempt on a stale connection).
    const wire = behindDevice();
    await Promise.all([1, 2, 3].map((n) => wire.call("ListFpShotDB", { FpDBIds: `warm-${n}` })));
    expect(device.stats().connections).toBe(3);
    await idle();
    await failure(wire.call("ListFpShotDB", { FpDBIds: "after-idle" }));
    const body = await wire.call("ListFpShotDB", { FpDBIds: "after-idle" });
    expect(body.RequestId).toBeDefined();
    expect(device.stats().resets).toBe(1);
  });

  it("GIVEN a connection that was never established (TLS handshake unanswered) THEN even a write is not-sent and transient", async () => {
    // A peer that accepts TCP and never answers the ClientHello: no request byte can have been written.
    const silent = net.createServer(() => undefined);
    const peers = new Set<net.Socket>();
    silent.on("connection", (socket) => peers.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const port = (silent.address() as AddressInfo).port;
    try {
      const error = await failure(
        transport({ endpoint: `https://127.0.0.1:${port}`, connectTimeoutMs: 200 }).call("CreateFpShotDB", {
          Name: "n",
        }),
      );
      expect(error).toMatchObject({ code: "RequestTimeout", kind: "transient" });
      expect(error.message).toContain("was not sent");
    } finally {
      for (const socket of peers) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});
