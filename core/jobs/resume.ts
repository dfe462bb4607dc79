import { isoSeconds, type Clock } from "../clock";
import type { FpDbDeleteJob, SubmitFpDbDeleteJobRequest } from "../client/types";
import { JobFailedError, LibraryGoneError, MpsApiError, WaitTimeoutError } from "../errors";
import type { Logger } from "../log";
import { formatDuration, waitBounds, type WaitTiming } from "./poll";
import type { Services } from "./services";
import {
  afterAmbiguousSubmit,
  afterBusySubmit,
  afterFatalSubmit,
  jobSubmittedSince,
  priorDelete,
  priorPurge,
  type AmbiguousSubmitFacts,
  type BusySubmitFacts,
  type JobTagEvidence,
  type OwnJobEvidence,
  type PriorDelete,
} from "./verdicts";

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
 * The code with which MPS refuses a job for a library that already has an unfinished one
 * (docs/mps-api.md, 'Conventions').
 */
export const UNFINISHED_JOB_CODE = "InvalidParameter.InvalidState";

/**
 * Submits a Purge or Delete job at most once (docs/design.md, 'Resume or submit'): first resumes an
 * unfinished job of the same DelType that belongs to this request (for a Purge, see {@link PriorPurge});
 * after a submit whose outcome is unknown, looks for the job it may have created before trying again; when
 * the library is busy with another job, waits for that job to end. The decisions are the verdicts of
 * verdicts.ts; the code here gathers the facts they ask for and acts on them.
 */
export async function resumeOrSubmit(
  services: Services,
  request: SubmitFpDbDeleteJobRequest,
  options: ResumeOptions,
): Promise<SubmitOutcome> {
  const { clock } = options;
  const deadline = clock.now() + options.timing.timeoutMs;
  const prior =
    request.delType === "Purge"
      ? await beforePurgeSubmit(services, request, options, deadline)
      : await beforeDeleteSubmit(services, request, options);
  if (prior.kind !== "submit") return prior;

  const submits: Submits = {
    services,
    request,
    options,
    deadline,
    firstSentAt: clock.now(),
    doubt: prior.doubt,
    ambiguousSubmits: 0,
    busyWaitMs: options.timing.intervalMs,
  };
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
        submits.doubt,
        submits.ambiguousSubmits,
      );
    } catch (err) {
      if (!(err instanceof MpsApiError)) throw err;
      const answer = await answerFailedSubmit(submits, err, sentAt);
      if (answer.kind !== "submit-again") return answer;
    }
  }
}

/** What resume-or-submit found before its first submit: an outcome, or a submit to send (with its doubt). */
type BeforeSubmit = SubmitOutcome | { kind: "submit"; doubt?: string };

/** One request's submits: what the answers to its failed submits carry from one to the next. */
interface Submits {
  readonly services: Services;
  readonly request: SubmitFpDbDeleteJobRequest;
  readonly options: ResumeOptions;
  /** When the request's time runs out (epoch ms). */
  readonly deadline: number;
  /** When its first submit was sent (epoch ms). */
  readonly firstSentAt: number;
  /** Why another Purge for the request may exist besides the one it ends with ({@link PriorPurge}'s doubt). */
  readonly doubt: string | undefined;
  /** Submits with an unknown outcome so far. */
  ambiguousSubmits: number;
  /** The next wait on a library busy with a job out of view; doubles up to the wait cap. */
  busyWaitMs: number;
}

/** The answer to a failed submit: an outcome, or send it again. */
type Answer = SubmitOutcome | { kind: "submit-again" };

/**
 * Before a Purge: the Purges already on the library, by {@link priorPurge}. The first look uses the run's first
 * window (see JobWatcher.startOfRunJobs); after waiting for another Purge to end, the jobs are read again, so that
 * the ended job is seen as ended.
 */
