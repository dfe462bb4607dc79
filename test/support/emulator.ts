import OpenApi, * as $OpenApi from "@alicloud/openapi-client";
import * as $Util from "@alicloud/tea-util";
import { DEFAULT_ACCESS_KEY_ID, DEFAULT_ACCESS_KEY_SECRET } from "../../emulator";
import { MPS_RPC_PARAMS } from "./mps-rpc";
import { rejection } from "./thrown";

/** How a test talks to the emulator through the real SDK. */
export interface SdkCallerOptions {
  /** `127.0.0.1:PORT` */
  host: string;
  accessKeyId?: string;
  accessKeySecret?: string;
  securityToken?: string;
  /** `"v2"` selects the legacy HMAC-SHA1 RPC signature; default V3 (ACS3-HMAC-SHA256). */
  signatureAlgorithm?: "v2";
  readTimeoutMs?: number;
}

/** The answer of a successful call. */
export interface SdkAnswer {
  body: Record<string, unknown>;
  statusCode: number;
}

/** Calls one MPS action the way the generated mts SDK does: business params in the query (or a form body). */
export type SdkCaller = (
  action: string,
  query?: Record<string, string>,
  body?: Record<string, string>,
) => Promise<SdkAnswer>;

/** A caller backed by a real `@alicloud/openapi-client` 0.4.15 client (SDK retries off). */
export function sdkCaller(options: SdkCallerOptions): SdkCaller {
  const client = new OpenApi(
    new $OpenApi.Config({
      accessKeyId: options.accessKeyId ?? DEFAULT_ACCESS_KEY_ID,
      accessKeySecret: options.accessKeySecret ?? DEFAULT_ACCESS_KEY_SECRET,
      securityToken: options.securityToken,
      endpoint: options.host,
      protocol: "http",
      signatureAlgorithm: options.signatureAlgorithm,
    }),
  );
  return async (action, query = {}, body) => {
    const params = new $OpenApi.Params({ action, ...MPS_RPC_PARAMS });
    const request = new $OpenApi.OpenApiRequest(body ? { query, body } : { query });
    const runtime = new $Util.RuntimeOptions({
      autoretry: false,
      readTimeout: options.readTimeoutMs ?? 5000,
      connectTimeout: 5000,
    });
    const answer = await client.callApi(params, request, runtime);
    return { body: answer.body as Record<string, unknown>, statusCode: answer.statusCode as number };
  };
}

/** The fields of the SDK's ResponseError that tests assert on. */
export interface SdkError {
  name: string;
  code: string;
  statusCode: number;
  message: string;
  data: Record<string, unknown>;
}

/** Awaits a call expected to fail and returns its error (fails the test if it succeeded). */
export async function sdkError(call: Promise<unknown>): Promise<SdkError> {
  return (await rejection(call)) as unknown as SdkError;
}
