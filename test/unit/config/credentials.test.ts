import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import {
  clearCredentialCache,
  credentialCandidates,
  resolveCredentials,
  type ResolvedCredentials,
} from "../../../core/config/credentials";
import type { ConfigSource } from "../../../core/config/settings";
import { ConfigError } from "../../../core/errors";
import { Logger } from "../../../core/log";
import { rejection } from "../../support/thrown";

const AK_ID = "LTAI5tConfigKeyId";
const AK_SECRET = "config-secret-0123456789";
const STS_TOKEN = "CAIS-config-token-abcdef";

const THREE_WAYS =
  "\n  (1) stack config: `pulumi config set alicloud:accessKey <id>` and `pulumi config set --secret " +
  "alicloud:secretKey <secret>` (plus `alicloud:securityToken` for STS), or `alicloud:profile <name>`;\n  " +
  "(2) environment: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (plus " +
  "ALIBABA_CLOUD_SECURITY_TOKEN), or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY (plus ALICLOUD_SECURITY_TOKEN);\n  " +
  "(3) the Alibaba Cloud default chain: a profile in ~/.alibabacloud/credentials (ALIBABA_CLOUD_CREDENTIALS_FILE, " +
  "ALIBABA_CLOUD_PROFILE) or ~/.aliyun/config.json, an OIDC role (ALIBABA_CLOUD_ROLE_ARN, " +
  "ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE), an ECS RAM role (ALIBABA_CLOUD_ECS_METADATA) " +
  "or a credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI)";

let home: string;
let savedEcsFlag: string | undefined;

beforeAll(() => {
  // Belt and braces: the SDK's ECS provider reads process.env, and no test may reach the metadata host.
  savedEcsFlag = process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED;
  process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true";
});

afterAll(() => {
  if (savedEcsFlag === undefined) delete process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED;
  else process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = savedEcsFlag;
});

beforeEach(() => {
  // An empty home, so the machine's own ~/.aliyun and ~/.alibabacloud never take part.
  home = mkdtempSync(path.join(os.tmpdir(), "mps-fpdb-cred-"));
});

afterEach(() => {
  clearCredentialCache();
  rmSync(home, { recursive: true, force: true });
});

