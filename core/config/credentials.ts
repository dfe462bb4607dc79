/**
 * Credentials for MPS calls, resolved in the provider process (never inputs, outputs or the
 * serialized provider; docs/design.md, 'Credentials and configuration'). The result wraps a
 * self-refreshing `@alicloud/credentials` provider, so STS and OIDC tokens that expire during a
 * 30-minute wait are renewed on the next call. One credential is kept per identity and process, so
 * every client for that identity shares it.
 */
import Credential, { type CredentialsProvider } from "@alicloud/credentials";
import { ConfigError, CredentialSourceError } from "../errors";
import { redact } from "../log";
import {
  credentialCandidates,
  type CredentialCandidate,
  type CredentialLookup,
  type CredentialSourceKind,
} from "./credential-sources";

export { resolveRegion } from "./region";
export {
  credentialCandidates,
  type CredentialCandidate,
  type CredentialSourceKind,
} from "./credential-sources";
import { clauseOf } from "../text";

/** Credentials ready for the transport. */
export interface ResolvedCredentials {
  /** Pass to the SDK client's `credential`; it fetches and refreshes by itself. */
  credential: Credential;
  /** Where they came from, without secrets: `stack config alicloud:accessKey`, `profile 'dev' in /path`, ... */
  source: string;
  kind: CredentialSourceKind;
  /** Non-secret cache key of the identity (secrets appear only as hashes). */
  identity: string;
  /** First 4 characters of the AccessKey id and `***`, for logs. */
  accessKeyIdHint?: string;
  /**
   * Values the logger must redact: the AccessKey secret and security token seen so far. Refreshed values are
   * appended here and passed to every `onSecret` as they arrive.
   */
  secrets: string[];
  /**
   * Tells `listener` every secret seen so far and every one fetched later. Resolved credentials are shared by
   * every provider context of the process (the cache below), and each context has its own redacting logger: each
   * one subscribes, so a token refreshed during a wait is redacted by all of them.
   */
  watchSecrets(listener: (value: string) => void): void;
}

/** Lookup options plus a hook that receives every secret value as it is fetched (e.g. `log.registerSecret`). */
export interface ResolveCredentialsOptions extends CredentialLookup {
  onSecret?: (value: string) => void;
}

/** The three ways, as every missing-credential message lists them. */
export const CREDENTIAL_WAYS_TEXT =
  "\n  (1) stack config: `pulumi config set alicloud:accessKey <id>` and `pulumi config set --secret " +
  "alicloud:secretKey <secret>` (plus `alicloud:securityToken` for STS), or `alicloud:profile <name>`;\n  " +
  "(2) environment: ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (plus " +
  "ALIBABA_CLOUD_SECURITY_TOKEN), or ALICLOUD_ACCESS_KEY and ALICLOUD_SECRET_KEY (plus ALICLOUD_SECURITY_TOKEN);\n  " +
  "(3) the Alibaba Cloud default chain: a profile in ~/.alibabacloud/credentials (ALIBABA_CLOUD_CREDENTIALS_FILE, " +
  "ALIBABA_CLOUD_PROFILE) or ~/.aliyun/config.json, an OIDC role (ALIBABA_CLOUD_ROLE_ARN, " +
  "ALIBABA_CLOUD_OIDC_PROVIDER_ARN, ALIBABA_CLOUD_OIDC_TOKEN_FILE), an ECS RAM role (ALIBABA_CLOUD_ECS_METADATA) " +
  "or a credentials URI (ALIBABA_CLOUD_CREDENTIALS_URI)";

/**
 * Process-wide: resolved credentials per identity, shared by every provider context of the process (one per
 * serialized shim text the host has loaded), so a source is asked once and refreshes once.
 */
const cache = new Map<string, Promise<ResolvedCredentials>>();

/** Forgets every cached credential (tests; a process normally keeps them for its whole life). */
export function clearCredentialCache(): void {
  cache.clear();
}

/**
 * Resolves the credentials for an identity: the first source that applies wins (see credential-sources.ts), and
 * it is asked once for credentials, so a broken source fails here with a `ConfigError` rather than in the middle
 * of an operation. Default-chain sources that fail are skipped, as the SDK's chain does; explicitly configured
 * ones are not. Cached per identity; a failure is not cached.
 */
export function resolveCredentials(o: ResolveCredentialsOptions): Promise<ResolvedCredentials> {
  let candidates: CredentialCandidate[];
  try {
    candidates = credentialCandidates(o);
  } catch (err) {
    return Promise.reject(err);
  }
  const key = candidates.map((c) => c.identity).join("\n");
  let resolved = cache.get(key);
  if (!resolved) {
    const fresh = firstWorking(candidates);
    fresh.catch(() => cache.delete(key));
    cache.set(key, fresh);
    resolved = fresh;
  }
  const onSecret = o.onSecret;
  if (!onSecret) return resolved;
  return resolved.then((credentials) => {
    credentials.watchSecrets(onSecret);
    return credentials;
  });
}

async function firstWorking(candidates: CredentialCandidate[]): Promise<ResolvedCredentials> {
  const failures: string[] = [];
  for (const candidate of candidates) {
    try {
      return await probe(candidate);
    } catch (err) {
      if (candidate.explicit) {
        if (err instanceof ConfigError) throw err;
        throw new ConfigError(
          `Could not get credentials from ${candidate.source}: ${redact(clauseOf(err), candidate.secrets)}. ` +
            "Fix that source, or remove it to use the next one:" +
            CREDENTIAL_WAYS_TEXT +
            ".",
        );
      }
      failures.push(`${candidate.source}: ${redact(clauseOf(err), candidate.secrets)}`);
    }
  }
  const tried = failures.length > 0 ? `\nTried: ${failures.join("; ")}.` : "";
  throw new ConfigError(
    `No Alibaba Cloud credentials found. Provide them in one of three ways:${CREDENTIAL_WAYS_TEXT}.${tried}`,
  );
}

async function probe(candidate: CredentialCandidate): Promise<ResolvedCredentials> {
  const built = await candidate.build();
  const secrets: string[] = [];
  const listeners = new Set<(value: string) => void>();
  const remember = (value: string | undefined) => {
    if (!value || secrets.includes(value)) return;
    secrets.push(value);
    for (const listener of listeners) listener(value);
  };
  const credential = new Credential(null, new ObservedProvider(built.provider, remember));
  const first = await credential.getCredential();
  if (!first.accessKeyId || !first.accessKeySecret)
    throw new CredentialSourceError("the source returned no AccessKey");
  const resolved: ResolvedCredentials = {
    credential,
    source: built.source,
    kind: candidate.kind,
    identity: candidate.identity,
    accessKeyIdHint: `${first.accessKeyId.slice(0, 4)}***`,
    secrets,
    watchSecrets(listener) {
      if (listeners.has(listener)) return;
      listeners.add(listener);
      for (const value of secrets) listener(value);
    },
  };
  return resolved;
}

/**
 * Passes every fetch through to the SDK provider and reports the secret values it returns, so a refreshed token
 * is redacted from logs like the first one.
 */
class ObservedProvider implements CredentialsProvider {
  constructor(
    private readonly inner: CredentialsProvider,
    private readonly remember: (value: string | undefined) => void,
  ) {}

  getProviderName(): string {
    return this.inner.getProviderName();
  }

  async getCredentials(): ReturnType<CredentialsProvider["getCredentials"]> {
    const credentials = await this.inner.getCredentials();
    this.remember(credentials.accessKeySecret);
    this.remember(credentials.securityToken);
    return credentials;
  }
}

/** The error's message without a closing period, so it can sit inside a sentence. */
