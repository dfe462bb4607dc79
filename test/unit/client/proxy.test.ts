/**
 * The proxy hook: which requests it routes through the environment's proxy, and that it wraps `https.request` and
 * `https.get` once. No request here reaches a non-loopback address: routed requests go to a loopback CONNECT
 * proxy that refuses them, and only loopback requests go direct.
 */
import https from "node:https";
import { createServer, type AddressInfo, type Server } from "node:net";
import type { ClientRequest } from "node:http";
import { HttpsProxyAgent } from "https-proxy-agent";
import {
  ProxyConnectError,
  isProxyHookInstalled,
  proxyForRequest,
  routeThroughProxy,
  type RequestTarget,
} from "../../../core/client/proxy";
import {
  PROXY_ENV_KEYS,
  refuseDnsLookups,
  saveEnv,
  startConnectProxy,
  type ConnectProxy,
  type DnsGuard,
} from "../../support/connect-proxy";
import { thrown } from "../../support/thrown";

const PROXY = "http://proxy.corp:3128";
/** The caller's own agent on direct requests, which the hook must leave in place. */
const directAgent = new https.Agent({ keepAlive: false });

let restoreEnv: () => void;
beforeEach(() => {
  restoreEnv = saveEnv(PROXY_ENV_KEYS);
  for (const key of PROXY_ENV_KEYS) delete process.env[key];
});
afterEach(() => restoreEnv());

describe("proxyForRequest (the routing decision)", () => {
  beforeAll(() => routeThroughProxy("mps.example.test"));

  it.each<[string, string | undefined, Record<string, string>, RequestTarget]>([
    [
      "the MPS endpoint of a region",
      PROXY,
      { HTTPS_PROXY: PROXY },
      { hostname: "mts.cn-hangzhou.aliyuncs.com", port: 443 },
    ],
    [
      "the STS host of the credentials chain",
      PROXY,
      { HTTPS_PROXY: PROXY },
      { hostname: "sts.aliyuncs.com", port: 443 },
    ],
    [
      "a regional STS host",
      PROXY,
      { HTTPS_PROXY: PROXY },
      { hostname: "sts.cn-shanghai.aliyuncs.com", port: 443 },
    ],
    [
      "an API host in upper case with a trailing dot",
      PROXY,
      { HTTPS_PROXY: PROXY },
      { hostname: "MTS.CN-HANGZHOU.ALIYUNCS.COM.", port: 443 },
    ],
    [
      "a registered custom endpoint",
      PROXY,
      { HTTPS_PROXY: PROXY },
      { hostname: "mps.example.test", port: 8443 },
    ],
    ["ALL_PROXY for an API host", PROXY, { ALL_PROXY: PROXY }, { hostname: "sts.aliyuncs.com", port: 443 }],
    [
      "a host that is not an Alibaba Cloud API host",
      undefined,
      { HTTPS_PROXY: PROXY },
      { hostname: "registry.example.org", port: 443 },
    ],
    [
      "a look-alike of the API domain",
      undefined,
      { HTTPS_PROXY: PROXY },
      { hostname: "evil-aliyuncs.com", port: 443 },
    ],
    ["the bare API domain", undefined, { HTTPS_PROXY: PROXY }, { hostname: "aliyuncs.com", port: 443 }],
    ["127.0.0.1", undefined, { HTTPS_PROXY: PROXY }, { hostname: "127.0.0.1", port: 443 }],
    ["localhost", undefined, { HTTPS_PROXY: PROXY, ALL_PROXY: PROXY }, { hostname: "localhost", port: 443 }],
    ["::1", undefined, { HTTPS_PROXY: PROXY }, { hostname: "::1", port: 443 }],
    ["no proxy set", undefined, {}, { hostname: "mts.cn-hangzhou.aliyuncs.com", port: 443 }],
    [
      "NO_PROXY set but no proxy",
      undefined,
      { NO_PROXY: "example.com" },
      { hostname: "sts.aliyuncs.com", port: 443 },
    ],
    [
      "NO_PROXY naming the host",
      undefined,
      { HTTPS_PROXY: PROXY, NO_PROXY: "sts.aliyuncs.com" },
      { hostname: "sts.aliyuncs.com", port: 443 },
    ],
    [
      "NO_PROXY=.aliyuncs.com",
      undefined,
      { HTTPS_PROXY: PROXY, NO_PROXY: ".aliyuncs.com" },
      { hostname: "mts.cn-hangzhou.aliyuncs.com", port: 443 },
    ],
    [
      "NO_PROXY=*",
      undefined,
      { HTTPS_PROXY: PROXY, NO_PROXY: "*" },
      { hostname: "mps.example.test", port: 8443 },
    ],
    [
      "NO_PROXY naming another host",
      PROXY,
      { HTTPS_PROXY: PROXY, NO_PROXY: "sts.aliyuncs.com" },
      { hostname: "mts.cn-hangzhou.aliyuncs.com", port: 443 },
    ],
  ])("GIVEN %s THEN the proxy is %s", (_name, expected, env, target) => {
    Object.assign(process.env, env);
    expect(proxyForRequest(target)).toBe(expected);
  });
});

