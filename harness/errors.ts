/**
 * Errors the harness raises: when a provider-host call fails, and when a step does not run or is refused.
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

/** Why a step did not start: the deployment was cancelled (an earlier failure, or an interrupt). */
export class CancelledError extends Error {
  constructor() {
    super("the deployment was cancelled before this step started");
    this.name = "CancelledError";
  }
}

/** Pulumi's own `protect` refusal of a delete: always continued past (step_executor.go deleteProtectedError). */
export class ProtectedError extends Error {
  constructor(readonly urn: string) {
    super(
      `cannot delete ${urn}: it is protected; remove \`protect\` from the program and run up, then try again`,
    );
    this.name = "ProtectedError";
  }
}

/** A step that was still running when the run was terminated. */
export class TerminatedError extends Error {
  constructor() {
    super("the run was terminated while this step was running");
    this.name = "TerminatedError";
  }
}