async function beforePurgeSubmit(
  services: Services,
  request: SubmitFpDbDeleteJobRequest,
  options: ResumeOptions,
  deadline: number,
): Promise<BeforeSubmit> {
  const { log, clock, describe } = options;
  for (let look = 0; ; look++) {
    const prior = priorPurge(
      await (look === 0 ? services.jobs.startOfRunJobs() : services.jobs.recentJobs()),
      request.fpDbId,
      { knownJobIds: options.knownJobIds ?? [], recordedAt: options.recordedAt, tag: options.tag },
    );
    if (prior.kind === "resume")
      return resumed(prior.job, options, "submitted for this request by an earlier run that did not finish");
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
    if (prior.kind === "submit")
      return { kind: "submit", doubt: prior.doubt ? hiddenPurgeText(prior.doubt, options) : undefined };
    log.info(
      `Purge job ${prior.job.jobId} for ${describe} (${prior.job.status}) ` +
        (prior.known
          ? "was submitted for an earlier request and cannot satisfy this one"
          : `cannot be taken for this request: ${untaggedReason(options)}`) +
        "; waiting for it to end, then submitting a Purge job of this request's own",
    );
    await waitForOtherJob(services, prior.job, request, options, deadline);
  }
}

/** Before a Delete: an unfinished Delete, or a library already gone, by {@link priorDelete}. */
async function beforeDeleteSubmit(
  services: Services,
  request: SubmitFpDbDeleteJobRequest,
  options: ResumeOptions,
): Promise<BeforeSubmit> {
  const recent = await services.jobs.startOfRunJobs();
  let gone: boolean | undefined;
  const prior = await decided<PriorDelete>(
    () => priorDelete(recent, request.fpDbId, gone),
    async () => {
      gone = await libraryIsGone(services, request.fpDbId);
    },
  );
  if (prior.kind === "resume") return resumed(prior.job, options, "an unfinished job from an earlier run");
  return prior;
}

/** The answer to a submit that failed with `err`, sent at `sentAt`. */
function answerFailedSubmit(submits: Submits, err: MpsApiError, sentAt: number): Promise<Answer> {
  if (err.kind === "ambiguous") return answerAmbiguous(submits, err, sentAt);
  if (err.code === UNFINISHED_JOB_CODE) return answerBusy(submits, err);
  // The service may not know the library: for a Delete that means done, once ListFpShotDB confirms it (the
  // provider never relies on this undocumented code alone); a Purge cannot work, and says how to go on.
  if (err.kind === "fatal") return answerFatal(submits, err);
  throw err;
}

/** A submit whose outcome is unknown, by {@link afterAmbiguousSubmit}. */
async function answerAmbiguous(submits: Submits, err: MpsApiError, sentAt: number): Promise<Answer> {
  const { services, request, options } = submits;
  const { log, describe } = options;
  const facts: AmbiguousSubmitFacts = {
    delType: request.delType,
    lost: await findJobSubmittedSince(services, request, sentAt, options),
    ambiguousSubmits: submits.ambiguousSubmits + 1,
  };
  const verdict = await decided(
    () => afterAmbiguousSubmit(facts),
    async () => {
      facts.gone = await libraryIsGone(services, request.fpDbId);
    },
  );
  if (verdict.kind === "resume") {
    const outcome = resumed(verdict.job, options, LOST_SUBMIT_JOB);
    return withDoubts(outcome, request, submits.doubt, submits.ambiguousSubmits);
  }
  if (verdict.kind === "gone") return { kind: "gone" };
  submits.ambiguousSubmits = facts.ambiguousSubmits;
  if (verdict.kind === "give-up") {
    // The next run cannot know about these submits: say now that it may add a duplicate.
    if (request.delType === "Purge")
      log.warn(
        `Gave up submitting a Purge job for ${describe} after ${submits.ambiguousSubmits} submits with an ` +
          "unknown outcome: the library may be being purged, and running the operation again may add a " +
          "duplicate Purge job (harmless: the library is emptied twice)",
      );
    throw err;
  }
  log.warn(
    `Submit of a ${request.delType} job for ${describe} had an unknown outcome (${err.code}) and no such job ` +
      `is among the 20 newest; submitting again`,
  );
  return { kind: "submit-again" };
}

