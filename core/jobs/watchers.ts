import type { Clock, Random } from "../clock";
import type { DelType, FpDbDeleteJob, FpShotDb, MpsApi } from "../client/types";
import { JobFailedError, OperationCancelledError, WaitTimeoutError } from "../errors";
import { JobNotFoundError } from "./errors";
import {
  formatDuration,
  timeoutAdvice,
  unlessAborted,
  waitBounds,
  type WaitReport,
  type WaitTiming,
} from "./poll";
import { JobWindow } from "./job-window";
import { WaitScheduler, type Lane } from "./scheduler";

export type { WaitReport, WaitTiming } from "./poll";

/** Options of the watchers. */
export interface WatcherOptions {
  clock: Clock;
  /**
   * Accepted so every component takes the same options; looks are deliberately not jittered, because looks
   * that fall due together are what lets them share a batched call.
   */
  random?: Random;
  /** The process's wait scheduler; a watcher made without one gets its own (tests). */
  scheduler?: WaitScheduler;
  /** Names the endpoint whose per-action budget this watcher's polls count against (default: one per watcher). */
  endpointKey?: string;
}

/** Learning class of a job whose DelType is not known yet (a job resumed from an earlier run). */
const UNKNOWN_JOB_CLASS = "job";
/** Learning class of library waits (active after a create, gone after a Delete). */
const LIBRARY_CLASS = "library";

let anonymousWatchers = 0;

function endpointKeyOf(options: WatcherOptions): string {
  return options.endpointKey ?? `watcher-${++anonymousWatchers}`;
}

/**
 * Waits for Purge/Delete jobs. All waits and lookups of one watcher share QueryFpDBDeleteJobList calls of up to
 * 10 ids, scheduled by the process's wait scheduler; the reads of the 20 newest jobs are its `window`'s.
 */
export class JobWatcher {
  private readonly lane: Lane<FpDbDeleteJob>;
  private readonly clock: Clock;
  /** The account's 20 newest jobs as this process reads them (see ./job-window). */
  readonly window: JobWindow;
  /** Jobs this process submitted: their DelType and submit time, so their waits learn from the right class. */
  private readonly submitted = new Map<string, { delType: DelType; at: number }>();

  constructor(api: MpsApi, options: WatcherOptions) {
    this.clock = options.clock;
    this.window = new JobWindow(api, options.clock);
    const scheduler = options.scheduler ?? new WaitScheduler({ clock: options.clock });
    this.lane = scheduler.lane(
      `${endpointKeyOf(options)}\u0000QueryFpDBDeleteJobList`,
      async (ids, options) => {
        const result = await api.queryFpDbDeleteJobList(ids, options);
        return {
          found: new Map(result.jobs.map((job) => [job.jobId, job])),
          gone: new Set(result.nonExistIds),
        };
      },
      { action: "QueryFpDBDeleteJobList", noun: "job" },
    );
  }

  /** Tells the watcher a job was submitted now (the wiring calls it for every SubmitFpDBDeleteJob answer). */
  noteSubmitted(jobId: string, delType: DelType, at: number = this.clock.now()): void {
    this.submitted.set(jobId, { delType, at });
  }

  /** The jobs with these ids; `undefined` for an id the service does not know (`NonExistIds`). */
  lookup(jobIds: readonly string[]): Promise<Map<string, FpDbDeleteJob | undefined>> {
    return this.lane.lookup(jobIds);
  }

  /**
   * Waits for job `jobId` to end. Resolves with the job on `Success`; throws `JobFailedError` on `Fail`,
   * `JobNotFoundError` when the service does not know the id (NonExistIds), `WaitTimeoutError` after
   * `timeoutMs`, and a fatal `MpsApiError` (auth, parameters, an id the answer does not account for) at once.
   * Other failed looks are reported and the wait goes on.
   */
  waitForJob(jobId: string, options: WaitTiming & WaitReport): Promise<FpDbDeleteJob> {
    const submitted = this.submitted.get(jobId);
    this.submitted.delete(jobId);
    const cancelled = (): OperationCancelledError =>
      new OperationCancelledError(
        `Stopped waiting for job ${jobId} for ${options.describe}: the operation was cancelled. The job goes ` +
          "on in MPS; run the operation again to resume waiting for it.",
        jobId,
      );
    const waiting = this.lane.wait({
      id: jobId,
      classKey: submitted?.delType ?? UNKNOWN_JOB_CLASS,
      startedAt: submitted?.at,
      ...waitBounds(options),
      timeoutMs: options.timeoutMs,
      describe: options.describe,
      onPoll: options.onPoll,
      onPollError: options.onPollError,
      interpret: (job) => {
        // A cancelled wait has already answered its caller; its next answer takes it out of the schedule.
        if (options.signal?.aborted) throw cancelled();
        if (job === undefined) throw jobNotFound(jobId, options.describe);
        if (job.status === "Fail") throw jobFailed(job, options.describe);
        return {
          done: job.status === "Success",
          status: job.status,
          value: job,
          classKey: job.delType !== "" ? job.delType : undefined,
        };
      },
      onTimeout: (lastStatus, waitedMs) =>
        new WaitTimeoutError(
          `Timed out after ${formatDuration(waitedMs)} waiting for job ${jobId} for ${options.describe}; ` +
            `last status: ${lastStatus}. The job may still finish: ${timeoutAdvice(options)}, or run the ` +
            `operation again to resume waiting for it.`,
          jobId,
          lastStatus,
          waitedMs,
        ),
    });
    return unlessAborted(waiting, options.signal, cancelled);
  }
}

