/**
 * A faithful local endpoint of the Alibaba Cloud MPS fingerprint-library API
 * (docs/architecture.md, 'The emulator'): signed V3/V2 requests, library and job state machines, quota, QPS
 * limits, fault injection and an admin API.
 */
export {
  DEFAULT_ACCESS_KEY_ID,
  DEFAULT_ACCESS_KEY_SECRET,
  DEFAULT_ACCOUNT_ID,
  DEFAULT_REGION,
  DEFAULT_QPS,
  DEFAULT_QUOTA,
  DEFAULT_ACTIVATE_SECONDS,
  DEFAULT_JOB_SECONDS,
  DEFAULT_MAX_SKEW_SECONDS,
  API_VERSION,
} from "./defaults";
export { startEmulator } from "./server";
export { createAdminClient } from "./admin/client";
export { EmulatorInputError } from "./input-error";
export { validateFaultRule } from "./fault-rules";
export { describeDuration, parseDuration, sampleMs, validateDuration } from "./durations";
export type {
  ActionCounts,
  CommitThenFailFaultRule,
  DropFaultRule,
  DurationSpec,
  EmulatorAccessKey,
  EmulatorAccount,
  EmulatorAdmin,
  EmulatorDelType,
  EmulatorOptions,
  EmulatorSettings,
  EmulatorState,
  ErrorFaultRule,
  FaultRule,
  FaultView,
  JobFailFaultRule,
  JobView,
  LatencyFaultRule,
  LibraryView,
  RecordedRequest,
  RemoteEmulatorAdmin,
  RequestCounts,
  RunningEmulator,
  SeedLibrary,
  ThrottleAlgorithm,
} from "./types";
