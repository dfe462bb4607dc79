/**
 * Which credentials source applies, in the order of docs/design.md, 'Credentials and configuration': a
 * resource's `profile` input, stack config (`alicloud:accessKey`/`secretKey`/`securityToken`,
 * `alicloud:profile`), the two environment families, then the `@alicloud/credentials` default chain in its
 * own order (2.4.7 `providers/default.js`: OIDC role, CLI profile, credentials file profile, ECS RAM role,
 * credentials URI). Everything is decided from the given config and environment, never from `process.env`,
 * and without network calls; building a candidate's provider makes none.
 */
import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { createHash } from "node:crypto";
import {
  CLIProfileCredentialsProvider,
  ECSRAMRoleCredentialsProvider,
  OIDCRoleArnCredentialsProvider,
  ProfileCredentialsProvider,
  StaticAKCredentialsProvider,
  StaticSTSCredentialsProvider,
  URICredentialsProvider,
  type CredentialsProvider,
} from "@alicloud/credentials";
import { ConfigError, CredentialSourceError } from "../errors";
import { parseIni } from "./ini";
import type { ConfigSource } from "./settings";
import { messageOf, nonEmpty } from "../text";

/** The kinds of source, as tests and logs name them. */
export type CredentialSourceKind =
  "static" | "profile" | "cli_profile" | "oidc_role_arn" | "ecs_ram_role" | "credentials_uri";

/** A built source: the SDK provider and its final description (with the file a profile was found in). */
export interface BuiltSource {
  provider: CredentialsProvider;
  source: string;
}

/** One place credentials may come from. */
export interface CredentialCandidate {
  kind: CredentialSourceKind;
  /** Non-secret description, e.g. `environment ALIBABA_CLOUD_ACCESS_KEY_ID`. */
  source: string;
  /** Non-secret key of the identity (secrets only as hashes), for caching one credential per identity. */
  identity: string;
  /** Secret values known before building, so error messages can be redacted. */
  secrets: string[];
  /** Asked for by name (config, environment, a profile): a failure is reported, not skipped. */
  explicit: boolean;
  build(): Promise<BuiltSource>;
}

/** Options of a resolution: the stack config, the environment and the resource's `profile` input. */
export interface CredentialLookup {
  config: ConfigSource;
  env: NodeJS.ProcessEnv;
  profile?: string;
}

/**
 * The candidates to try, in order. An explicit source (a profile name, config keys, environment keys) is the
 * only candidate; otherwise the default chain's sources that are configured, in the SDK's order. Throws
 * `ConfigError` for half-configured keys (an AccessKey id without its secret).
 */
export function credentialCandidates(o: CredentialLookup): CredentialCandidate[] {
  const { config, env } = o;
  const resourceProfile = nonEmpty(o.profile);
  if (resourceProfile) return [namedProfile(resourceProfile, env, "the `profile` input")];

  const fromConfig = staticPair(
    {
      id: config.get("alicloud:accessKey"),
      secret: config.get("alicloud:secretKey"),
      token: config.get("alicloud:securityToken"),
    },
    { id: "alicloud:accessKey", secret: "alicloud:secretKey", token: "alicloud:securityToken" },
    "stack config",
  );
  if (fromConfig) return [fromConfig];
  const configProfile = nonEmpty(config.get("alicloud:profile"));
  if (configProfile) return [namedProfile(configProfile, env, "stack config `alicloud:profile`")];

  for (const names of ENV_FAMILIES) {
    const fromEnv = staticPair(
      { id: env[names.id], secret: env[names.secret], token: env[names.token] },
      names,
      "environment",
    );
    if (fromEnv) return [fromEnv];
  }
  return defaultChain(env);
}

const ENV_FAMILIES = [
  {
    id: "ALIBABA_CLOUD_ACCESS_KEY_ID",
    secret: "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
    token: "ALIBABA_CLOUD_SECURITY_TOKEN",
  },
  { id: "ALICLOUD_ACCESS_KEY", secret: "ALICLOUD_SECRET_KEY", token: "ALICLOUD_SECURITY_TOKEN" },
] as const;

function staticPair(
  values: { id?: string; secret?: string; token?: string },
  names: { id: string; secret: string; token: string },
  where: "stack config" | "environment",
): CredentialCandidate | undefined {
  const id = nonEmpty(values.id);
  const secret = nonEmpty(values.secret);
  const token = nonEmpty(values.token);
  if (!id && !secret) return undefined;
  if (!id || !secret) {
    const [has, lacks] = id ? [names.id, names.secret] : [names.secret, names.id];
    throw new ConfigError(
      where === "stack config"
        ? `Stack config has \`${has}\` but not \`${lacks}\`. Set both: \`pulumi config set ${names.id} <id>\` ` +
            `and \`pulumi config set --secret ${names.secret} <secret>\`.`
        : `The environment has ${has} but not ${lacks}. Set both variables, or neither.`,
    );
  }
  const source = `${where} ${names.id}${token ? ` with ${names.token}` : ""}`;
  const secrets = token ? [secret, token] : [secret];
  return {
    kind: "static",
    source,
    identity: `static:${digest([id, ...secrets])}`,
    secrets,
    explicit: true,
    build: async () => ({
      source,
      provider: token
        ? StaticSTSCredentialsProvider.builder()
            .withAccessKeyId(id)
            .withAccessKeySecret(secret)
            .withSecurityToken(token)
            .build()
        : StaticAKCredentialsProvider.builder().withAccessKeyId(id).withAccessKeySecret(secret).build(),
    }),
  };
}

