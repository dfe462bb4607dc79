/**
 * Typed shapes of the four MPS fingerprint-library actions this package uses (API `mts` 2014-06-18), as the
 * client returns them: wrapped lists unwrapped, `State`/`Status` unified, absent lists as empty arrays.
 */

/** Library status as the service reports it (`State` in CreateFpShotDB, `Status` in ListFpShotDB). */
export type LibraryStatus = "offline" | "active" | "paused" | "deleted";

/** `Purge` empties a library and keeps it; `Delete` removes it. Always sent explicitly (the API default is Purge). */
export type DelType = "Purge" | "Delete";

/** Job status; note the service's British spelling of `Analysing`. */
export type JobStatus = "Queuing" | "Analysing" | "Success" | "Fail";

/** Statuses of a job that has not finished yet. */
export const UNFINISHED_JOB_STATUSES: readonly JobStatus[] = ["Queuing", "Analysing"];

/** A fingerprint library. Optional fields are absent when the service omits them. */
export interface FpShotDb {
  fpDbId: string;
  name: string;
  description?: string;
  modelId?: number;
  /** Only CreateFpShotDB returns Config; ListFpShotDB items have none. */
  config?: string;
  /** Kept as a string so an undocumented status never breaks parsing. */
  status: LibraryStatus | string;
}

/** A Purge or Delete job (an item of QueryFpDBDeleteJobList). */
export interface FpDbDeleteJob {
  jobId: string;
  fpDbId: string;
  delType: DelType | string;
  status: JobStatus | string;
  /** ISO 8601 UTC, `YYYY-MM-DDThh:mm:ssZ`. */
  creationTime?: string;
  finishTime?: string;
  pipelineId?: string;
  userData?: string;
  /** Set only when the job failed. */
  code?: string;
  message?: string;
}

export interface CreateFpShotDbRequest {
  name: string;
  modelId?: number;
  description?: string;
  config?: string;
}

export interface CreateFpShotDbResult {
  requestId: string;
  library: FpShotDb;
}

export interface ListFpShotDbResult {
  requestId: string;
  libraries: FpShotDb[];
  /** Ids the service does not know (deleted or never existed). */
  nonExistIds: string[];
}

export interface SubmitFpDbDeleteJobRequest {
  fpDbId: string;
  delType: DelType;
  pipelineId?: string;
  userData?: string;
}

export interface SubmitFpDbDeleteJobResult {
  requestId: string;
  jobId: string;
}

export interface QueryFpDbDeleteJobListResult {
  requestId: string;
  jobs: FpDbDeleteJob[];
  nonExistIds: string[];
}

/** Most ids one ListFpShotDB or QueryFpDBDeleteJobList call carries. */
export const MAX_IDS_PER_CALL = 10;

/**
 * The typed MPS API. `MpsClient` implements it over HTTP with retries and rate limiting; everything above the
 * client depends on this interface only.
 *
 * Retry contract: reads (`listFpShotDb`, `queryFpDbDeleteJobList`) are retried on throttling and transient
 * errors. Writes (`createFpShotDb`, `submitFpDbDeleteJob`) are retried only when the request was certainly
 * rejected (throttling); an ambiguous failure (timeout, reset, 5xx) is thrown as an `MpsApiError` with
 * `kind: "ambiguous"` so the caller can resume-or-submit.
 */
export interface MpsApi {
  createFpShotDb(request: CreateFpShotDbRequest): Promise<CreateFpShotDbResult>;
  /** At most `MAX_IDS_PER_CALL` ids. */
  listFpShotDb(fpDbIds: readonly string[], options?: ReadOptions): Promise<ListFpShotDbResult>;
  submitFpDbDeleteJob(
    request: SubmitFpDbDeleteJobRequest,
    options?: WriteOptions,
  ): Promise<SubmitFpDbDeleteJobResult>;
  /** With no ids, the service returns its 20 newest jobs. At most `MAX_IDS_PER_CALL` ids. */
  queryFpDbDeleteJobList(
    jobIds?: readonly string[],
    options?: ReadOptions,
  ): Promise<QueryFpDbDeleteJobListResult>;
}

/** Hooks of one write. */
export interface WriteOptions {
  /** Told when the request goes out (each attempt), after any wait for a send token. */
  onSent?: () => void;
}

/** Bounds of one read. */
export interface ReadOptions {
  /**
   * No retry starts at or after this time (epoch ms of the client's clock): a wait's look must not outlast the
   * wait's own bound. The last failure is thrown instead.
   */
  retryUntil?: number;
}
