import { isoSeconds, type Clock } from "../clock";
import type { Services, WaitTiming } from "../context";
import {
  UNFINISHED_JOB_STATUSES,
  type FpDbDeleteJob,
  type SubmitFpDbDeleteJobRequest,
} from "../client/types";
import { JobFailedError, LibraryGoneError, MpsApiError, WaitTimeoutError } from "../errors";
import type { Logger } from "../log";
import { formatDuration } from "./poll";

/** What resume-or-submit found or did. */
export type SubmitOutcome =
  | {
      kind: "job";
      jobId: string;
      /** RequestId of the accepted submit; absent when an existing job was resumed. */
      requestId?: string;
      resumed: boolean;
      /** When this operation submitted or adopted the job (ISO 8601). */
      submittedAt: string;
      /** The job's status when it was found, for a resumed or accepted job (a new one is `Queuing`). */
      status?: string;
      /** The job's FinishTime, for a job that had already ended when it was found. */
      finishedAt?: string;
    }
  /**
   * Delete only: the library is gone (ListFpShotDB says so), found out from a finished Delete job in view or from a
   * refused submit: no job was submitted.
   */
  | { kind: "gone" };

export interface ResumeOptions {
  /** "library <id> (<logical name>)", for messages. */
  describe: string;
  log: Logger;
  clock: Clock;
  timing: WaitTiming;
  /**
   * Jobs this resource already knows (its history and last Purge): never mistaken for the answer to a lost submit
   * or to a new purge trigger, and the line after which an unknown Purge belongs to the current request.
   */
  knownJobIds?: readonly string[];
  /**
   * When the state was last written (epoch ms), if it says: an unknown Purge created after it comes from a run
   * that did not finish, one created before it does not belong to this request.
   */
  recordedAt?: number;
  /** The command that runs the operation again, for messages (`pulumi up` or `pulumi destroy`). */
  rerun?: string;
}

/**
 * Slack between the provider's clock (`recordedAt`) and the service's job times, which also have whole seconds
 * only: a job created up to this long before the state was written still counts as after it.
 */
export const RECORDED_AT_SLACK_MS = 5_000;

/** How many jobs QueryFpDBDeleteJobList returns without ids: the account's newest. */
export const RECENT_JOBS_WINDOW = 20;

/**
 * What to do about Purge jobs already on a library before submitting one for the current request (a new
 * `purgeTrigger`, or a destroy with `deletionPolicy: "Purge"`). MPS jobs carry nothing that ties them to a
 * trigger, and a run killed after its submit writes nothing to the state, so the rule is:
 *
 * - a Purge the state knows (`knownJobIds`) was submitted for an earlier request and cannot satisfy this one:
 *   while it runs, wait for it to end (`earlier`), then submit;
 * - an unknown Purge newer than every job the state knows belongs to this request, left by an interrupted run:
 *   resume it while it runs (`resume`), take it as done when it succeeded (`accept`);
 * - otherwise submit. The submit is `certain` to be the only Purge for this request when the 20-job window
 *   reaches back to the jobs the state knows (then every newer job is in view) or holds every job of the
 *   account; when it does not, an interrupted run's Purge may be out of sight, and the submit is logged as a
 *   possible duplicate naming the library.
 *
 * When no job the state knows is in view, the time the state was written (`recordedAt`, less a slack for clock
 * differences) is the line instead: a Purge from before it (made before the stack managed the library, say)
 * never stands in for a trigger. State written before `recordedAt` existed and knowing no job gives no line:
 * no unknown Purge is taken, and any in view makes the submit uncertain.
 */
export type PriorPurge =
  | { kind: "earlier"; job: FpDbDeleteJob }
  | { kind: "resume"; job: FpDbDeleteJob }
  | { kind: "accept"; job: FpDbDeleteJob }
  | { kind: "submit"; certain: boolean };