/** `~/.aliyun/config.json`, the Alibaba Cloud CLI's profiles (JSON). */
export function cliConfigPath(env: NodeJS.ProcessEnv): string {
  return path.join(homeDir(env), ".aliyun", "config.json");
}

/** The credentials file (INI): `ALIBABA_CLOUD_CREDENTIALS_FILE`, else `~/.alibabacloud/credentials`. */
export function credentialsFilePath(env: NodeJS.ProcessEnv): string {
  return (
    nonEmpty(env.ALIBABA_CLOUD_CREDENTIALS_FILE) ?? path.join(homeDir(env), ".alibabacloud", "credentials")
  );
}

function homeDir(env: NodeJS.ProcessEnv): string {
  return nonEmpty(env.HOME) ?? nonEmpty(env.USERPROFILE) ?? os.homedir();
}

/** A profile asked for by name: looked up in the CLI config, then in the credentials file. */
function namedProfile(name: string, env: NodeJS.ProcessEnv, via: string): CredentialCandidate {
  const cliPath = cliConfigPath(env);
  const filePath = credentialsFilePath(env);
  return {
    kind: "profile",
    source: `profile '${name}' (from ${via})`,
    identity: `profile:${name}:${cliPath}:${filePath}`,
    secrets: [],
    explicit: true,
    build: async () => {
      const fromCli = await cliProfile(cliPath, name, env);
      if (fromCli) return fromCli;
      const fromFile = await fileProfile(filePath, name);
      if (fromFile) return fromFile;
      throw new ConfigError(
        `Credentials profile '${name}' (from ${via}) was found neither in ${cliPath} nor in ${filePath}. Add it to ` +
          "one of them (ALIBABA_CLOUD_CREDENTIALS_FILE points at another credentials file), or fix the profile name.",
      );
    },
  };
}

function defaultChain(env: NodeJS.ProcessEnv): CredentialCandidate[] {
  const chain: CredentialCandidate[] = [];
  const profileName = nonEmpty(env.ALIBABA_CLOUD_PROFILE);

  const roleArn = nonEmpty(env.ALIBABA_CLOUD_ROLE_ARN);
  const oidcProviderArn = nonEmpty(env.ALIBABA_CLOUD_OIDC_PROVIDER_ARN);
  const oidcTokenFile = nonEmpty(env.ALIBABA_CLOUD_OIDC_TOKEN_FILE);
  if (roleArn && oidcProviderArn && oidcTokenFile) {
    chain.push(oidcCandidate(env, roleArn, oidcProviderArn, oidcTokenFile));
  }

  const cliPath = cliConfigPath(env);
  if (!isTrue(env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED) && existsSync(cliPath)) {
    chain.push({
      kind: "cli_profile",
      source: `Alibaba Cloud CLI profile ${profileName ? `'${profileName}'` : "(current)"} in ${cliPath}`,
      identity: `cli_profile:${profileName ?? ""}:${cliPath}`,
      secrets: [],
      explicit: false,
      build: async () => {
        const built = await cliProfile(cliPath, profileName, env);
        if (!built)
          throw new CredentialSourceError(
            `no profile ${profileName ? `'${profileName}'` : "(current)"} in ${cliPath}`,
          );
        return built;
      },
    });
  }

  const filePath = credentialsFilePath(env);
  if (existsSync(filePath)) {
    const name = profileName ?? "default";
    chain.push({
      kind: "profile",
      source: `profile '${name}' in ${filePath}`,
      identity: `profile:${name}:${filePath}`,
      secrets: [],
      explicit: false,
      build: async () => {
        const built = await fileProfile(filePath, name);
        if (!built) throw new CredentialSourceError(`no profile '${name}' in ${filePath}`);
        return built;
      },
    });
  }

  if (!isTrue(env.ALIBABA_CLOUD_ECS_METADATA_DISABLED)) chain.push(ecsCandidate(env));

  const uri = nonEmpty(env.ALIBABA_CLOUD_CREDENTIALS_URI);
  if (uri) {
    const source = `credentials URI ${originOf(uri)}`;
    chain.push({
      kind: "credentials_uri",
      source,
      identity: `credentials_uri:${digest([uri])}`,
      secrets: [],
      explicit: false,
      build: async () => ({
        source,
        provider: URICredentialsProvider.builder().withCredentialsURI(uri).build(),
      }),
    });
  }
  return chain;
}

