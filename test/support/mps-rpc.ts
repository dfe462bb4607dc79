/**
 * The openapi `Params` of every MPS action (all but the action), for the tests' SDK caller and the naive
 * benchmark provider: the transport's own, so the callers cannot drift from what the provider sends.
 */
import { MPS_RPC_PARAMS as TRANSPORT_PARAMS } from "../../core/client/mps-rpc";

// A value of its own, not a re-export: a re-export is a getter on the module, and the naive provider is
// serialized into Pulumi's provider host, whose closure serializer copies a captured plain value as it is.
export const MPS_RPC_PARAMS = TRANSPORT_PARAMS;