/** Applies the {@link PriorPurge} rule to the newest jobs of the account. Pure. */
export function priorPurge(
  recent: readonly FpDbDeleteJob[],
  fpDbId: string,
  knownJobIds: readonly string[],
  recordedAt?: number,
): PriorPurge {
  const mine = recent.filter((job) => job.fpDbId === fpDbId && job.delType === "Purge");
  const known = (job: FpDbDeleteJob) => knownJobIds.includes(job.jobId);
  const earlier = newest(mine.filter((job) => known(job) && isUnfinished(job)));
  if (earlier) return { kind: "earlier", job: earlier };

  const unknown = mine.filter((job) => !known(job));
  const knownTimes = mine.filter(known).map(createdAt).filter(Number.isFinite);
  const windowFull = recent.length >= RECENT_JOBS_WINDOW;
  let belonging: FpDbDeleteJob[];
  let certain: boolean;
  if (knownTimes.length > 0) {
    // Every job newer than a job in view is in view too.
    const line = Math.max(...knownTimes);
    belonging = unknown.filter((job) => createdAt(job) > line);
    certain = true;
  } else if (recordedAt !== undefined) {
    const line = recordedAt - RECORDED_AT_SLACK_MS;
    belonging = unknown.filter((job) => createdAt(job) >= line);
    const oldest = Math.min(...recent.map(createdAt).filter(Number.isFinite));
    certain = !windowFull || oldest < line;
  } else if (knownJobIds.length > 0) {
    // The jobs the state knows are older than the whole window: everything in it is newer.
    belonging = unknown;
    certain = !windowFull;
  } else {
    belonging = [];
    certain = unknown.length === 0 && !windowFull;
  }
  const latest = newest(belonging);
  if (latest && isUnfinished(latest)) return { kind: "resume", job: latest };
  if (latest?.status === "Success") return { kind: "accept", job: latest };
  return { kind: "submit", certain };
}

/** How many times a submit with an unknown outcome is tried again before giving up. */
export const MAX_AMBIGUOUS_SUBMITS = 3;

// Job times have second precision and the service clock may differ slightly from ours: a job created by a lost
// submit can carry a CreationTime up to this much before the moment we sent it.
const CREATION_TIME_SLACK_MS = 5_000;

/**
 * The code with which MPS refuses a job for a library that already has an unfinished one
 * (docs/mps-api.md, 'Conventions').
 */
export const UNFINISHED_JOB_CODE = "InvalidParameter.InvalidState";

/**
 * Submits a Purge or Delete job at most once (docs/design.md, 'Resume or submit'): first resumes an
 * unfinished job of the same DelType that belongs to this request (for a Purge, see {@link PriorPurge});
 * after a submit whose outcome is unknown, looks for the job it may have created before trying again; when
 * the library is busy with another job, waits for that job to end.
 */
