/**
 * Everything pulumi-mps-fpdb keeps for the whole life of a process, named in one place. Pulumi's provider host
 * runs one process per stack operation and may load several serialized shims (one per shim text, i.e. per
 * package version that wrote state); each gets its own provider context and redacting logger, and shares what
 * is listed here. `test/unit/process-state.test.ts` checks that every entry exists where it says.
 */
export interface ProcessState {
  /** The exported symbol that owns the state. */
  name: string;
  /** The module it lives in, relative to the repository root. */
  module: string;
  /** Why it is per process and not per context. */
  why: string;
}

export const PROCESS_STATE: readonly ProcessState[] = [
  {
    name: "provider",
    module: "dynamic/impl",
    why:
      "the one FingerprintLibraryProvider of the process: every resource of the host shares its clients, rate " +
      "limiters and wait scheduler",
  },
  {
    name: "resolveCredentials",
    module: "core/config/credentials",
    why:
      "caches resolved credentials per identity, so a source is asked once and a token refreshes once; every " +
      "context subscribes its own logger to the secrets (watchSecrets), so each redacts refreshed tokens",
  },
  {
    name: "processRateLimiters",
    module: "core/resilience/rate-limiter-registry",
    why: "one adaptive bucket per endpoint and action: MPS meters per account and action, not per resource",
  },
  {
    name: "routeThroughProxy",
    module: "core/client/proxy",
    why:
      "hooks https.request once per process (state under a global symbol, so two copies of the package share " +
      "it) to send Alibaba Cloud API requests through HTTPS_PROXY",
  },
  {
    name: "installConnectionPolicy",
    module: "core/client/connections",
    why: "gives every write a connection of its own, process-wide because the HTTP agents are",
  },
  {
    name: "installEngineWatch",
    module: "core/engine-watch",
    why: "exits the provider host once the engine that started it is gone; one watch per process",
  },
];