describe("the hook on https.request and https.get", () => {
  let proxy: ConnectProxy;
  let loopback: Server;
  let loopbackPort: number;
  const opened: ClientRequest[] = [];

  let dnsGuard: DnsGuard;

  beforeAll(async () => {
    // The hook follows the copy of the module that registered last; this file's must be the one deciding.
    routeThroughProxy("mps.example.test");
    dnsGuard = refuseDnsLookups();
    proxy = await startConnectProxy({ kind: "refuse", status: 403, reason: "Forbidden" });
    // A loopback port that accepts and drops connections: direct requests have somewhere harmless to go.
    loopback = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => loopback.listen(0, "127.0.0.1", resolve));
    loopbackPort = (loopback.address() as AddressInfo).port;
  });

  afterEach(() => {
    for (const req of opened.splice(0)) req.destroy();
  });

  afterAll(async () => {
    dnsGuard.restore();
    expect(dnsGuard.refused).toEqual([]);
    await proxy.close();
    await new Promise<void>((resolve) => loopback.close(() => resolve()));
  });

  /** The agent Node uses for the request (public, but missing from @types/node). */
  function agentOf(req: ClientRequest): unknown {
    return (req as ClientRequest & { agent?: unknown }).agent;
  }

  /** Starts a request and returns it with the error it ends with. */
  function send(start: () => ClientRequest): { req: ClientRequest; failed: Promise<Error> } {
    const req = start();
    opened.push(req);
    const failed = new Promise<Error>((resolve) => req.on("error", resolve));
    req.end();
    return { req, failed };
  }

  it("GIVEN it is installed twice THEN https.request and https.get are wrapped once", () => {
    routeThroughProxy("mps.example.test");
    const request = https.request;
    const get = https.get;
    routeThroughProxy("mps.example.test");
    routeThroughProxy("other.example.test");
    expect(isProxyHookInstalled()).toBe(true);
    expect(https.request).toBe(request);
    expect(https.get).toBe(get);
  });

  it("GIVEN https.request(options) to an API host and HTTPS_PROXY THEN it tunnels through the proxy", async () => {
    process.env.HTTPS_PROXY = proxy.url();
    const ownAgent = new https.Agent();
    const { req, failed } = send(() =>
      https.request({ host: "mts.cn-hangzhou.aliyuncs.com", port: 443, method: "POST", agent: ownAgent }),
    );
    expect(agentOf(req)).toBeInstanceOf(HttpsProxyAgent);
    const error = await failed;
    expect(error).toBeInstanceOf(ProxyConnectError);
    expect(error.message).toBe(
      `The proxy http://127.0.0.1:${proxy.port} refused the tunnel to mts.cn-hangzhou.aliyuncs.com:443 with HTTP 403 Forbidden`,
    );
    expect(proxy.connects.at(-1)?.target).toBe("mts.cn-hangzhou.aliyuncs.com:443");
  });

  it("GIVEN https.request(url, options) to an API host THEN it tunnels, with the options' port", async () => {
    process.env.HTTPS_PROXY = proxy.url();
    const { failed } = send(() => https.request("https://sts.aliyuncs.com/", { port: 8443, method: "GET" }));
    expect(await failed).toBeInstanceOf(ProxyConnectError);
    expect(proxy.connects.at(-1)?.target).toBe("sts.aliyuncs.com:8443");
  });

  it("GIVEN https.get(url, options, callback) to an API host THEN it tunnels too", async () => {
    process.env.HTTPS_PROXY = proxy.url();
    const { failed } = send(() => https.get(new URL("https://sts.aliyuncs.com/"), {}, () => undefined));
    expect(await failed).toBeInstanceOf(ProxyConnectError);
    expect(proxy.connects.at(-1)?.target).toBe("sts.aliyuncs.com:443");
  });

  it.each<[string, () => ClientRequest]>([
    ["options", () => https.request({ host: "127.0.0.1", port: loopbackPort, agent: directAgent })],
    ["url and options", () => https.request(`https://127.0.0.1:${loopbackPort}/`, { agent: directAgent })],
    ["url only", () => https.request(`https://127.0.0.1:${loopbackPort}/`)],
    ["get with options", () => https.get({ hostname: "127.0.0.1", port: loopbackPort, agent: directAgent })],
  ])("GIVEN a loopback request (%s) and HTTPS_PROXY THEN it goes direct, untouched", async (_form, start) => {
    process.env.HTTPS_PROXY = proxy.url();
    const before = proxy.connects.length;
    const { req, failed } = send(start);
    expect(agentOf(req)).not.toBeInstanceOf(HttpsProxyAgent);
    expect((await failed).message).toBe(
      "Client network socket disconnected before secure TLS connection was established",
    );
    expect(proxy.connects.length).toBe(before);
  });

  it.each<[string, string, string]>([
    [
      "an unsupported scheme",
      "socks5://user:secret-pw@127.0.0.1:1080",
      "The proxy socks5://127.0.0.1:1080 uses the scheme socks5://; only http:// and https:// proxies are supported",
    ],
    [
      "a value that is not a URL",
      "http://user:secret-pw@[bad",
      "The proxy (an invalid proxy URL) is not a valid URL",
    ],
  ])(
    "GIVEN HTTPS_PROXY with %s THEN a routed request fails at once, without the credentials",
    (_name, value, message) => {
      process.env.HTTPS_PROXY = value;
      const error = thrown(() => https.request({ host: "sts.aliyuncs.com", port: 443 }));
      expect(error).toBeInstanceOf(ProxyConnectError);
      expect(error.message).toBe(message);
      expect(error).toMatchObject({ code: "ProxyConnectFailed", target: "sts.aliyuncs.com:443" });
    },
  );

  it("GIVEN a request with the caller's agent to a loopback host THEN that agent is kept", () => {
    process.env.HTTPS_PROXY = proxy.url();
    const { req } = send(() => https.request({ host: "127.0.0.1", port: loopbackPort, agent: directAgent }));
    expect(agentOf(req)).toBe(directAgent);
  });
});