export async function resumeOrSubmit(
  services: Services,
  request: SubmitFpDbDeleteJobRequest,
  options: ResumeOptions,
): Promise<SubmitOutcome> {
  const { log, clock, describe } = options;
  const deadline = clock.now() + options.timing.timeoutMs;
  let possibleDuplicate = false;
  if (request.delType === "Purge") {
    // The first look uses the run's first window (see JobWatcher.startOfRunJobs); after waiting for an earlier
    // Purge to end, the jobs are read again, so that the ended job is seen as ended.
    for (let look = 0; ; look++) {
      const prior = priorPurge(
        await (look === 0 ? services.jobs.startOfRunJobs() : services.jobs.recentJobs()),
        request.fpDbId,
        options.knownJobIds ?? [],
        options.recordedAt,
      );
      if (prior.kind === "resume")
        return resumed(prior.job, options, "submitted by an earlier run that did not finish");
      if (prior.kind === "accept") {
        log.info(
          `Purge job ${prior.job.jobId} for ${describe} succeeded (${prior.job.finishTime ?? "finish time unknown"}) ` +
            "after the last job the state knows: an earlier run submitted it for this request and did not " +
            "finish, so it is taken as this request's purge and no new job is submitted",
        );
        const accepted: SubmitOutcome = {
          kind: "job",
          jobId: prior.job.jobId,
          resumed: true,
          submittedAt: submittedAt(prior.job, clock),
          status: prior.job.status,
        };
        if (prior.job.finishTime) accepted.finishedAt = prior.job.finishTime;
        return accepted;
      }
      if (prior.kind === "submit") {
        possibleDuplicate = !prior.certain;
        break;
      }
      log.info(
        `Purge job ${prior.job.jobId} for ${describe} was submitted for an earlier purgeTrigger and cannot ` +
          `satisfy this one (${prior.job.status}); waiting for it to end before submitting a new Purge job`,
      );
      await waitForOtherJob(services, prior.job, request, options, deadline);
    }
  } else {
    const recent = await services.jobs.startOfRunJobs();
    const existing = unfinishedOf(recent, request);
    if (existing) return resumed(existing, options, "an unfinished job from an earlier run");
    // A Delete of this library that succeeded (an earlier run's, whose end went unrecorded) says the library is
    // probably gone: confirm that rather than send a submit bound to be refused.
    const deleted = recent.some(
      (job) => job.fpDbId === request.fpDbId && job.delType === "Delete" && job.status === "Success",
    );
    if (deleted && (await libraryIsGone(services, request.fpDbId))) return { kind: "gone" };
  }

  let ambiguousSubmits = 0;
  let busyWaitMs = options.timing.intervalMs;
  for (;;) {
    const sentAt = clock.now();
    try {
      const result = await services.api.submitFpDbDeleteJob(request);
      warnOfDuplicate(request, options, ambiguousSubmits, `Submitted Purge job ${result.jobId}`);
      if (possibleDuplicate) warnOfHiddenPurge(result.jobId, options);
      return {
        kind: "job",
        jobId: result.jobId,
        requestId: result.requestId,
        resumed: false,
        submittedAt: isoSeconds(sentAt),
      };
    } catch (err) {
      if (!(err instanceof MpsApiError)) throw err;

      if (err.kind === "ambiguous") {
        const lost = await findJobSubmittedSince(services, request, sentAt, options.knownJobIds ?? []);
        if (lost) {
          warnOfDuplicate(request, options, ambiguousSubmits, `Resuming Purge job ${lost.jobId}`);
          if (possibleDuplicate) warnOfHiddenPurge(lost.jobId, options);
          return resumed(lost, options, "the job created by a submit whose answer was lost");
        }
        if (request.delType === "Delete" && (await libraryIsGone(services, request.fpDbId)))
          return { kind: "gone" };
        ambiguousSubmits += 1;
        if (ambiguousSubmits > MAX_AMBIGUOUS_SUBMITS) {
          // The next run cannot know about these submits: say now that it may add a duplicate.
          warnOfDuplicate(
            request,
            options,
            ambiguousSubmits,
            "Gave up submitting a Purge job",
            "the library may be being purged, and running the operation again adds a duplicate Purge job",
          );
          throw err;
        }
        log.warn(
          `Submit of a ${request.delType} job for ${describe} had an unknown outcome (${err.code}) and no such job ` +
            `is among the 20 newest; submitting again`,
        );
        continue;
      }

      if (err.code === UNFINISHED_JOB_CODE) {
        const running = await findUnfinishedJob(services, request, { anyDelType: true });
        if (running && running.delType === request.delType && belongsToRequest(running, request, options)) {
          warnOfDuplicate(request, options, ambiguousSubmits, `Resuming Purge job ${running.jobId}`);
          return resumed(running, options, "a job already under way");
        }
        if (request.delType === "Delete" && (await libraryIsGone(services, request.fpDbId)))
          return { kind: "gone" };
        if (running) {
          log.info(
            `${describe} has an unfinished ${running.delType} job ${running.jobId}; waiting for it to end before ` +
              `submitting the ${request.delType} job`,
          );
          await waitForOtherJob(services, running, request, options, deadline);
          continue;
        }
        if (clock.now() + busyWaitMs > deadline) throw stillBusy(request, options, err, undefined);
        log.info(
          `${describe} already has an unfinished job outside the 20 newest; waiting ${formatDuration(busyWaitMs)} ` +
            `before submitting the ${request.delType} job again`,
        );
        await clock.sleep(busyWaitMs);
        busyWaitMs = Math.min(busyWaitMs * 2, options.timing.maxIntervalMs);
        continue;
      }

      // The service does not know the library: for a Delete that means done, once ListFpShotDB confirms it (the
      // provider never relies on this undocumented code alone); a Purge cannot work, and says how to go on.
      if (err.kind === "fatal" && (await libraryIsGone(services, request.fpDbId))) {
        if (request.delType === "Delete") return { kind: "gone" };
        throw libraryGone(request, options, err);
      }
      throw err;
    }
  }
}

