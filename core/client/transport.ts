import OpenApiClient, { Config, OpenApiRequest, Params } from "@alicloud/openapi-client";
import { RuntimeOptions } from "@alicloud/tea-util";
import type Credential from "@alicloud/credentials";
import { isWriteAction, markNotSent } from "../resilience/classify";
import { parseEndpoint } from "../config/endpoint";
import { beginWrite, EngineGoneError } from "../engine-watch";
import { ConfigError, MpsApiError } from "../errors";
import { credentialsError, toMpsApiError, type CallContext } from "./error-mapping";
import { installConnectionPolicy, neverEstablished, withConnectionPolicy } from "./connections";
import { routeThroughProxy } from "./proxy";

/**
 * The wire. This is the only module that imports `@alicloud/openapi-client`; everything above it takes a
 * `Transport`, so tests can replace the network and the SDK can be swapped in one place.
 */

/** MPS API version of every fingerprint-library action. */
export const MPS_API_VERSION = "2014-06-18";

/**
 * What openapi-client needs from a credential: an `@alicloud/credentials` `Credential` (static, STS, OIDC, URI,
 * profile...). It is asked for keys on every request, so refreshing providers hand out fresh ones during long
 * waits, and no key is ever copied into this package's objects.
 */
export type CredentialLike = Pick<Credential, "getCredential">;

/** Code of the error for a write refused because the engine is gone (it was certainly not sent). */
export const ENGINE_GONE_CODE = "EngineGone";

/** How to reach MPS. */
export interface TransportOptions {
  /** `http://127.0.0.1:1234` (loopback only), `https://mts.cn-hangzhou.aliyuncs.com` or a bare host (HTTPS). */
  endpoint: string;
  credential: CredentialLike;
  /** TCP connect (socket idle) timeout in milliseconds. */
  connectTimeoutMs: number;
  /** Time allowed for the whole answer after connecting, in milliseconds. */
  readTimeoutMs: number;
  /** Appended to the SDK's user agent. */
  userAgent?: string;
}

/** Sends one signed MPS RPC call and returns its parsed JSON body, or throws an `MpsApiError`. */
export interface Transport {
  /** `host[:port]` of the endpoint: the key under which rate limits are shared. */
  readonly endpointHost: string;
  call(action: string, query: Record<string, string>): Promise<Record<string, unknown>>;
}

/**
 * Builds the openapi-client based transport: V3 signature, SDK retry off, explicit timeouts, and for a
 * non-loopback endpoint the `HTTPS_PROXY` / `NO_PROXY` of the environment applied (see ./proxy).
 */
export function createTransport(options: TransportOptions): Transport {
  return new OpenApiTransport(options);
}

class OpenApiTransport implements Transport {
  readonly endpointHost: string;
  private readonly client: OpenApiClient;
  private readonly runtime: RuntimeOptions;

  constructor(private readonly options: TransportOptions) {
    const parsed = parseEndpoint(options.endpoint);
    if (!parsed.ok) throw new ConfigError(`MPS endpoint "${options.endpoint}" ${parsed.problem}.`);
    const endpoint = parsed.endpoint;
    this.endpointHost = endpoint.host;
    // Before the proxy hook, so that the proxy hook wraps it and it sees the tunnel agent of a proxied write.
    installConnectionPolicy();
    // openapi-client never applies proxy settings itself; the hook in ./proxy does it for the MPS host and the
    // STS hosts. Loopback endpoints (the emulator) never use a proxy, so they do not install it.
    if (!endpoint.loopback) routeThroughProxy(new URL(endpoint.url).hostname);
    this.client = new OpenApiClient(
      new Config({
        endpoint: endpoint.host,
        protocol: endpoint.protocol,
        // The SDK types the credential as its own Credential class; it only ever calls getCredential() on the
        // V3 path used here (see doRequest in openapi-client 0.4.15).
        credential: options.credential as Credential,
        readTimeout: options.readTimeoutMs,
        connectTimeout: options.connectTimeoutMs,
        userAgent: options.userAgent,
      }),
    );
    // Retries belong to our retry layer, which knows which failures a write survived.
    this.runtime = new RuntimeOptions({
      autoretry: false,
      maxAttempts: 1,
      readTimeout: options.readTimeoutMs,
      connectTimeout: options.connectTimeoutMs,
    });
  }

  async call(action: string, query: Record<string, string>): Promise<Record<string, unknown>> {
    const context: CallContext = {
      action,
      write: isWriteAction(action),
      endpoint: this.options.endpoint,
      connectTimeoutMs: this.options.connectTimeoutMs,
      readTimeoutMs: this.options.readTimeoutMs,
    };
    try {
      // Asked here first so a credentials failure is known to have happened before anything was sent. The
      // SDK asks again right after; providers cache, so this costs no second token exchange.
      await this.options.credential.getCredential();
    } catch (error) {
      throw credentialsError(error, context);
    }
    let settled: () => void;
    try {
      // A write on the wire holds the provider host open should its engine die meanwhile (see ../engine-watch).
      settled = context.write ? beginWrite(action) : () => undefined;
    } catch (error) {
      if (error instanceof EngineGoneError)
        throw new MpsApiError(error.message, action, ENGINE_GONE_CODE, "fatal");
      throw error;
    }
    // A write gets a connection of its own, never one that sat idle (see ./connections).
    const { facts, result } = withConnectionPolicy(context.write, () =>
      this.client.callApi(
        new Params({
          action,
          version: MPS_API_VERSION,
          protocol: "HTTPS",
          pathname: "/",
          method: "POST",
          authType: "AK",
          style: "RPC",
          reqBodyType: "formData",
          bodyType: "json",
        }),
        new OpenApiRequest({ query }),
        this.runtime,
      ),
    );
    try {
      const response = await result;
      const body: unknown = response?.body;
      if (typeof body !== "object" || body === null || Array.isArray(body)) {
        throw new SyntaxError("The value is not a object");
      }
      return body as Record<string, unknown>;
    } catch (error) {
      const mapped = toMpsApiError(error, context);
      if (mapped.kind !== "ambiguous" || !neverEstablished(facts)) throw mapped;
      // No request byte leaves before the connection is established: certainly not sent, even for a write.
      const notSent = toMpsApiError(markNotSent(error), context);
      throw notSent.withMessage(
        `${notSent.message} The connection to ${this.options.endpoint} was never established, so the request ` +
          "was not sent.",
      );
    } finally {
      settled();
    }
  }
}
