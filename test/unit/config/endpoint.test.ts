import {
  isLoopbackHost,
  parseEndpoint,
  proxyForHttpsHost,
  proxyPasswords,
  proxyWithoutCredentials,
  resolveEndpoint,
  resolveProxy,
  type ResolvedEndpoint,
} from "../../../core/config/endpoint";
import { ConfigError } from "../../../core/errors";
import { PROXY_ENV_KEYS, saveEnv } from "../../support/connect-proxy";
import { thrown } from "../../support/thrown";

describe("isLoopbackHost", () => {
  it.each<[string, boolean]>([
    ["127.0.0.1", true],
    ["127.255.10.2", true],
    ["localhost", true],
    ["LOCALHOST", true],
    ["::1", true],
    ["[::1]", true],
    ["128.0.0.1", false],
    ["127.0.0.256", false],
    ["127.0.0", false],
    ["127.0.0.1.example.com", false],
    ["localhost.example.com", false],
    ["0.0.0.0", false],
    ["mts.cn-shanghai.aliyuncs.com", false],
  ])("%s → %s", (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});

describe("parseEndpoint", () => {
  it.each<[string, ResolvedEndpoint]>([
    [
      "mts.cn-shanghai.aliyuncs.com",
      {
        url: "https://mts.cn-shanghai.aliyuncs.com",
        host: "mts.cn-shanghai.aliyuncs.com",
        protocol: "https",
        loopback: false,
      },
    ],
    [
      "mts.cn-shanghai.aliyuncs.com:8443",
      {
        url: "https://mts.cn-shanghai.aliyuncs.com:8443",
        host: "mts.cn-shanghai.aliyuncs.com:8443",
        protocol: "https",
        loopback: false,
      },
    ],
    [
      "HTTPS://Example.com/",
      { url: "https://example.com", host: "example.com", protocol: "https", loopback: false },
    ],
    [
      "http://127.0.0.1:4010",
      { url: "http://127.0.0.1:4010", host: "127.0.0.1:4010", protocol: "http", loopback: true },
    ],
    ["http://[::1]:9", { url: "http://[::1]:9", host: "[::1]:9", protocol: "http", loopback: true }],
    [
      " localhost:80 ",
      { url: "https://localhost:80", host: "localhost:80", protocol: "https", loopback: true },
    ],
  ])("accepts %s", (text, expected) => {
    expect(parseEndpoint(text)).toEqual({ ok: true, endpoint: expected });
  });

  it.each<[string, string]>([
    ["", "is empty"],
    [
      "http://10.0.0.1",
      "uses http://, which is only allowed for loopback hosts (127.0.0.0/8, localhost, [::1]); use https://",
    ],
    ["https://a/b", "must be a host without a path, query or fragment"],
    ["https://a?x=1", "must be a host without a path, query or fragment"],
    ["https://a:b@host", "must not contain user info (user:password@)"],
    ["a_b.example.com", 'has an invalid host name "a_b.example.com"'],
    ["ws://host", 'uses the scheme "ws://"; only https:// (and http:// for loopback) work'],
  ])("refuses %j: %s", (text, problem) => {
    expect(parseEndpoint(text)).toEqual({ ok: false, problem });
  });
});

describe("resolveEndpoint", () => {
  it.each<[string, Parameters<typeof resolveEndpoint>[0], string]>([
    ["the public default", { region: "cn-shanghai" }, "https://mts.cn-shanghai.aliyuncs.com"],
    [
      "the vpc default",
      { region: "cn-beijing", endpointType: "vpc" },
      "https://mts-vpc.cn-beijing.aliyuncs.com",
    ],
    [
      "the stored endpoint over the default",
      { region: "cn-shanghai", endpoint: "http://127.0.0.1:5000" },
      "http://127.0.0.1:5000",
    ],
    [
      "the override over the stored endpoint",
      { region: "cn-shanghai", endpoint: "http://127.0.0.1:5000", override: "http://127.0.0.1:6000" },
      "http://127.0.0.1:6000",
    ],
    [
      "an empty override as unset",
      { region: "cn-shanghai", override: " " },
      "https://mts.cn-shanghai.aliyuncs.com",
    ],
  ])("uses %s", (_name, options, url) => {
    expect(resolveEndpoint(options).url).toBe(url);
  });

  it.each<[string, Parameters<typeof resolveEndpoint>[0], string]>([
    [
      "a plain-http override that is not loopback",
      { region: "cn-shanghai", override: "http://proxy.internal" },
      'The endpoint override (MPS_FPDB_ENDPOINT or pulumi-mps-fpdb:endpoint) "http://proxy.internal" uses http://, ' +
        "which is only allowed for loopback hosts (127.0.0.0/8, localhost, [::1]); use https://. Set it to a host, " +
        "host:port or https:// URL.",
    ],
    [
      "a stored endpoint with a path",
      { region: "cn-shanghai", endpoint: "https://mts.example.com/api" },
      'The `endpoint` input "https://mts.example.com/api" must be a host without a path, query or fragment. Set ' +
        "it to a host, host:port or https:// URL.",
    ],
    [
      "a region that cannot form a host name",
      { region: "cn shanghai" },
      'The region "cn shanghai" is not a region id such as "cn-shanghai". Set the `region` input or ' +
        "`alicloud:region` to a valid region id, or set `endpoint`.",
    ],
  ])("GIVEN %s THEN a ConfigError", (_name, options, message) => {
    const err = thrown(() => resolveEndpoint(options));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(message);
  });
});

describe("resolveProxy", () => {
  // proxy-from-env reads process.env when asked, so each case sets the variables there and puts them back.
  let restoreEnv: () => void;
  beforeEach(() => {
    restoreEnv = saveEnv([...PROXY_ENV_KEYS, "HTTP_PROXY", "http_proxy"]);
    for (const key of [...PROXY_ENV_KEYS, "HTTP_PROXY", "http_proxy"]) delete process.env[key];
  });
  afterEach(() => restoreEnv());

  const MTS = "https://mts.cn-hangzhou.aliyuncs.com";

  it.each<[string, string | undefined, Record<string, string>, string]>([
    ["no proxy variable set", undefined, { NO_PROXY: "example.com" }, MTS],
    ["HTTPS_PROXY", "http://proxy.corp:3128", { HTTPS_PROXY: "http://proxy.corp:3128" }, MTS],
    ["https_proxy", "http://lower.corp:3128", { https_proxy: "http://lower.corp:3128" }, MTS],
    [
      "both spellings: the lower-case one wins (proxy-from-env, like curl)",
      "http://lower.corp:1",
      { HTTPS_PROXY: "http://upper.corp:1", https_proxy: "http://lower.corp:1" },
      MTS,
    ],
    [
      "ALL_PROXY when no HTTPS_PROXY is set",
      "http://all.corp:8080",
      { ALL_PROXY: "http://all.corp:8080" },
      MTS,
    ],
    [
      "HTTPS_PROXY over ALL_PROXY",
      "http://proxy.corp:3128",
      { HTTPS_PROXY: "http://proxy.corp:3128", ALL_PROXY: "http://all.corp:8080" },
      MTS,
    ],
    [
      "HTTP_PROXY alone (it is for http:// URLs only)",
      undefined,
      { HTTP_PROXY: "http://proxy.corp:3128" },
      MTS,
    ],
    [
      "credentials in the proxy URL, kept as configured",
      "http://user:secret@proxy.corp:3128",
      { HTTPS_PROXY: "http://user:secret@proxy.corp:3128" },
      MTS,
    ],
    [
      "a proxy without a scheme, which gets the request's (https://)",
      "https://proxy.corp:3128",
      { HTTPS_PROXY: "proxy.corp:3128" },
      MTS,
    ],
    [
      "NO_PROXY naming the host",
      undefined,
      { HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: "mts.cn-hangzhou.aliyuncs.com" },
      MTS,
    ],
    [
      "NO_PROXY with a leading-dot suffix",
      undefined,
      { HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: "localhost,.aliyuncs.com" },
      MTS,
    ],
    [
      "NO_PROXY with a bare domain (exact match only, so subdomains still use the proxy)",
      "http://proxy.corp:3128",
      { HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: "aliyuncs.com" },
      MTS,
    ],
    ["NO_PROXY=*", undefined, { HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: "*" }, MTS],
    [
      "NO_PROXY for another port of the host",
      "http://proxy.corp:3128",
      { HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: "mts.cn-hangzhou.aliyuncs.com:8443" },
      MTS,
    ],
    [
      "NO_PROXY for the endpoint's own port",
      undefined,
      { HTTPS_PROXY: "http://proxy.corp:3128", NO_PROXY: "mts.cn-hangzhou.aliyuncs.com:8443" },
      "https://mts.cn-hangzhou.aliyuncs.com:8443",
    ],
    [
      "no_proxy over NO_PROXY (lower case wins here too)",
      "http://proxy.corp:3128",
      { HTTPS_PROXY: "http://proxy.corp:3128", no_proxy: "other.example", NO_PROXY: ".aliyuncs.com" },
      MTS,
    ],
    ["a loopback endpoint", undefined, { HTTPS_PROXY: "http://proxy.corp:3128" }, "http://127.0.0.1:4010"],
    ["a localhost endpoint", undefined, { ALL_PROXY: "http://proxy.corp:3128" }, "https://localhost:8443"],
  ])("GIVEN %s THEN the proxy is %s", (_name, expected, env, url) => {
    Object.assign(process.env, env);
    const endpoint = parseEndpoint(url);
    if (!endpoint.ok) throw new Error(endpoint.problem);
    expect(resolveProxy(endpoint.endpoint)).toBe(expected);
  });
});

describe("proxyForHttpsHost", () => {
  let restoreEnv: () => void;
  beforeEach(() => {
    restoreEnv = saveEnv(PROXY_ENV_KEYS);
    for (const key of PROXY_ENV_KEYS) delete process.env[key];
    process.env.HTTPS_PROXY = "http://proxy.corp:3128";
  });
  afterEach(() => restoreEnv());

  it.each<[string, string | undefined]>([
    ["127.0.0.1", undefined],
    ["127.8.9.10", undefined],
    ["localhost", undefined],
    ["::1", undefined],
    ["[::1]", undefined],
    ["sts.aliyuncs.com", "http://proxy.corp:3128"],
    ["2001:db8::1", "http://proxy.corp:3128"],
  ])("%s → %s, whatever the environment says about loopback", (hostname, expected) => {
    expect(proxyForHttpsHost(hostname, 443)).toBe(expected);
  });
});

describe("proxyWithoutCredentials", () => {
  it.each<[string, string]>([
    ["http://proxy.corp:3128", "http://proxy.corp:3128"],
    ["http://user:p%40ss@proxy.corp:3128/", "http://proxy.corp:3128"],
    ["https://user@proxy.corp", "https://proxy.corp"],
    ["http://[bad", "(an invalid proxy URL)"],
  ])("%s → %s", (proxy, shown) => {
    expect(proxyWithoutCredentials(proxy)).toBe(shown);
  });
});

describe("proxyPasswords", () => {
  it.each<[string, string[]]>([
    ["http://proxy.corp:3128", []],
    ["http://user@proxy.corp:3128", []],
    ["http://user:plain-secret@proxy.corp:3128", ["plain-secret"]],
    ["http://user:p%40ss%2Fword@proxy.corp:3128", ["p%40ss%2Fword", "p@ss/word"]],
    ["http://[bad", []],
  ])("%s → %j", (proxy, passwords) => {
    expect(proxyPasswords(proxy)).toEqual(passwords);
  });
});