/**
 * Waits for a job that stands in the way of this request (a Purge of an earlier trigger, or a job of the other
 * DelType) to end, whatever its outcome: its failure is not this request's. Runs out at the request's deadline.
 */
async function waitForOtherJob(
  services: Services,
  job: FpDbDeleteJob,
  request: SubmitFpDbDeleteJobRequest,
  options: ResumeOptions,
  deadline: number,
): Promise<void> {
  const remainingMs = deadline - options.clock.now();
  if (remainingMs <= 0) throw stillBusy(request, options, undefined, job);
  try {
    await services.jobs.waitForJob(job.jobId, {
      intervalMs: options.timing.intervalMs,
      maxIntervalMs: options.timing.maxIntervalMs,
      timeoutMs: remainingMs,
      describe: options.describe,
    });
  } catch (err) {
    if (err instanceof JobFailedError) return;
    if (err instanceof WaitTimeoutError) throw stillBusy(request, options, err, job);
    throw err;
  }
}

/** The library still had another job when this request's time ran out: nothing was submitted. */
function stillBusy(
  request: SubmitFpDbDeleteJobRequest,
  options: ResumeOptions,
  cause: Error | undefined,
  job: FpDbDeleteJob | undefined,
): WaitTimeoutError {
  const what = job
    ? `an unfinished ${job.delType} job ${job.jobId}`
    : "an unfinished job (outside the 20 newest)";
  const rerun = options.rerun ?? (request.delType === "Delete" ? "pulumi destroy" : "pulumi up");
  return new WaitTimeoutError(
    `${options.describe} still has ${what} after waiting ${formatDuration(options.timing.timeoutMs)}, so the ` +
      `${request.delType} job was not submitted. Nothing is wrong with the request: run \`${rerun}\` again once ` +
      `it has ended (QueryFpDBDeleteJobList shows its status), or raise jobTimeoutSeconds.` +
      (cause instanceof MpsApiError && cause.requestId ? ` RequestId: ${cause.requestId}.` : ""),
    job?.jobId ?? request.fpDbId,
    job?.status ?? "unfinished",
    options.timing.timeoutMs,
    cause === undefined ? undefined : { cause },
  );
}

function libraryGone(
  request: SubmitFpDbDeleteJobRequest,
  options: ResumeOptions,
  cause: MpsApiError,
): LibraryGoneError {
  return new LibraryGoneError(
    `${options.describe} no longer exists in MPS (ListFpShotDB reports it gone), so the ${request.delType} job ` +
      "cannot run: it was deleted outside this stack. Run `pulumi refresh` to drop it from the stack (the next " +
      "`pulumi up` then creates a new library), or remove the resource from the program.",
    request.fpDbId,
    { cause },
  );
}

/** An unfinished job of the request's DelType that this request may resume: any Delete, an unknown Purge. */
function belongsToRequest(
  job: FpDbDeleteJob,
  request: SubmitFpDbDeleteJobRequest,
  options: ResumeOptions,
): boolean {
  return request.delType === "Delete" || !(options.knownJobIds ?? []).includes(job.jobId);
}

