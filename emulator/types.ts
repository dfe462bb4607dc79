/**
 * Public types of the MPS emulator: options, fault rules, the admin surface and the views it returns.
 * Everything here is plain data so the HTTP admin API can carry it as JSON unchanged.
 */

import type { DurationSpec } from "./durations";

export type { DurationSpec } from "./durations";

/** `Purge` empties a library and keeps it; `Delete` removes it. */
export type EmulatorDelType = "Purge" | "Delete";

/** How the per-account, per-action QPS limit is metered. */
export type ThrottleAlgorithm = "token-bucket" | "fixed-window";

/** One AccessKey pair. The secret never leaves the emulator (not in state, logs or errors). */
export interface EmulatorAccessKey {
  accessKeyId: string;
  accessKeySecret: string;
}

/** An Alibaba Cloud account: libraries, jobs and QPS budgets belong to it, whichever of its keys signs. */
export interface EmulatorAccount {
  accountId: string;
  accessKeys: EmulatorAccessKey[];
}

/** Fields every fault rule may carry. */
export interface FaultRuleBase {
  /** Probability in [0, 1] that a matching request triggers the rule; default 1. Drawn from the seeded PRNG. */
  rate?: number;
  /** How many times the rule may fire in total; unlimited when absent. */
  count?: number;
}

/** Answer a matching request with an error before doing anything (nothing is committed). */
export interface ErrorFaultRule extends FaultRuleBase {
  type: "error";
  /** Action name, or `"*"` for every action. */
  action: string;
  code: string;
  httpStatus: number;
  /** Defaults to the documented message of well-known codes, else a generic one. */
  message?: string;
}

/** Execute the request (the write is committed), then answer 500 InternalError or destroy the connection. */
export interface CommitThenFailFaultRule extends FaultRuleBase {
  type: "commit-then-fail";
  action: string;
  mode: "error" | "drop";
}

/** Destroy the connection without an answer; nothing is committed. */
export interface DropFaultRule extends FaultRuleBase {
  type: "drop";
  action: string;
}

/** Execute the request, then hold the answer back for `latencyMs` of real time. */
export interface LatencyFaultRule extends FaultRuleBase {
  type: "latency";
  action: string;
  latencyMs: number;
}

/**
 * Make Purge/Delete jobs end in `Fail`, decided when the job is submitted. Only the first job of each library
 * the rule picks fails, so a resubmitted job on the same library succeeds.
 */
export interface JobFailFaultRule extends FaultRuleBase {
  type: "job-fail";
  delType?: EmulatorDelType;
  /** Default `ServiceUnavailable`. */
  code?: string;
  /** Default: the documented ServiceUnavailable message. */
  message?: string;
  /** Only these libraries; every library when absent. */
  fpDbIds?: string[];
}

/** A fault injection rule, settable at start (`faults` option) and at run time (admin). */
export type FaultRule =
  ErrorFaultRule | CommitThenFailFaultRule | DropFaultRule | LatencyFaultRule | JobFailFaultRule;

/** Settings that can change while the emulator runs (`admin.setSettings`). */
export interface EmulatorSettings {
  /** Requests per second per account and action. */
  qps: number;
  throttleAlgorithm: ThrottleAlgorithm;
  /** Libraries per account that are not deleted. */
  quota: number;
  /**
   * Seconds from CreateFpShotDB (`offline`) to `active`, or a distribution drawn per library; applies to
   * libraries created afterwards.
   */
  activateSeconds: DurationSpec;
  /** Whole duration of a Purge/Delete job, or a distribution drawn per job; applies to jobs submitted afterwards. */
  jobSeconds: DurationSpec;
  /** Duration of Purge jobs, when it differs from `jobSeconds`. */
  purgeSeconds?: DurationSpec;
  /** Duration of Delete jobs, when it differs from `jobSeconds`. */
  deleteSeconds?: DurationSpec;
  /** Allowed difference between `x-acs-date` / `Timestamp` and the emulator clock. `Infinity` disables it. */
  maxSkewSeconds: number;
}

/** Options of `startEmulator`. Every field is optional. */
export interface EmulatorOptions {
  /** TCP port on 127.0.0.1; default 0 (a free port). */
  port?: number;
  /** Region this instance serves (one instance per region, as V3 requests carry no region); default cn-hangzhou. */
  region?: string;
  /** Default: one account holding `DEFAULT_ACCESS_KEY_ID` / `DEFAULT_ACCESS_KEY_SECRET`. */
  accounts?: EmulatorAccount[];
  /** Default 100. */
  qps?: number;
  /** Default token-bucket (capacity = qps, refilled at qps per second). */
  throttleAlgorithm?: ThrottleAlgorithm;
  /** Default 5. */
  quota?: number;
  /** Default 1; fractions allowed; 0 = active immediately; or a distribution (see `DurationSpec`). */
  activateSeconds?: DurationSpec;
  /**
   * Default 3: Queuing for the first third, then Analysing, then Success (or Fail). A distribution draws each
   * job's duration from the seeded PRNG (`seed`).
   */
  jobSeconds?: DurationSpec;
  /** Purge jobs only (default: `jobSeconds`). */
  purgeSeconds?: DurationSpec;
  /** Delete jobs only (default: `jobSeconds`). */
  deleteSeconds?: DurationSpec;
  /** Default 900. */
  maxSkewSeconds?: number;
  faults?: FaultRule[];
  /** Seed of the PRNGs behind fault rates and duration distributions; default 1. */
  seed?: number;
  /** Drives library and job state machines, token buckets, the skew check and nonce expiry. Default: Date.now. */
  clock?: { now(): number };
  /** Most requests kept by `admin.requests()`; default 20000. */
  requestLogLimit?: number;
}

