import { ProviderContext } from "../../core/context";
import { ConfigError } from "../../core/errors";
import { PROXY_ENV_KEYS, saveEnv } from "../support/connect-proxy";

function contextWith(env: NodeJS.ProcessEnv, endpoint: string): ProviderContext {
  const config: Record<string, string> = {
    "alicloud:accessKey": "LTAI-test-key-id",
    "alicloud:secretKey": "test-secret-value",
    "pulumi-mps-fpdb:endpoint": endpoint,
  };
  return new ProviderContext(
    { get: (key) => config[key] },
    { ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true", ...env },
  );
}

describe("ProviderContext", () => {
  let errors: string[];
  let infos: string[];
  beforeEach(() => {
    errors = [];
    infos = [];
    jest.spyOn(console, "error").mockImplementation((line: string) => void errors.push(line));
    jest.spyOn(console, "log").mockImplementation((line: string) => void infos.push(line));
  });
  afterEach(() => jest.restoreAllMocks());

  describe("with a proxy in the environment", () => {
    // The proxy comes from process.env (where the request hook reads it), so it is set there and put back.
    let restoreEnv: () => void;
    beforeEach(() => {
      restoreEnv = saveEnv(PROXY_ENV_KEYS);
      for (const key of PROXY_ENV_KEYS) delete process.env[key];
    });
    afterEach(() => restoreEnv());

    it("says which proxy requests to the endpoint go through, without the proxy's credentials", async () => {
      process.env.HTTPS_PROXY = "http://svc-user:proxy-pa%24%24word@proxy.example:3128";
      const ctx = contextWith({}, "https://mts.cn-hangzhou.aliyuncs.com");
      await ctx.servicesFor({ region: "cn-hangzhou" });
      expect(infos).toContain(
        "[mps-fpdb] Requests to mts.cn-hangzhou.aliyuncs.com go through the proxy http://proxy.example:3128",
      );
      expect(errors).toEqual([]);
      expect([...infos, ...errors].join("\n")).not.toMatch(/svc-user|proxy-pa/);
    });

    it("registers the proxy password, as written and decoded, so no log line can show it", async () => {
      process.env.HTTPS_PROXY = "http://svc-user:proxy-pa%24%24word@proxy.example:3128";
      const ctx = contextWith({}, "https://mts.cn-hangzhou.aliyuncs.com");
      await ctx.servicesFor({ region: "cn-hangzhou" });
      expect(ctx.log.format("failed: proxy-pa$$word and proxy-pa%24%24word")).toBe(
        "[mps-fpdb] failed: *** and ***",
      );
    });

    it.each([
      [
        "socks5://svc-user:proxy-secret@proxy.example:1080",
        "uses the scheme socks5://; only http:// and https:// proxies are supported",
      ],
      ["http://svc-user:proxy-secret@[proxy.example:3128", "is not a valid URL"],
    ])(
      "refuses the proxy %s before any request, naming the problem and the fix, never its text",
      async (value, problem) => {
        process.env.HTTPS_PROXY = value;
        const error = await contextWith({}, "https://mts.cn-hangzhou.aliyuncs.com")
          .servicesFor({ region: "cn-hangzhou" })
          .catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as Error).message).toBe(
          "The HTTPS proxy set in the environment (HTTPS_PROXY, https_proxy or ALL_PROXY) for requests to " +
            `mts.cn-hangzhou.aliyuncs.com ${problem}, so nothing was sent. Set it to http://host:port (or ` +
            "http://user:password@host:port), add mts.cn-hangzhou.aliyuncs.com to NO_PROXY, or unset it to go direct.",
        );
        expect([(error as Error).message, ...infos, ...errors].join("\n")).not.toMatch(
          /svc-user|proxy-secret/,
        );
      },
    );

    it("says nothing about a proxy when NO_PROXY matches the endpoint", async () => {
      process.env.HTTPS_PROXY = "http://proxy.example:3128";
      process.env.NO_PROXY = ".aliyuncs.com";
      await contextWith({}, "https://mts.cn-hangzhou.aliyuncs.com").servicesFor({ region: "cn-hangzhou" });
      expect(infos.filter((line) => line.includes("proxy"))).toEqual([]);
      expect(errors).toEqual([]);
    });

    it("says nothing about a proxy for a loopback endpoint, which never uses one", async () => {
      process.env.HTTPS_PROXY = "http://proxy.example:3128";
      await contextWith({}, "http://127.0.0.1:9").servicesFor({ region: "cn-hangzhou" });
      expect(infos.filter((line) => line.includes("proxy"))).toEqual([]);
      expect(errors).toEqual([]);
    });
  });

  it("builds one set of clients per endpoint and identity", async () => {
    const ctx = contextWith({}, "http://127.0.0.1:9");
    const [a, b] = await Promise.all([
      ctx.servicesFor({ region: "cn-hangzhou" }),
      ctx.servicesFor({ region: "cn-hangzhou" }),
    ]);
    expect(a).toBe(b);
  });
});