function oidcCandidate(
  env: NodeJS.ProcessEnv,
  roleArn: string,
  oidcProviderArn: string,
  tokenFile: string,
): CredentialCandidate {
  const source = `OIDC role ${roleArn}`;
  return {
    kind: "oidc_role_arn",
    source,
    identity: `oidc:${roleArn}:${oidcProviderArn}:${tokenFile}`,
    secrets: [],
    explicit: false,
    build: async () => {
      const builder = OIDCRoleArnCredentialsProvider.builder()
        .withRoleArn(roleArn)
        .withOIDCProviderArn(oidcProviderArn)
        .withOIDCTokenFilePath(tokenFile)
        .withEnableVpc(isTrue(env.ALIBABA_CLOUD_VPC_ENDPOINT_ENABLED));
      const sessionName = nonEmpty(env.ALIBABA_CLOUD_ROLE_SESSION_NAME);
      if (sessionName) builder.withRoleSessionName(sessionName);
      const stsRegion = nonEmpty(env.ALIBABA_CLOUD_STS_REGION);
      if (stsRegion) builder.withStsRegionId(stsRegion);
      return { source, provider: builder.build() };
    },
  };
}

function ecsCandidate(env: NodeJS.ProcessEnv): CredentialCandidate {
  const role = nonEmpty(env.ALIBABA_CLOUD_ECS_METADATA);
  const source = role ? `ECS RAM role '${role}'` : "ECS RAM role (from the instance metadata)";
  return {
    kind: "ecs_ram_role",
    source,
    identity: `ecs:${role ?? ""}`,
    secrets: [],
    explicit: false,
    build: async () => {
      const builder = ECSRAMRoleCredentialsProvider.builder().withDisableIMDSv1(
        isTrue(env.ALIBABA_CLOUD_IMDSV1_DISABLED),
      );
      if (role) builder.withRoleName(role);
      return { source, provider: builder.build() };
    },
  };
}

/** A profile from the CLI config, or undefined when the file or the profile is absent. */
async function cliProfile(
  file: string,
  name: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<BuiltSource | undefined> {
  if (isTrue(env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED) || !existsSync(file)) return undefined;
  let conf: { current?: unknown; profiles?: unknown };
  try {
    conf = JSON.parse(await readFile(file, "utf8")) as typeof conf;
  } catch (err) {
    throw new ConfigError(
      `The Alibaba Cloud CLI config ${file} is not valid JSON (${messageOf(err)}). Fix or remove it.`,
    );
  }
  const wanted = name ?? (typeof conf.current === "string" ? conf.current : undefined);
  const profiles = Array.isArray(conf.profiles) ? (conf.profiles as { name?: unknown }[]) : [];
  if (!wanted || !profiles.some((p) => p && p.name === wanted)) return undefined;
  // The mapping from a CLI profile's `mode` to a provider (AK, StsToken, RamRoleArn, EcsRamRole, OIDC, ...)
  // is the SDK's own; it is declared private in 2.4.7's typings, so it is reached through a checked cast
  // (package.json keeps @alicloud/credentials on the 2.4 line for it).
  const outer = CLIProfileCredentialsProvider.builder().withProfileName(wanted).build() as unknown as {
    getCredentialsProvider?: (conf: unknown, profileName: string) => CredentialsProvider;
  };
  if (typeof outer.getCredentialsProvider !== "function") {
    throw new ConfigError(
      "This @alicloud/credentials version cannot read Alibaba Cloud CLI profiles; use a credentials file profile.",
    );
  }
  return {
    source: `Alibaba Cloud CLI profile '${wanted}' in ${file}`,
    provider: outer.getCredentialsProvider(conf, wanted),
  };
}

/** A profile from the credentials (INI) file, or undefined when the file or the section is absent. */
async function fileProfile(file: string, name: string): Promise<BuiltSource | undefined> {
  if (!existsSync(file)) return undefined;
  const ini = parseIni(await readFile(file, "utf8"));
  if (!ini[name]) return undefined;
  const provider = ProfileCredentialsProvider.builder()
    .withProfileName(name)
    .build()
    .getCredentialsProvider(ini);
  return { source: `profile '${name}' in ${file}`, provider };
}

/** Scheme, host and port of a URI: its path or query may carry a token, so they never reach a message. */
function originOf(uri: string): string {
  try {
    const url = new URL(uri);
    return `${url.protocol}//${url.host}`;
  } catch {
    return "(unparseable)";
  }
}

function digest(values: string[]): string {
  return createHash("sha256").update(values.join("\u0000")).digest("hex").slice(0, 16);
}

function isTrue(value: string | undefined): boolean {
  return value?.trim().toLowerCase() === "true";
}
