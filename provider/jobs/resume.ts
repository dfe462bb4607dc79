import { isoSeconds, type Clock } from "../clock";
import {
  UNFINISHED_JOB_STATUSES,
  type FpDbDeleteJob,
  type SubmitFpDbDeleteJobRequest,
} from "../client/types";
import { JobFailedError, LibraryGoneError, MpsApiError, WaitTimeoutError } from "../errors";
import type { Logger } from "../log";
import { formatDuration, waitBounds, type WaitTiming } from "./poll";
import type { Services } from "./services";

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
      /**
       * Why another Purge for the same request may exist besides this job (harmless: the library is emptied
       * twice), for the caller to report; absent when this job is certainly the request's only one.
       */
      possibleDuplicate?: string;
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
   * When the state was last written (epoch ms), if it says: where no job the state knows is in view, the jobs
   * created before it cannot be an interrupted run's.
   */
  recordedAt?: number;
  /** The tag this request's jobs carry in `UserData` ({@link JobTagEvidence}); absent where the user set `userData`. */
  tag?: JobTagEvidence;
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
 * The tag this request's jobs carry (jobs/job-tag.ts), and whether the key it is made with comes from the state:
 * only then did an interrupted earlier run tag its job the same way, so that a job without the tag is certainly not
 * that run's. A key made in this run (state from a release before tags) proves this run's own submits only.
 */
export interface JobTagEvidence {
  value: string;
  stored: boolean;
}

/** What the provider knows that tells its own Purge jobs from others. */
export interface PurgeEvidence {
  /** Jobs this resource already knows (its history and last Purge): submitted for earlier requests. */
  knownJobIds: readonly string[];
  /** When the state was last written (epoch ms), if it says. */
  recordedAt?: number;
  tag?: JobTagEvidence;
}

/**
 * What to do about Purge jobs already on a library before submitting one for the current request (a new
 * `purgeTrigger`, or a destroy with `deletionPolicy: "Purge"`). A job is this request's only on evidence: it
 * carries this request's tag. So:
 *
 * - a Purge that carries the tag and that the state does not know was left by a run that did not finish: resume
 *   it while it runs (`resume`), take it as done when it succeeded (`accept`);
 * - any other unfinished Purge (one the state knows, submitted for an earlier request; another stack's; the
 *   console's; or this resource's own when it sets `userData` and so has no tag) cannot satisfy this request:
 *   wait for it to end (`wait`), then look again;
 * - otherwise submit. The submit is `certain` to be the request's only Purge unless an interrupted run's tagged
 *   job may be out of sight (the 20-job window is full and does not reach back to the jobs the state knows or to
 *   when it was written), or a Purge in view newer than that line cannot be told apart from an interrupted run's
 *   because that run could not have tagged it (no tag, or a key made in this run). An uncertain submit is
 *   reported as a possible duplicate naming the library.
 */
export type PriorPurge =
  | { kind: "wait"; job: FpDbDeleteJob; known: boolean }
  | { kind: "resume"; job: FpDbDeleteJob }
  | { kind: "accept"; job: FpDbDeleteJob }
  | { kind: "submit"; doubt?: "window" | "untagged" };