/**
 * Waits for libraries to reach a state. All waits and lookups of one watcher share ListFpShotDB calls of up to
 * 10 ids, scheduled by the process's wait scheduler.
 */
export class LibraryWatcher {
  private readonly lane: Lane<FpShotDb>;

  constructor(api: MpsApi, options: WatcherOptions) {
    const scheduler = options.scheduler ?? new WaitScheduler({ clock: options.clock });
    this.lane = scheduler.lane(
      `${endpointKeyOf(options)}\u0000ListFpShotDB`,
      async (ids, options) => {
        const result = await api.listFpShotDb(ids, options);
        return {
          found: new Map(result.libraries.map((library) => [library.fpDbId, library])),
          gone: new Set(result.nonExistIds),
        };
      },
      { action: "ListFpShotDB", noun: "library" },
    );
  }

  /**
   * The libraries with these ids; `undefined` for an id the service lists in `NonExistIds` (gone). An id the
   * answer does not account for is an error naming it.
   */
  lookup(fpDbIds: readonly string[]): Promise<Map<string, FpShotDb | undefined>> {
    return this.lane.lookup(fpDbIds);
  }

  /**
   * Waits until `done(library)` is true (`undefined` = the library is gone) and resolves with what it saw last;
   * throws `WaitTimeoutError` after `timeoutMs` and a fatal `MpsApiError` at once.
   */
  waitFor(
    fpDbId: string,
    done: (library: FpShotDb | undefined) => boolean,
    options: WaitTiming & WaitReport,
  ): Promise<FpShotDb | undefined> {
    const cancelled = (): OperationCancelledError =>
      new OperationCancelledError(
        `Stopped waiting for ${options.describe}: the operation was cancelled. Run the operation again to ` +
          "resume waiting.",
        fpDbId,
      );
    const waiting = this.lane.wait({
      id: fpDbId,
      classKey: LIBRARY_CLASS,
      ...waitBounds(options),
      timeoutMs: options.timeoutMs,
      describe: options.describe,
      onPoll: options.onPoll,
      onPollError: options.onPollError,
      interpret: (library) => {
        if (options.signal?.aborted) throw cancelled();
        return { done: done(library), status: library?.status ?? "gone", value: library };
      },
      onTimeout: (lastStatus, waitedMs) =>
        new WaitTimeoutError(
          `Timed out after ${formatDuration(waitedMs)} waiting for ${options.describe}; last status: ` +
            `${lastStatus}. It may still get there: ${timeoutAdvice(options)}, or run the operation again.`,
          fpDbId,
          lastStatus,
          waitedMs,
        ),
    });
    return unlessAborted(waiting, options.signal, cancelled);
  }
}

/**
 * The API as the lifecycle uses it, telling `jobs` about every job it submits (DelType and time), so that the
 * job's wait learns from the jobs of its own kind from its first look on.
 */
export function noticingSubmits(api: MpsApi, jobs: JobWatcher, clock: Clock): MpsApi {
  return {
    createFpShotDb: (request) => api.createFpShotDb(request),
    listFpShotDb: (ids, options) => api.listFpShotDb(ids, options),
    queryFpDbDeleteJobList: (ids, options) => api.queryFpDbDeleteJobList(ids, options),
    submitFpDbDeleteJob: async (request) => {
      // Only a Purge can be duplicated by a lost answer (a second Delete is refused, or finds the library gone).
      let answered: (() => void) | undefined;
      const onSent =
        request.delType === "Purge"
          ? () => {
              answered?.();
              answered = jobs.window.submitSent();
            }
          : undefined;
      const result = await api.submitFpDbDeleteJob(request, { onSent }).finally(() => answered?.());
      jobs.noteSubmitted(result.jobId, request.delType, clock.now());
      return result;
    },
  };
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