/** A library as `admin.state()` shows it. */
export interface LibraryView {
  accountId: string;
  fpDbId: string;
  name: string;
  description?: string;
  modelId?: number;
  config?: string;
  /** Current status: `offline`, `active`, a pinned seeded status, or `deleted` once a Delete job succeeded. */
  status: string;
  deleted: boolean;
  /** Content counter: a successful Purge sets it to 0. */
  fileCount: number;
  createdAt: string;
  activatedAt?: string;
  purgedAt?: string;
  deletedAt?: string;
}

/** A Purge/Delete job as `admin.state()` shows it, with every parameter it was submitted with. */
export interface JobView {
  accountId: string;
  jobId: string;
  fpDbId: string;
  delType: EmulatorDelType;
  pipelineId?: string;
  userData?: string;
  status: "Queuing" | "Analysing" | "Success" | "Fail";
  creationTime: string;
  finishTime?: string;
  code?: string;
  message?: string;
  /** When the job was submitted, ISO 8601 with milliseconds (the ledger's precise time; the API's is seconds). */
  submittedAt: string;
  /** How long the job runs from submission to its end, as drawn (milliseconds). */
  durationMs: number;
  /** RequestId of the SubmitFpDBDeleteJob call. */
  requestId: string;
}

/** A fault rule as installed, with how often it has fired. */
export interface FaultView {
  rule: FaultRule;
  fired: number;
}

/** Snapshot of everything the emulator holds, evaluated at the emulator clock's current time. */
export interface EmulatorState {
  region: string;
  /** Emulator clock time of the snapshot, ISO 8601. */
  now: string;
  accountIds: string[];
  /** All libraries of all accounts (deleted ones too, with `deleted: true`), oldest first. */
  libraries: LibraryView[];
  /** All jobs of all accounts, oldest first. */
  jobs: JobView[];
  faults: FaultView[];
  settings: EmulatorSettings;
}

/** Request tallies of one action (or of all actions). `total = ok + throttled + dropped + sum(errors)`. */
export interface ActionCounts {
  total: number;
  ok: number;
  /** Answered 400 Throttling.User by the QPS limit (not counted in `errors`). */
  throttled: number;
  /** Connections destroyed by a drop or commit-then-fail(drop) fault. */
  dropped: number;
  /** Every other error answer, by Code (signature errors, parameter errors, injected faults...). */
  errors: Record<string, number>;
}

/** Request tallies, per action (keyed by the requested action name) and overall. Admin calls are not counted. */
export interface RequestCounts {
  byAction: Record<string, ActionCounts>;
  overall: ActionCounts;
}

/** One received RPC request, with secrets redacted (signature, security token). */
export interface RecordedRequest {
  /** Emulator clock time, ISO 8601 with milliseconds. */
  time: string;
  method: string;
  path: string;
  action?: string;
  signatureVersion?: "v3" | "v2";
  accessKeyId?: string;
  accountId?: string;
  /** Decoded query parameters (V2 `Signature` and `SecurityToken` redacted). */
  query: Record<string, string>;
  /** Request headers; the Authorization signature and `x-acs-security-token` are redacted. */
  headers: Record<string, string>;
  /** Raw body text (form bodies: V2 signed params or V3 business params), when there was one. */
  body?: string;
  status: number;
  /** Error Code of the answer, `(dropped)` for a destroyed connection. */
  code?: string;
  requestId: string;
}

/** A library to put straight into the store, bypassing CreateFpShotDB and the quota. */
export interface SeedLibrary {
  /** Default: the first account. */
  accountId?: string;
  /** Default: a generated id. */
  fpDbId?: string;
  name: string;
  modelId?: number;
  /** A pinned status (`offline`, `active`, `paused`, `deleted`) that never changes by itself; default: `active`, unpinned. */
  status?: string;
  description?: string;
  config?: string;
  /** Default 0. */
  fileCount?: number;
}

/** In-process control of a running emulator. */
export interface EmulatorAdmin {
  /** Libraries and jobs (with all their parameters), faults and settings. */
  state(): EmulatorState;
  /** Clears libraries, jobs, counts, the request log, faults and QPS budgets; restores the start settings and seed. */
  reset(): void;
  setFaults(rules: FaultRule[]): void;
  addFault(rule: FaultRule): void;
  clearFaults(): void;
  /** Adds a library directly; returns its FpDBId. */
  seedLibrary(lib: SeedLibrary): string;
  /** Changes settings at run time (e.g. a throttling storm: qps 5 for a while). Returns the new settings. */
  setSettings(settings: Partial<EmulatorSettings>): EmulatorSettings;
  settings(): EmulatorSettings;
  counts(): RequestCounts;
  /** The last requests received (bounded), oldest first. */
  requests(): RecordedRequest[];
}

/** The same control over HTTP (`/_emulator/`), for other processes. */
export type RemoteEmulatorAdmin = {
  [K in keyof EmulatorAdmin]: (
    ...args: Parameters<EmulatorAdmin[K]>
  ) => Promise<ReturnType<EmulatorAdmin[K]>>;
};

/** A started emulator. */
export interface RunningEmulator {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  /** `127.0.0.1:PORT` (what openapi-client's `Config.endpoint` takes). */
  host: string;
  port: number;
  region: string;
  admin: EmulatorAdmin;
  /** Closes the server and every socket, keep-alive ones too. */
  close(): Promise<void>;
}
