import OpenApiClient, { Config, OpenApiRequest, Params } from "@alicloud/openapi-client";
import { RuntimeOptions } from "@alicloud/tea-util";
import type Credential from "@alicloud/credentials";
import { isWriteAction } from "../resilience/classify";
import { parseEndpoint } from "../config/endpoint";
import { ConfigError } from "../errors";
import { installConnectionPolicy } from "./connections";
import { MPS_RPC_PARAMS } from "./mps-rpc";
import { routeThroughProxy } from "./proxy";
import {
  compose,
  connectionPolicy,
  credentialsFirst,
  engineGate,
  errorMapping,
  wasItSent,
  type Call,
  type Send,
} from "./transport-steps";

export { MPS_API_VERSION } from "./mps-rpc";
export { ENGINE_GONE_CODE } from "./transport-steps";

/**
 * The wire. This is the only module that imports `@alicloud/openapi-client`; everything above it takes a
 * `Transport`, so tests can replace the network and the SDK can be swapped in one place.
 */

/**
 * What openapi-client needs from a credential: an `@alicloud/credentials` `Credential` (static, STS, OIDC, URI,
 * profile...). It is asked for keys on every request, so refreshing providers hand out fresh ones during long
 * waits, and no key is ever copied into this package's objects.
 */
export type CredentialLike = Pick<Credential, "getCredential">;

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

/**
 * How the core gets a transport for an endpoint and credential. A front end or a test passes its own (a fake
 * network, or the real one wrapped) where clients are built; {@link createTransport} is the default.
 */
export type TransportFactory = (options: TransportOptions) => Transport;

class OpenApiTransport implements Transport {
  readonly endpointHost: string;
  private readonly client: OpenApiClient;
  private readonly runtime: RuntimeOptions;
  private readonly send: Send;

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
    // The order is the contract (see ./transport-steps): nothing is sent before the keys and the engine allow
    // it, and the was-it-sent verdict sees both the raw failure and what the connection policy observed.
    this.send = compose(
      [credentialsFirst(options.credential), engineGate(), errorMapping(), wasItSent(), connectionPolicy()],
      (call) => this.sendThroughSdk(call),
    );
  }

  async call(action: string, query: Record<string, string>): Promise<Record<string, unknown>> {
    return this.send({
      action,
      query,
      write: isWriteAction(action),
      endpoint: this.options.endpoint,
      connectTimeoutMs: this.options.connectTimeoutMs,
      readTimeoutMs: this.options.readTimeoutMs,
    });
  }

  /** The SDK call itself, innermost of the steps: the answer's body, which must be a JSON object. */
  private async sendThroughSdk(call: Call): Promise<Record<string, unknown>> {
    const response = await this.client.callApi(
      new Params({ action: call.action, ...MPS_RPC_PARAMS }),
      new OpenApiRequest({ query: { ...call.query } }),
      this.runtime,
    );
    const body: unknown = response?.body;
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new SyntaxError("The value is not a object");
    }
    return body as Record<string, unknown>;
  }
}