/** An environment with nothing but the test's own variables, an empty home and the metadata service off. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { HOME: home, ALIBABA_CLOUD_ECS_METADATA_DISABLED: "true", ...extra };
}

function config(values: Record<string, string> = {}): ConfigSource {
  return { get: (key) => values[key] };
}

async function keysOf(resolved: ResolvedCredentials) {
  const model = await resolved.credential.getCredential();
  return { id: model.accessKeyId, secret: model.accessKeySecret, token: model.securityToken };
}

describe("stack config and environment", () => {
  it.each<
    [
      string,
      Record<string, string>,
      NodeJS.ProcessEnv,
      string,
      string,
      { id: string; secret: string; token?: string },
    ]
  >([
    [
      "stack config keys",
      { "alicloud:accessKey": AK_ID, "alicloud:secretKey": AK_SECRET },
      {},
      "stack config alicloud:accessKey",
      "static_ak",
      { id: AK_ID, secret: AK_SECRET },
    ],
    [
      "stack config keys with a security token",
      { "alicloud:accessKey": AK_ID, "alicloud:secretKey": AK_SECRET, "alicloud:securityToken": STS_TOKEN },
      {},
      "stack config alicloud:accessKey with alicloud:securityToken",
      "static_sts",
      { id: AK_ID, secret: AK_SECRET, token: STS_TOKEN },
    ],
    [
      "ALIBABA_CLOUD_* variables",
      {},
      { ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAIenvA", ALIBABA_CLOUD_ACCESS_KEY_SECRET: "env-a-secret-xyz" },
      "environment ALIBABA_CLOUD_ACCESS_KEY_ID",
      "static_ak",
      { id: "LTAIenvA", secret: "env-a-secret-xyz" },
    ],
    [
      "ALICLOUD_* variables with a token",
      {},
      {
        ALICLOUD_ACCESS_KEY: "STS.envB",
        ALICLOUD_SECRET_KEY: "env-b-secret-xyz",
        ALICLOUD_SECURITY_TOKEN: "env-b-token",
      },
      "environment ALICLOUD_ACCESS_KEY with ALICLOUD_SECURITY_TOKEN",
      "static_sts",
      { id: "STS.envB", secret: "env-b-secret-xyz", token: "env-b-token" },
    ],
  ])("resolves %s", async (_name, stackConfig, extraEnv, source, type, keys) => {
    const resolved = await resolveCredentials({ config: config(stackConfig), env: env(extraEnv) });
    expect(resolved.source).toBe(source);
    expect(resolved.kind).toBe("static");
    expect(resolved.credential.getType()).toBe(type);
    expect(resolved.accessKeyIdHint).toBe(`${keys.id.slice(0, 4)}***`);
    expect(resolved.secrets).toEqual(keys.token ? [keys.secret, keys.token] : [keys.secret]);
    expect(await keysOf(resolved)).toEqual({ token: undefined, ...keys });
  });

  it("prefers stack config over the environment, and ALIBABA_CLOUD_* over ALICLOUD_*", async () => {
    const allEnv = env({
      ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAIenvA",
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: "env-a-secret-xyz",
      ALICLOUD_ACCESS_KEY: "LTAIenvB",
      ALICLOUD_SECRET_KEY: "env-b-secret-xyz",
    });
    const fromConfig = await resolveCredentials({
      config: config({ "alicloud:accessKey": AK_ID, "alicloud:secretKey": AK_SECRET }),
      env: allEnv,
    });
    expect(fromConfig.source).toBe("stack config alicloud:accessKey");
    const fromEnv = await resolveCredentials({ config: config(), env: allEnv });
    expect(fromEnv.source).toBe("environment ALIBABA_CLOUD_ACCESS_KEY_ID");
    expect((await keysOf(fromEnv)).id).toBe("LTAIenvA");
  });

  it.each<[string, Record<string, string>, NodeJS.ProcessEnv, string]>([
    [
      "an AccessKey id in stack config without its secret",
      { "alicloud:accessKey": AK_ID },
      {},
      "Stack config has `alicloud:accessKey` but not `alicloud:secretKey`. Set both: `pulumi config set " +
        "alicloud:accessKey <id>` and `pulumi config set --secret alicloud:secretKey <secret>`.",
    ],
    [
      "a secret in the environment without its id",
      {},
      { ALICLOUD_SECRET_KEY: "lonely-secret-value" },
      "The environment has ALICLOUD_SECRET_KEY but not ALICLOUD_ACCESS_KEY. Set both variables, or neither.",
    ],
  ])(
    "GIVEN %s THEN a ConfigError that never shows the secret",
    async (_name, stackConfig, extraEnv, message) => {
      const err = await rejection(resolveCredentials({ config: config(stackConfig), env: env(extraEnv) }));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toBe(message);
      expect(err.message).not.toContain("lonely-secret-value");
    },
  );

  it("keeps one credential per identity, and a new one when the identity changes", async () => {
    const c1 = config({ "alicloud:accessKey": AK_ID, "alicloud:secretKey": AK_SECRET });
    const first = await resolveCredentials({ config: c1, env: env() });
    expect(await resolveCredentials({ config: c1, env: env() })).toBe(first);
    const rotated = await resolveCredentials({
      config: config({ "alicloud:accessKey": AK_ID, "alicloud:secretKey": "rotated-secret-value" }),
      env: env(),
    });
    expect(rotated).not.toBe(first);
    expect(rotated.identity).not.toContain("rotated-secret-value");
  });

  it("never puts the secret into source, identity or logs", async () => {
    const lines: string[] = [];
    const logger = new Logger((_level, line) => lines.push(line));
    const resolved = await resolveCredentials({
      config: config({
        "alicloud:accessKey": AK_ID,
        "alicloud:secretKey": AK_SECRET,
        "alicloud:securityToken": STS_TOKEN,
      }),
      env: env(),
      onSecret: (value) => logger.registerSecret(value),
    });
    expect(`${resolved.source} ${resolved.identity} ${resolved.accessKeyIdHint}`).not.toMatch(
      new RegExp(`${AK_SECRET}|${STS_TOKEN}|${AK_ID}`),
    );
    logger.info(`using ${AK_SECRET} and ${STS_TOKEN}`);
    expect(lines).toEqual(["[mps-fpdb] using *** and ***"]);
  });
});

describe("profiles", () => {
  function writeCredentialsFile(): string {
    const file = path.join(home, "creds.ini");
    writeFileSync(
      file,
      [
        "; Alibaba Cloud credentials file",
        "[default]",
        "type = access_key",
        "access_key_id = LTAIdefault",
        "access_key_secret = default-file-secret",
        "",
        "[dev]",
        'type = "access_key"',
        "access_key_id = LTAIdev",
        "access_key_secret = dev-file-secret",
        "",
        "[broken]",
        "type = magic",
      ].join("\n"),
    );
    return file;
  }

  function writeCliConfig(): string {
    const dir = path.join(home, ".aliyun");
    mkdirSync(dir);
    const file = path.join(dir, "config.json");
    writeFileSync(
      file,
      JSON.stringify({
        current: "work",
        profiles: [
          { name: "work", mode: "AK", access_key_id: "LTAIcliwork", access_key_secret: "cli-work-secret" },
          {
            name: "sts",
            mode: "StsToken",
            access_key_id: "STS.cli",
            access_key_secret: "cli-sts-secret",
            sts_token: "cli-tok",
          },
        ],
      }),
    );
    return file;
  }

  it("reads the default profile of the file ALIBABA_CLOUD_CREDENTIALS_FILE points at", async () => {
    const file = writeCredentialsFile();
    const resolved = await resolveCredentials({
      config: config(),
      env: env({ ALIBABA_CLOUD_CREDENTIALS_FILE: file }),
    });
    expect(resolved.source).toBe(`profile 'default' in ${file}`);
    expect(resolved.kind).toBe("profile");
    expect(await keysOf(resolved)).toEqual({
      id: "LTAIdefault",
      secret: "default-file-secret",
      token: undefined,
    });
  });

  it("reads ~/.alibabacloud/credentials when no file is named, with ALIBABA_CLOUD_PROFILE choosing the profile", async () => {
    mkdirSync(path.join(home, ".alibabacloud"));
    const file = path.join(home, ".alibabacloud", "credentials");
    writeFileSync(file, "[dev]\ntype=access_key\naccess_key_id=LTAIhome\naccess_key_secret=home-secret\n");
    const resolved = await resolveCredentials({
      config: config(),
      env: env({ ALIBABA_CLOUD_PROFILE: "dev" }),
    });
    expect(resolved.source).toBe(`profile 'dev' in ${file}`);
    expect((await keysOf(resolved)).id).toBe("LTAIhome");
  });

  it.each<[string, Record<string, string>, string | undefined, string]>([
    ["the resource's profile input", {}, "dev", "LTAIdev"],
    ["stack config alicloud:profile", { "alicloud:profile": "dev" }, undefined, "LTAIdev"],
    [
      "the resource's profile over stack config keys",
      { "alicloud:accessKey": AK_ID, "alicloud:secretKey": AK_SECRET },
      "dev",
      "LTAIdev",
    ],
  ])("selects a named profile through %s", async (_name, stackConfig, profile, id) => {
    const file = writeCredentialsFile();
    const resolved = await resolveCredentials({
      config: config(stackConfig),
      env: env({ ALIBABA_CLOUD_CREDENTIALS_FILE: file }),
      profile,
    });
    expect(resolved.source).toBe(`profile 'dev' in ${file}`);
    expect((await keysOf(resolved)).id).toBe(id);
  });

  it("reads the Alibaba Cloud CLI config (JSON), its current profile by default", async () => {
    const file = writeCliConfig();
    const resolved = await resolveCredentials({ config: config(), env: env() });
    expect(resolved.source).toBe(`Alibaba Cloud CLI profile 'work' in ${file}`);
    expect(resolved.kind).toBe("cli_profile");
    expect(await keysOf(resolved)).toEqual({
      id: "LTAIcliwork",
      secret: "cli-work-secret",
      token: undefined,
    });
  });

  it("finds a named profile in the CLI config before the credentials file", async () => {
    const cli = writeCliConfig();
    const file = writeCredentialsFile();
    const resolved = await resolveCredentials({
      config: config(),
      env: env({ ALIBABA_CLOUD_CREDENTIALS_FILE: file }),
      profile: "sts",
    });
    expect(resolved.source).toBe(`Alibaba Cloud CLI profile 'sts' in ${cli}`);
    expect(await keysOf(resolved)).toEqual({ id: "STS.cli", secret: "cli-sts-secret", token: "cli-tok" });
  });

  it("GIVEN a named profile that exists nowhere THEN a ConfigError naming both places", async () => {
    const file = writeCredentialsFile();
    const err = await rejection(
      resolveCredentials({
        config: config(),
        env: env({ ALIBABA_CLOUD_CREDENTIALS_FILE: file }),
        profile: "prod",
      }),
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(
      `Credentials profile 'prod' (from the \`profile\` input) was found neither in ${path.join(home, ".aliyun", "config.json")} ` +
        `nor in ${file}. Add it to one of them (ALIBABA_CLOUD_CREDENTIALS_FILE points at another credentials file), ` +
        "or fix the profile name.",
    );
  });

  it("GIVEN a named profile the SDK cannot use THEN a ConfigError naming the source, not a fallback", async () => {
    const file = writeCredentialsFile();
    const err = await rejection(
      resolveCredentials({
        config: config({ "alicloud:profile": "broken" }),
        env: env({
          ALIBABA_CLOUD_CREDENTIALS_FILE: file,
          ALIBABA_CLOUD_ACCESS_KEY_ID: "x",
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: "y",
        }),
      }),
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(
      "Could not get credentials from profile 'broken' (from stack config `alicloud:profile`): Invalid type " +
        "option, support: access_key, ecs_ram_role, ram_role_arn. Fix that source, or remove it to use the next " +
        `one:${THREE_WAYS}.`,
    );
  });
});

describe("credentials URI (a real loopback server)", () => {
  let server: http.Server;
  let uri: string;
  let hits: number;
  let serve: () => { status: number; body: unknown };

  beforeEach(async () => {
    hits = 0;
    server = http.createServer((_req, res) => {
      hits++;
      const { status, body } = serve();
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    uri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/credentials?token=uri-query-token`;
  });

  afterEach(async () => {
    jest.restoreAllMocks();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** STS keys numbered by fetch, expiring one hour after the (possibly faked) current time. */
  function stsKeys() {
    return {
      status: 200,
      body: {
        Code: "Success",
        AccessKeyId: `STS.uri-${hits}`,
        AccessKeySecret: `uri-secret-${hits}`,
        SecurityToken: `uri-token-${hits}`,
        Expiration: new Date(Date.now() + 3600_000).toISOString(),
      },
    };
  }

  it("GIVEN ALIBABA_CLOUD_CREDENTIALS_URI THEN the keys it serves, and a source without its path or query", async () => {
    serve = stsKeys;
    const resolved = await resolveCredentials({
      config: config(),
      env: env({ ALIBABA_CLOUD_CREDENTIALS_URI: uri }),
    });
    expect(resolved.source).toBe(`credentials URI ${new URL(uri).origin}`);
    expect(resolved.kind).toBe("credentials_uri");
    expect(resolved.credential.getType()).toBe("credential_uri");
    expect(await keysOf(resolved)).toEqual({ id: "STS.uri-1", secret: "uri-secret-1", token: "uri-token-1" });
    expect(resolved.identity).not.toContain("uri-query-token");
  });

  it("refreshes when the served token nears its expiry, and reports the new secrets", async () => {
    serve = stsKeys;
    const seen: string[] = [];
    const resolved = await resolveCredentials({
      config: config(),
      env: env({ ALIBABA_CLOUD_CREDENTIALS_URI: uri }),
      onSecret: (value) => seen.push(value),
    });
    expect((await keysOf(resolved)).id).toBe("STS.uri-1");
    expect(hits).toBe(1);

    // 50 minutes later the 1-hour token is inside the SDK's 15-minute refresh window.
    const realNow = Date.now();
    jest.spyOn(Date, "now").mockImplementation(() => realNow + 50 * 60_000);
    expect(await keysOf(resolved)).toEqual({ id: "STS.uri-2", secret: "uri-secret-2", token: "uri-token-2" });
    expect(hits).toBe(2);
    expect(seen).toEqual(["uri-secret-1", "uri-token-1", "uri-secret-2", "uri-token-2"]);
    expect(resolved.secrets).toEqual(seen);
  });

  it("tells every provider context that shares the cached credentials about a refreshed secret", async () => {
    serve = stsKeys;
    const first: string[] = [];
    const second: string[] = [];
    const lookup = { config: config(), env: env({ ALIBABA_CLOUD_CREDENTIALS_URI: uri }) };
    const resolved = await resolveCredentials({ ...lookup, onSecret: (value) => first.push(value) });
    const shared = await resolveCredentials({ ...lookup, onSecret: (value) => second.push(value) });
    expect(shared).toBe(resolved);
    expect(second).toEqual(["uri-secret-1", "uri-token-1"]);

    const realNow = Date.now();
    jest.spyOn(Date, "now").mockImplementation(() => realNow + 50 * 60_000);
    expect((await keysOf(shared)).id).toBe("STS.uri-2");
    expect(first).toEqual(["uri-secret-1", "uri-token-1", "uri-secret-2", "uri-token-2"]);
    expect(second).toEqual(first);
  });

  it("GIVEN an earlier default-chain source that fails THEN the chain goes on to the URI", async () => {
    serve = stsKeys;
    const file = path.join(home, "creds.ini");
    writeFileSync(file, "[default]\ntype=access_key\naccess_key_id=x\naccess_key_secret=y\n");
    const resolved = await resolveCredentials({
      config: config(),
      env: env({
        ALIBABA_CLOUD_CREDENTIALS_FILE: file,
        ALIBABA_CLOUD_PROFILE: "absent",
        ALIBABA_CLOUD_CREDENTIALS_URI: uri,
      }),
    });
    expect(resolved.source).toBe(`credentials URI ${new URL(uri).origin}`);
  });

  it("GIVEN a URI that answers without a token THEN the three ways, the attempt, and no secret", async () => {
    serve = () => ({ status: 200, body: { AccessKeyId: "STS.x", AccessKeySecret: "leaky-secret-value" } });
    const err = await rejection(
      resolveCredentials({ config: config(), env: env({ ALIBABA_CLOUD_CREDENTIALS_URI: uri }) }),
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(
      `No Alibaba Cloud credentials found. Provide them in one of three ways:${THREE_WAYS}.\nTried: credentials ` +
        `URI ${new URL(uri).origin}: error retrieving credentials from credentialsURI result: ` +
        '{"AccessKeyId":"STS.x","AccessKeySecret":"***"}.',
    );
    expect(err.message).not.toContain("leaky-secret-value");
  });

  it("does not cache a failure: the next resolution tries again", async () => {
    serve = () => ({ status: 500, body: { Code: "InternalError" } });
    const options = { config: config(), env: env({ ALIBABA_CLOUD_CREDENTIALS_URI: uri }) };
    await expect(resolveCredentials(options)).rejects.toThrow(ConfigError);
    serve = stsKeys;
    expect((await resolveCredentials(options)).source).toBe(`credentials URI ${new URL(uri).origin}`);
  });
});

