import {
  isLoopbackHost,
  parseEndpoint,
  resolveEndpoint,
  resolveProxy,
  type ResolvedEndpoint,
} from "../../../provider/config/endpoint";
import { ConfigError } from "../../../provider/errors";
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
  it("GIVEN no proxy variables THEN no proxy", () => {
    expect(resolveProxy({ NO_PROXY: "example.com" }, false)).toBeUndefined();
  });

  it("honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY", () => {
    expect(
      resolveProxy(
        { HTTPS_PROXY: "http://p:3128", HTTP_PROXY: "http://q:3128", NO_PROXY: ".internal" },
        false,
      ),
    ).toEqual({ httpsProxy: "http://p:3128", httpProxy: "http://q:3128", noProxy: ".internal" });
  });

  it("reads the lower-case variants, upper case first", () => {
    expect(resolveProxy({ https_proxy: "http://lower:1", no_proxy: "x" }, false)).toEqual({
      httpsProxy: "http://lower:1",
      noProxy: "x",
    });
    expect(resolveProxy({ HTTPS_PROXY: "http://upper:1", https_proxy: "http://lower:1" }, false)).toEqual({
      httpsProxy: "http://upper:1",
    });
  });

  it("never uses a proxy for a loopback endpoint", () => {
    expect(resolveProxy({ HTTPS_PROXY: "http://p:3128", HTTP_PROXY: "http://p:3128" }, true)).toBeUndefined();
  });
});
