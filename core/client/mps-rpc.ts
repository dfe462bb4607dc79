/**
 * How every MPS action goes through `@alicloud/openapi-client`'s `callApi`, as the generated mts SDK sends it: an
 * RPC-style POST to `/`, the business parameters in the query (or a form body), a JSON answer (docs/mps-api.md,
 * 'SDK client behaviour'). The transport builds its `Params` from it, and so do the tests' SDK caller and the
 * naive benchmark provider, so the three cannot drift apart.
 *
 * Plain data, importing nothing: the naive provider is serialized into Pulumi's provider host, and Pulumi's
 * closure serializer copies a captured plain value as it is.
 */

/** MPS API version of every fingerprint-library action. */
export const MPS_API_VERSION = "2014-06-18";

/** Everything of an openapi `Params` but the action. */
export const MPS_RPC_PARAMS = {
  version: MPS_API_VERSION,
  protocol: "HTTPS",
  pathname: "/",
  method: "POST",
  authType: "AK",
  style: "RPC",
  reqBodyType: "formData",
  bodyType: "json",
} as const;