/** The 20-job window did not reach back far enough to rule out a Purge from an interrupted run. */
function warnOfHiddenPurge(jobId: string, options: ResumeOptions): void {
  options.log.warn(
    `Purge job ${jobId} for ${options.describe} is a possible duplicate: the 20 newest jobs of the account do not ` +
      "reach back to the jobs this stack knows, so a Purge submitted by an earlier run that did not finish may " +
      "exist out of sight (harmless: the library is then emptied twice)",
  );
}

/**
 * After submits whose outcome stayed unknown, any of them may have created a Purge job nobody waits for: the
 * library is then purged twice (harmless, but the design promises to say so). Delete jobs cannot duplicate: a
 * second one is refused while the first runs, and the library is gone after it.
 */
function warnOfDuplicate(
  request: SubmitFpDbDeleteJobRequest,
  options: ResumeOptions,
  ambiguousSubmits: number,
  what: string,
  consequence = "any of them that was executed besides this job left a duplicate Purge job",
): void {
  if (ambiguousSubmits === 0 || request.delType !== "Purge") return;
  options.log.warn(
    `${what} for ${options.describe} after ${ambiguousSubmits} submit(s) with an unknown outcome: ` +
      `${consequence} (harmless: the library is emptied twice)`,
  );
}

function resumed(job: FpDbDeleteJob, options: ResumeOptions, what: string): SubmitOutcome {
  options.log.info(
    `Resuming ${job.delType} job ${job.jobId} for ${options.describe}: ${what} (${job.status})`,
  );
  return {
    kind: "job",
    jobId: job.jobId,
    resumed: true,
    submittedAt: submittedAt(job, options.clock),
    status: job.status,
  };
}

async function findUnfinishedJob(
  services: Services,
  request: SubmitFpDbDeleteJobRequest,
  options: { anyDelType?: boolean } = {},
): Promise<FpDbDeleteJob | undefined> {
  return unfinishedOf(await services.jobs.recentJobs(), request, options);
}

function unfinishedOf(
  jobs: readonly FpDbDeleteJob[],
  request: SubmitFpDbDeleteJobRequest,
  options: { anyDelType?: boolean } = {},
): FpDbDeleteJob | undefined {
  return newest(
    jobs.filter(
      (job) =>
        job.fpDbId === request.fpDbId &&
        (options.anyDelType === true || job.delType === request.delType) &&
        isUnfinished(job),
    ),
  );
}

function isUnfinished(job: FpDbDeleteJob): boolean {
  return (UNFINISHED_JOB_STATUSES as readonly string[]).includes(job.status);
}

function createdAt(job: FpDbDeleteJob): number {
  return job.creationTime ? Date.parse(job.creationTime) : NaN;
}

function submittedAt(job: FpDbDeleteJob, clock: Clock): string {
  return job.creationTime ?? isoSeconds(clock.now());
}

async function findJobSubmittedSince(
  services: Services,
  request: SubmitFpDbDeleteJobRequest,
  sentAt: number,
  knownJobIds: readonly string[],
): Promise<FpDbDeleteJob | undefined> {
  const jobs = await services.jobs.recentJobs({ startedAfter: sentAt });
  return newest(
    jobs.filter((job) => {
      if (job.fpDbId !== request.fpDbId || job.delType !== request.delType) return false;
      if (knownJobIds.includes(job.jobId)) return false;
      if (isUnfinished(job)) return true;
      const created = createdAt(job);
      return Number.isFinite(created) && created >= sentAt - CREATION_TIME_SLACK_MS;
    }),
  );
}

/** Whether ListFpShotDB says the library is gone: listed in `NonExistIds`, or reported `deleted`. */
export async function libraryIsGone(services: Services, fpDbId: string): Promise<boolean> {
  const library = (await services.libraries.lookup([fpDbId])).get(fpDbId);
  return library === undefined || library.status === "deleted";
}

function newest(jobs: FpDbDeleteJob[]): FpDbDeleteJob | undefined {
  return jobs.sort((a, b) => (b.creationTime ?? "").localeCompare(a.creationTime ?? ""))[0];
}
