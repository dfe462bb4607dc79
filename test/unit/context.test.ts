import { ProviderContext } from "../../provider/context";

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
  beforeEach(() => {
    errors = [];
    jest.spyOn(console, "error").mockImplementation((line: string) => void errors.push(line));
    jest.spyOn(console, "log").mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it("warns that a configured proxy cannot be used, rather than silently going direct", async () => {
    await contextWith(
      { HTTPS_PROXY: "http://proxy.example:3128" },
      "https://mts.cn-hangzhou.aliyuncs.com",
    ).servicesFor({ region: "cn-hangzhou" });
    expect(errors).toEqual([
      "[mps-fpdb] HTTPS_PROXY/HTTP_PROXY is set, but the Alibaba Cloud SDK used here cannot send requests through a " +
        "proxy: requests to mts.cn-hangzhou.aliyuncs.com go direct. Allow direct access to it, or use " +
        '`endpointType: "vpc"`.',
    ]);
  });

  it("says nothing about a proxy for a loopback endpoint, which never uses one", async () => {
    await contextWith({ HTTPS_PROXY: "http://proxy.example:3128" }, "http://127.0.0.1:9").servicesFor({
      region: "cn-hangzhou",
    });
    expect(errors).toEqual([]);
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
