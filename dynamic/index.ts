/**
 * pulumi-mps-fpdb: Pulumi lifecycle management for Alibaba Cloud MPS media fingerprint (DNA) libraries.
 * The emulator is exported separately as `pulumi-mps-fpdb/emulator`.
 */
export { FingerprintLibrary, type FingerprintLibraryArgs } from "./resource";
export type { DeletionPolicy, EndpointType, JobRecord, PurgeStrategy } from "../core/types";
export { ConfigError, JobFailedError, MpsApiError, MpsFpdbError, WaitTimeoutError } from "../core/errors";