describe("default chain selection (OIDC and ECS need the real STS and metadata hosts: selection only)", () => {
  const oidcEnv = {
    ALIBABA_CLOUD_ROLE_ARN: "acs:ram::1234567890:role/ci-deployer",
    ALIBABA_CLOUD_OIDC_PROVIDER_ARN: "acs:ram::1234567890:oidc-provider/github",
    ALIBABA_CLOUD_OIDC_TOKEN_FILE: "/var/run/secrets/tokens/oidc-token",
  };

  it("selects the OIDC role first when its three variables are set, and builds the SDK's OIDC provider", async () => {
    const candidates = credentialCandidates({ config: config(), env: env(oidcEnv) });
    expect(candidates.map((c) => [c.kind, c.source])).toEqual([
      ["oidc_role_arn", "OIDC role acs:ram::1234567890:role/ci-deployer"],
    ]);
    // Building makes no network call; only getCredentials would reach STS.
    const built = await candidates[0].build();
    expect(built.provider.getProviderName()).toBe("oidc_role_arn");
  });

  it("skips a half-configured OIDC role, as the SDK does", () => {
    const { ALIBABA_CLOUD_OIDC_TOKEN_FILE: _omit, ...partial } = oidcEnv;
    expect(credentialCandidates({ config: config(), env: env(partial) })).toEqual([]);
  });

  it("selects the ECS RAM role unless the metadata service is disabled", async () => {
    const enabled = { HOME: home, ALIBABA_CLOUD_ECS_METADATA: "ecs-role" };
    const candidates = credentialCandidates({ config: config(), env: enabled });
    expect(candidates.map((c) => [c.kind, c.source])).toEqual([["ecs_ram_role", "ECS RAM role 'ecs-role'"]]);
    expect(credentialCandidates({ config: config(), env: { HOME: home } }).map((c) => c.source)).toEqual([
      "ECS RAM role (from the instance metadata)",
    ]);
    expect(
      credentialCandidates({ config: config(), env: env({ ALIBABA_CLOUD_ECS_METADATA: "ecs-role" }) }),
    ).toEqual([]);

    // The SDK's builder refuses while process.env disables IMDS, so lift that for the build only (no fetch).
    delete process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED;
    try {
      expect((await candidates[0].build()).provider.getProviderName()).toBe("ecs_ram_role");
    } finally {
      process.env.ALIBABA_CLOUD_ECS_METADATA_DISABLED = "true";
    }
  });

  it("orders the default chain as @alicloud/credentials 2.4.7 does", () => {
    mkdirSync(path.join(home, ".aliyun"));
    writeFileSync(path.join(home, ".aliyun", "config.json"), "{}");
    const file = path.join(home, "creds.ini");
    writeFileSync(file, "");
    const candidates = credentialCandidates({
      config: config(),
      env: {
        HOME: home,
        ...oidcEnv,
        ALIBABA_CLOUD_CREDENTIALS_FILE: file,
        ALIBABA_CLOUD_CREDENTIALS_URI: "http://127.0.0.1:1/c",
      },
    });
    expect(candidates.map((c) => c.kind)).toEqual([
      "oidc_role_arn",
      "cli_profile",
      "profile",
      "ecs_ram_role",
      "credentials_uri",
    ]);
  });

  it("GIVEN explicit keys THEN the default chain is not consulted", () => {
    const candidates = credentialCandidates({
      config: config(),
      env: env({
        ...oidcEnv,
        ALIBABA_CLOUD_ACCESS_KEY_ID: "LTAIx",
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: "s-secret",
      }),
    });
    expect(candidates.map((c) => c.kind)).toEqual(["static"]);
  });
});

describe("missing credentials", () => {
  it("GIVEN no source at all THEN a ConfigError listing the three ways", async () => {
    const err = await rejection(resolveCredentials({ config: config(), env: env() }));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(
      `No Alibaba Cloud credentials found. Provide them in one of three ways:${THREE_WAYS}.`,
    );
  });
});
