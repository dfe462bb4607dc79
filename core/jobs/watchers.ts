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

/** How slow a Purge submit's answer is before the window is sampled while it is awaited, and how often then. */
export const SLOW_SUBMIT_MS = 100;
/** Sightings kept per watcher: far more than any window, little memory (a job is a few hundred bytes). */
export const MAX_SIGHTINGS = 5_000;

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
 * 10 ids, scheduled by the process's wait scheduler; concurrent `recentJobs()` callers share one call.
 */
export class JobWatcher {
  private readonly lane: Lane<FpDbDeleteJob>;
  private readonly clock: Clock;
  private recent?: { startedAt: number; jobs: Promise<FpDbDeleteJob[]> };
  private atStart?: Promise<FpDbDeleteJob[]>;
  /** Jobs this process submitted: their DelType and submit time, so their waits learn from the right class. */
  private readonly submitted = new Map<string, { delType: DelType; at: number }>();
  /** Every job any window read of this process showed, newest sighting last (see {@link sightings}). */
  private readonly seen = new Map<string, FpDbDeleteJob>();
  /** When each Purge submit on the wire was sent; while one has waited {@link SLOW_SUBMIT_MS}, the window is sampled. */
  private readonly submitsOnWire = new Map<symbol, number>();
  private sampling = false;

  constructor(
    private readonly api: MpsApi,
    options: WatcherOptions,
  ) {
    this.clock = options.clock;
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
   * The service's 20 newest jobs (QueryFpDBDeleteJobList without ids). Concurrent callers share the call in
   * flight, unless they need an answer to a request sent at or after `startedAfter` (epoch ms of this watcher's
   * clock), e.g. to find a job submitted at that time; then a new call is made and shared from there on.
   */
  recentJobs(options: { startedAfter?: number } = {}): Promise<FpDbDeleteJob[]> {
    const inFlight = this.recent;
    if (inFlight !== undefined && inFlight.startedAt >= (options.startedAfter ?? -Infinity))
      return inFlight.jobs;
    const call = {
      startedAt: this.clock.now(),
      jobs: this.api.queryFpDbDeleteJobList().then((r) => this.remember(r.jobs)),
    };
    this.recent = call;
    const clear = (): void => {
      if (this.recent === call) this.recent = undefined;
    };
    call.jobs.then(clear, clear);
    return call.jobs;
  }

  /**
   * Every job a window read of this process has shown (up to {@link MAX_SIGHTINGS}, the latest kept), with the
   * status seen then. A job pushed out of the 20 newest by a bulk run's own submits stays findable here: a Purge
   * whose submit answer was lost can be recognised by its tag long after it left the window.
   */
  sightings(): FpDbDeleteJob[] {
    return [...this.seen.values()];
  }

  /**
   * Marks a Purge submit as sent (on the wire, past its send token); the returned function marks it answered. While
   * a submit's answer is slower than {@link SLOW_SUBMIT_MS}, the 20 newest jobs are read every
   * {@link SLOW_SUBMIT_MS} (one read shared by every slow submit), so that a submit whose answer then times out has
   * its job in {@link sightings}, even when other submits pushed it out of the window before the timeout. Fast
   * answers, the usual case, cost nothing.
   */
  submitSent(): () => void {
    const mark = Symbol("submit");
    this.submitsOnWire.set(mark, this.clock.now());
    if (!this.sampling) void this.sample();
    return () => this.submitsOnWire.delete(mark);
  }

  private async sample(): Promise<void> {
    this.sampling = true;
    try {
      while (this.submitsOnWire.size > 0) {
        const oldest = Math.min(...this.submitsOnWire.values());
        const slowAt = oldest + SLOW_SUBMIT_MS;
        if (this.clock.now() < slowAt) {
          await this.clock.sleep(slowAt - this.clock.now());
          continue;
        }
        await this.recentJobs().catch(() => undefined);
        await this.clock.sleep(SLOW_SUBMIT_MS);
      }
    } finally {
      this.sampling = false;
    }
  }

  private remember(jobs: FpDbDeleteJob[]): FpDbDeleteJob[] {
    for (const job of jobs) {
      this.seen.delete(job.jobId);
      this.seen.set(job.jobId, job);
    }
    for (const oldest of this.seen.keys()) {
      if (this.seen.size <= MAX_SIGHTINGS) break;
      this.seen.delete(oldest);
    }
    return jobs;
  }

  /**
   * The newest jobs as this watcher first read them, read once and shared by every later caller.
   *
   * What resume-or-submit looks for there is left by earlier runs of the stack (a killed destroy's Delete, an
   * interrupted update's Purge), and those runs ended before this one began: the engine's stack lock lets one run
   * at a time, and a provider host ends with its run. So the first window read in this run holds every such job
   * that any later window would, and reaches further back: later windows only add this run's own submits, which
   * in a bulk operation push the earlier runs' jobs out of the 20 within a fraction of a second. Statuses in it may
   * be stale; that is safe, because a job resumed from it is then waited for by id, and a job it shows finished
   * stays finished. A failed read is not kept: the next caller reads again.
   */
  startOfRunJobs(): Promise<FpDbDeleteJob[]> {
    if (this.atStart === undefined) {
      const jobs = this.recentJobs();
      this.atStart = jobs;
      jobs.catch(() => {
        if (this.atStart === jobs) this.atStart = undefined;
      });
    }
    return this.atStart;
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
              answered = jobs.submitSent();
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
