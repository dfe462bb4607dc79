/**
 * How every MPS action goes through `@alicloud/openapi-client`'s `callApi`, as the generated mts SDK sends it: an
 * RPC-style POST to `/`, the business parameters in the query (or a form body), a JSON answer (docs/mps-api.md,
 * 'SDK client behaviour'). The tests' SDK caller and the naive benchmark provider build their `Params` from it.
 *
 * Plain data, importing nothing: the naive provider is serialized into Pulumi's provider host, and Pulumi's
 * closure serializer copies a captured plain value as it is.
 */
export const MPS_RPC_PARAMS = {
  version: "2014-06-18",
  protocol: "HTTPS",
  pathname: "/",
  method: "POST",
  authType: "AK",
  style: "RPC",
  reqBodyType: "formData",
  bodyType: "json",
} as const;
