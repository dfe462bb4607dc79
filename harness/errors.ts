/**
 * Errors the harness raises when a provider-host call fails.
 */
import type { Props } from "./wire";

/**
 * A failed call to the provider host: a gRPC error status, a missed deadline, or the host process dying while
 * the call was pending.
 */
export class HostCallError extends Error {
  constructor(
    /** The RPC, e.g. `Create`. */
    readonly method: string,
    /** The gRPC status code (2 UNKNOWN for a provider exception, 4 DEADLINE_EXCEEDED, 14 UNAVAILABLE, ...). */
    readonly code: number,
    /** The status details: for a provider exception, its message. */
    readonly details: string,
  ) {
    super(`${method} failed: ${details}`);
    this.name = "HostCallError";
  }
}

/**
 * A Create or Update that failed after the resource came into existence: the provider threw an error carrying
 * `id` (decoded from `pulumirpc.ErrorResourceInitFailed`). The engine records the resource with this id and these
 * properties (a partial failure) instead of forgetting it.
 */
export class ResourceInitError extends Error {
  constructor(
    readonly method: string,
    message: string,
    readonly id: string,
    readonly properties: Props,
    readonly reasons: string[],
  ) {
    super(message);
    this.name = "ResourceInitError";
  }
}