/** A submit refused because the library already has an unfinished job, by {@link afterBusySubmit}. */
async function answerBusy(submits: Submits, err: MpsApiError): Promise<Answer> {
  const { services, request, options } = submits;
  const { log, clock, describe } = options;
  // After a submit whose answer was lost, the job under way may be that submit's, seen earlier by its tag: the
  // sightings as they stand now, not as the read below adds to them.
  const facts: Omit<BusySubmitFacts, "now"> = {
    ambiguousSubmits: submits.ambiguousSubmits,
    sightings: services.jobs.sightings(),
    firstSentAt: submits.firstSentAt,
    deadline: submits.deadline,
    busyWaitMs: submits.busyWaitMs,
  };
  const verdict = await decided(
    () => afterBusySubmit(request, options, { ...facts, now: clock.now() }),
    async (look) => {
      if (look.at === "jobs") facts.recent = await services.jobs.recentJobs();
      else facts.gone = await libraryIsGone(services, request.fpDbId);
    },
  );
  switch (verdict.kind) {
    case "resume": {
      const what = verdict.found === "lost" ? LOST_SUBMIT_JOB : "a job already under way";
      return withDoubts(
        resumed(verdict.job, options, what),
        request,
        submits.doubt,
        submits.ambiguousSubmits,
      );
    }
    case "gone":
      return { kind: "gone" };
    case "wait-for-job": {
      const running = verdict.job;
      const why =
        running.delType === request.delType
          ? ` that cannot be taken for this request (${untaggedReason(options)})`
          : "";
      log.info(
        `${describe} has an unfinished ${running.delType} job ${running.jobId}${why}; waiting for it to end ` +
          `before submitting the ${request.delType} job`,
      );
      await waitForOtherJob(services, running, request, options, submits.deadline);
      return { kind: "submit-again" };
    }
    case "still-busy":
      throw stillBusy(request, options, err, undefined);
    case "wait-for-library":
      log.info(
        `${describe} already has an unfinished job outside the 20 newest; waiting ` +
          `${formatDuration(submits.busyWaitMs)} before submitting the ${request.delType} job again`,
      );
      await clock.sleep(submits.busyWaitMs);
      submits.busyWaitMs = Math.min(submits.busyWaitMs * 2, waitBounds(options.timing).capMs);
      return { kind: "submit-again" };
  }
}

/** A submit refused as fatal, by {@link afterFatalSubmit}. */
async function answerFatal(submits: Submits, err: MpsApiError): Promise<Answer> {
  const { services, request, options } = submits;
  let gone: boolean | undefined;
  const verdict = await decided(
    () => afterFatalSubmit(request.delType, gone),
    async () => {
      gone = await libraryIsGone(services, request.fpDbId);
    },
  );
  if (verdict.kind === "gone") return { kind: "gone" };
  if (verdict.kind === "library-gone") throw libraryGone(request, options, err);
  throw err;
}

/** What a submit whose answer was lost and whose job was then found is resumed as, in the log. */
const LOST_SUBMIT_JOB = "the job created by a submit whose answer was lost";

/**
 * A verdict once it has the facts it needs: asks `decide`, and while it answers `look`, gathers what it asks for
 * with `gather` and asks again.
 */
async function decided<V extends { kind: string }>(
  decide: () => V,
  gather: (look: Extract<V, { kind: "look" }>) => Promise<void>,
): Promise<Exclude<V, { kind: "look" }>> {
  for (;;) {
    const verdict = decide();
    if (verdict.kind !== "look") return verdict as Exclude<V, { kind: "look" }>;
    await gather(verdict as Extract<V, { kind: "look" }>);
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

function submittedAt(job: FpDbDeleteJob, clock: Clock): string {
  return job.creationTime ?? isoSeconds(clock.now());
}

/** The job a submit sent at `sentAt` whose answer was lost created, if the jobs read since show it. */
async function findJobSubmittedSince(
  services: Services,
  request: SubmitFpDbDeleteJobRequest,
  sentAt: number,
  evidence: OwnJobEvidence,
): Promise<FpDbDeleteJob | undefined> {
  const recent = await services.jobs.recentJobs({ startedAfter: sentAt });
  // A tagged Purge is this request's wherever it was seen: also out of the window, in an earlier read.
  const jobs = evidence.tag === undefined ? recent : [...recent, ...services.jobs.sightings()];
  return jobSubmittedSince(jobs, request, sentAt, evidence);
}

/** Whether ListFpShotDB says the library is gone: listed in `NonExistIds`, or reported `deleted`. */
export async function libraryIsGone(services: Services, fpDbId: string): Promise<boolean> {
  const library = (await services.libraries.lookup([fpDbId])).get(fpDbId);
  return library === undefined || library.status === "deleted";
}