/** Applies the {@link PriorPurge} rule to the newest jobs of the account. Pure. */
export function priorPurge(
  recent: readonly FpDbDeleteJob[],
  fpDbId: string,
  evidence: PurgeEvidence,
): PriorPurge {
  const { knownJobIds, recordedAt, tag } = evidence;
  const mine = recent.filter((job) => job.fpDbId === fpDbId && job.delType === "Purge");
  const known = (job: FpDbDeleteJob) => knownJobIds.includes(job.jobId);
  const tagged = (job: FpDbDeleteJob) => tag !== undefined && job.userData === tag.value && !known(job);

  const ours = newest(mine.filter(tagged));
  if (ours && isUnfinished(ours)) return { kind: "resume", job: ours };
  if (ours?.status === "Success") return { kind: "accept", job: ours };
  const running = newest(mine.filter((job) => !tagged(job) && isUnfinished(job)));
  if (running) return { kind: "wait", job: running, known: known(running) };

  const knownTimes = mine.filter(known).map(createdAt).filter(Number.isFinite);
  const line =
    knownTimes.length > 0
      ? Math.max(...knownTimes)
      : recordedAt !== undefined
        ? recordedAt - RECORDED_AT_SLACK_MS
        : undefined;
  const oldest = Math.min(...recent.map(createdAt).filter(Number.isFinite));
  // Every job newer than one in view is in view too; so is every job newer than the oldest in view.
  const windowReaches =
    recent.length < RECENT_JOBS_WINDOW || knownTimes.length > 0 || (line !== undefined && oldest < line);
  if (!windowReaches) return { kind: "submit", doubt: "window" };
  const untaggedNewer = mine.some(
    (job) => !known(job) && !tagged(job) && (line === undefined || createdAt(job) >= line),
  );
  if (tag?.stored !== true && untaggedNewer) return { kind: "submit", doubt: "untagged" };
  return { kind: "submit" };
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
  let doubt: string | undefined;
  if (request.delType === "Purge") {
    // The first look uses the run's first window (see JobWatcher.startOfRunJobs); after waiting for another
    // Purge to end, the jobs are read again, so that the ended job is seen as ended.
    for (let look = 0; ; look++) {
      const prior = priorPurge(
        await (look === 0 ? services.jobs.startOfRunJobs() : services.jobs.recentJobs()),
        request.fpDbId,
        { knownJobIds: options.knownJobIds ?? [], recordedAt: options.recordedAt, tag: options.tag },
      );
      if (prior.kind === "resume")
        return resumed(
          prior.job,
          options,
          "submitted for this request by an earlier run that did not finish",
        );
      if (prior.kind === "accept") {
        log.info(
          `Purge job ${prior.job.jobId} for ${describe} succeeded (${prior.job.finishTime ?? "finish time unknown"}): ` +
            "it carries this request's tag, so an earlier run submitted it for this request and did not finish; " +
            "it is taken as this request's purge and no new job is submitted",
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
        if (prior.doubt) doubt = hiddenPurgeText(prior.doubt, options);
        break;
      }
      log.info(
        `Purge job ${prior.job.jobId} for ${describe} (${prior.job.status}) ` +
          (prior.known
            ? "was submitted for an earlier request and cannot satisfy this one"
            : `cannot be taken for this request: ${untaggedReason(options)}`) +
          "; waiting for it to end, then submitting a Purge job of this request's own",
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
  const firstSentAt = clock.now();
  for (;;) {
    const sentAt = clock.now();
    try {
      const result = await services.api.submitFpDbDeleteJob(request);
      return withDoubts(
        {
          kind: "job",
          jobId: result.jobId,
          requestId: result.requestId,
          resumed: false,
          submittedAt: isoSeconds(sentAt),
        },
        request,
        doubt,
        ambiguousSubmits,
      );
    } catch (err) {
      if (!(err instanceof MpsApiError)) throw err;

      if (err.kind === "ambiguous") {
        const lost = await findJobSubmittedSince(services, request, sentAt, options);
        if (lost) {
          const outcome = resumed(lost, options, "the job created by a submit whose answer was lost");
          return withDoubts(outcome, request, doubt, ambiguousSubmits);
        }
        if (request.delType === "Delete" && (await libraryIsGone(services, request.fpDbId)))
          return { kind: "gone" };
        ambiguousSubmits += 1;
        if (ambiguousSubmits > MAX_AMBIGUOUS_SUBMITS) {
          // The next run cannot know about these submits: say now that it may add a duplicate.
          if (request.delType === "Purge")
            log.warn(
              `Gave up submitting a Purge job for ${describe} after ${ambiguousSubmits} submits with an unknown ` +
                "outcome: the library may be being purged, and running the operation again may add a duplicate " +
                "Purge job (harmless: the library is emptied twice)",
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
        // After a submit whose answer was lost, the job under way may be that submit's, seen earlier by its tag.
        const lost = ambiguousSubmits > 0 ? ourSighting(services, request, options, firstSentAt) : undefined;
        if (lost) {
          const outcome = resumed(lost, options, "the job created by a submit whose answer was lost");
          return withDoubts(outcome, request, doubt, ambiguousSubmits);
        }
        const running = await findUnfinishedJob(services, request, { anyDelType: true });
        if (running && running.delType === request.delType && belongsToRequest(running, request, options)) {
          const outcome = resumed(running, options, "a job already under way");
          return withDoubts(outcome, request, doubt, ambiguousSubmits);
        }
        if (request.delType === "Delete" && (await libraryIsGone(services, request.fpDbId)))
          return { kind: "gone" };
        if (running) {
          const why =
            running.delType === request.delType
              ? ` that cannot be taken for this request (${untaggedReason(options)})`
              : "";
          log.info(
            `${describe} has an unfinished ${running.delType} job ${running.jobId}${why}; waiting for it to end ` +
              `before submitting the ${request.delType} job`,
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
        busyWaitMs = Math.min(busyWaitMs * 2, waitBounds(options.timing).capMs);
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

/**
 * A job of the request's DelType that this request may take as its own: any Delete (whoever submitted it, the
 * library ends up deleted), a Purge only when it carries this request's tag and the state does not know it.
 */
function belongsToRequest(
  job: FpDbDeleteJob,
  request: SubmitFpDbDeleteJobRequest,
  options: Pick<ResumeOptions, "tag" | "knownJobIds">,
): boolean {
  if (request.delType === "Delete") return true;
  return (
    options.tag !== undefined &&
    job.userData === options.tag.value &&
    !(options.knownJobIds ?? []).includes(job.jobId)
  );
}

/** Why a Purge without this request's tag is not taken for it. */
function untaggedReason(options: Pick<ResumeOptions, "tag">): string {
  return options.tag === undefined
    ? "this resource sets `userData`, so its jobs carry no tag and none can be proven its own"
    : "it does not carry this request's tag (another stack's, another tool's or the console's, or one for an " +
        "earlier request)";
}

/** Why a submit may have duplicated an interrupted run's Purge ({@link PriorPurge}). */
function hiddenPurgeText(doubt: "window" | "untagged", options: ResumeOptions): string {
  return doubt === "window"
    ? "the 20 newest jobs of the account do not reach back to the jobs this stack knows, so a Purge submitted by " +
        "an earlier run that did not finish may exist out of sight"
    : "a Purge newer than this stack's last record is on the library, and it may be an earlier run's that did " +
        `not finish: ${options.tag === undefined ? "this resource sets `userData`, so its jobs carry no tag" : "the state was written by a release without job tags"}`;
}

/**
 * The outcome with the reasons another Purge may exist for the same request: the window's doubt, and earlier
 * submits whose outcome stayed unknown (any of them may have created a job nobody waits for). Delete jobs cannot
 * duplicate: a second one is refused while the first runs, and the library is gone after it.
 */
function withDoubts(
  outcome: Extract<SubmitOutcome, { kind: "job" }>,
  request: SubmitFpDbDeleteJobRequest,
  doubt: string | undefined,
  ambiguousSubmits: number,
): SubmitOutcome {
  if (request.delType !== "Purge") return outcome;
  const reasons = [doubt];
  if (ambiguousSubmits > 0)
    reasons.push(
      `${ambiguousSubmits} earlier submit(s) had an unknown outcome, and any of them that was executed left a Purge ` +
        "job besides this one",
    );
  const text = reasons.filter((r) => r !== undefined).join("; ");
  return text === "" ? outcome : { ...outcome, possibleDuplicate: text };
}

function resumed(
  job: FpDbDeleteJob,
  options: ResumeOptions,
  what: string,
): Extract<SubmitOutcome, { kind: "job" }> {
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
  options: Pick<ResumeOptions, "tag" | "knownJobIds">,
): Promise<FpDbDeleteJob | undefined> {
  const recent = await services.jobs.recentJobs({ startedAfter: sentAt });
  // A tagged Purge is this request's wherever it was seen: also out of the window, in an earlier read.
  const jobs = options.tag === undefined ? recent : [...recent, ...services.jobs.sightings()];
  return newest(
    jobs.filter((job) => {
      if (job.fpDbId !== request.fpDbId || job.delType !== request.delType) return false;
      if (!belongsToRequest(job, request, options)) return false;
      if ((options.knownJobIds ?? []).includes(job.jobId)) return false;
      if (isUnfinished(job)) return true;
      const created = createdAt(job);
      return Number.isFinite(created) && created >= sentAt - CREATION_TIME_SLACK_MS;
    }),
  );
}

/** A job carrying this request's tag that a window read showed since the request's first submit. */
function ourSighting(
  services: Services,
  request: SubmitFpDbDeleteJobRequest,
  options: Pick<ResumeOptions, "tag" | "knownJobIds">,
  since: number,
): FpDbDeleteJob | undefined {
  if (options.tag === undefined) return undefined;
  return newest(
    services.jobs
      .sightings()
      .filter(
        (job) =>
          job.fpDbId === request.fpDbId &&
          job.delType === request.delType &&
          belongsToRequest(job, request, options) &&
          createdAt(job) >= since - CREATION_TIME_SLACK_MS,
      ),
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
