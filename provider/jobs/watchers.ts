import type { Clock, Random } from "../clock";
import type { FpDbDeleteJob, FpShotDb, MpsApi } from "../client/types";
import { JobFailedError, WaitTimeoutError } from "../errors";
import { BatchedLookup, DEFAULT_COALESCE_WINDOW_MS } from "./batched-lookup";
import { JobNotFoundError } from "./errors";
import { formatDuration, pollUntil, type WaitOptions } from "./poll";

export type { WaitOptions } from "./poll";

/** Options of the watchers. */
export interface WatcherOptions {
  clock: Clock;
  /**
   * Accepted so every component takes the same options; polls are deliberately not jittered, because polls
   * that fall due together are what lets them share a batched call.
   */
  random?: Random;
  /** How long a lookup waits for others to share its call, in milliseconds (default 250). */
  coalesceWindowMs?: number;
}

/**
 * Waits for Purge/Delete jobs. All waits and lookups of one watcher share QueryFpDBDeleteJobList calls of up to
 * 10 ids, and concurrent `recentJobs()` callers share one call.
 */
export class JobWatcher {
  private readonly batches: BatchedLookup<FpDbDeleteJob>;
  private readonly clock: Clock;
  private readonly windowMs: number;
  private recent?: { startedAt: number; jobs: Promise<FpDbDeleteJob[]> };

  constructor(
    private readonly api: MpsApi,
    options: WatcherOptions,
  ) {
    this.clock = options.clock;
    this.windowMs = options.coalesceWindowMs ?? DEFAULT_COALESCE_WINDOW_MS;
    this.batches = new BatchedLookup(
      async (ids) => {
        const result = await api.queryFpDbDeleteJobList(ids);
        return {
          found: new Map(result.jobs.map((job) => [job.jobId, job])),
          gone: new Set(result.nonExistIds),
        };
      },
      options.clock,
      { action: "QueryFpDBDeleteJobList", noun: "job" },
      this.windowMs,
    );
  }

  /** The jobs with these ids; `undefined` for an id the service does not know (`NonExistIds`). */
  lookup(jobIds: readonly string[]): Promise<Map<string, FpDbDeleteJob | undefined>> {
    return this.batches.lookup(jobIds);
  }

  /**
   * The service's 20 newest jobs (QueryFpDBDeleteJobList without ids). Concurrent callers share the call in
   * flight, unless they need an answer to a request sent at or after `startedAfter` (epoch ms of this watcher's
   * clock), e.g. to find a job submitted at that time; then a new call is made and shared from there on.
   */
  recentJobs(options: { startedAfter?: number } = {}): Promise<FpDbDeleteJob[]> {
    const inFlight = this.recent;
    if (inFlight !== undefined && inFlight.startedAt >= (options.startedAfter ?? -Infinity))
      return inFlight.jobs;
    const call = { startedAt: this.clock.now(), jobs: this.api.queryFpDbDeleteJobList().then((r) => r.jobs) };
    this.recent = call;
    const clear = (): void => {
      if (this.recent === call) this.recent = undefined;
    };
    call.jobs.then(clear, clear);
    return call.jobs;
  }

  /**
   * Polls job `jobId` until it ends. Resolves with the job on `Success`; throws `JobFailedError` on `Fail`,
   * `JobNotFoundError` when the service does not know the id, `WaitTimeoutError` after `timeoutMs`, and a fatal
   * `MpsApiError` (auth, parameters) at once. Other failed polls are reported and the wait goes on.
   */
  waitForJob(jobId: string, options: WaitOptions): Promise<FpDbDeleteJob> {
    return pollUntil(
      this.clock,
      { ...options, pollLeadMs: this.windowMs },
      async (dueAt) => {
        const job = (await this.batches.lookup([jobId], { notBefore: dueAt })).get(jobId);
        if (job === undefined) throw jobNotFound(jobId, options.describe);
        if (job.status === "Fail") throw jobFailed(job, options.describe);
        return { done: job.status === "Success", status: job.status, value: job };
      },
      (lastStatus, waitedMs) =>
        new WaitTimeoutError(
          `Timed out after ${formatDuration(waitedMs)} waiting for job ${jobId} for ${options.describe}; ` +
            `last status: ${lastStatus}. The job may still finish: raise jobTimeoutSeconds, or run the ` +
            `operation again to resume waiting for it.`,
          jobId,
          lastStatus,
          waitedMs,
        ),
    );
  }
}

/**
 * Waits for libraries to reach a state. All waits and lookups of one watcher share ListFpShotDB calls of up to
 * 10 ids.
 */
export class LibraryWatcher {
  private readonly batches: BatchedLookup<FpShotDb>;
  private readonly clock: Clock;
  private readonly windowMs: number;

  constructor(api: MpsApi, options: WatcherOptions) {
    this.clock = options.clock;
    this.windowMs = options.coalesceWindowMs ?? DEFAULT_COALESCE_WINDOW_MS;
    this.batches = new BatchedLookup(
      async (ids) => {
        const result = await api.listFpShotDb(ids);
        return {
          found: new Map(result.libraries.map((library) => [library.fpDbId, library])),
          gone: new Set(result.nonExistIds),
        };
      },
      options.clock,
      { action: "ListFpShotDB", noun: "library" },
      this.windowMs,
    );
  }

  /** The libraries with these ids; `undefined` for an id the service does not know (`NonExistIds`: gone). */
  lookup(fpDbIds: readonly string[]): Promise<Map<string, FpShotDb | undefined>> {
    return this.batches.lookup(fpDbIds);
  }

  /**
   * Polls library `fpDbId` until `done(library)` is true (`undefined` = the library is gone) and resolves with
   * what it saw last; throws `WaitTimeoutError` after `timeoutMs` and a fatal `MpsApiError` at once.
   */
  waitFor(
    fpDbId: string,
    done: (library: FpShotDb | undefined) => boolean,
    options: WaitOptions,
  ): Promise<FpShotDb | undefined> {
    return pollUntil(
      this.clock,
      { ...options, pollLeadMs: this.windowMs },
      async (dueAt) => {
        const library = (await this.batches.lookup([fpDbId], { notBefore: dueAt })).get(fpDbId);
        return { done: done(library), status: library?.status ?? "gone", value: library };
      },
      (lastStatus, waitedMs) =>
        new WaitTimeoutError(
          `Timed out after ${formatDuration(waitedMs)} waiting for ${options.describe}; last status: ` +
            `${lastStatus}. It may still get there: raise jobTimeoutSeconds, or run the operation again.`,
          fpDbId,
          lastStatus,
          waitedMs,
        ),
    );
  }
}

function jobNotFound(jobId: string, describe: string): JobNotFoundError {
  return new JobNotFoundError(
    `Job ${jobId} for ${describe} is unknown to MPS: QueryFpDBDeleteJobList lists it in NonExistIds. Jobs are ` +
      `kept per region: check that the endpoint and region are the ones the job was submitted to, then run the ` +
      `operation again.`,
    jobId,
  );
}

function jobFailed(job: FpDbDeleteJob, describe: string): JobFailedError {
  const delType = job.delType !== "" ? job.delType : "Purge/Delete";
  return new JobFailedError(
    `${delType} job ${job.jobId} for ${describe} failed: ${job.code ?? "(no Code)"}: ` +
      `${(job.message ?? "(no Message)").replace(/\.$/, "")}. Run the operation again to submit a new job; if it keeps failing, ` +
      `give the JobId to Alibaba Cloud support.`,
    job.jobId,
    job.fpDbId,
    job.delType,
    job.code,
    job.message,
  );
}
