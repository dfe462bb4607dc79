/**
 * What resume-or-submit returns and the pieces its before-submit looks and its answers to a failed submit share:
 * the outcome of a resumed job, the doubts that travel with it, the verdict loop, and waiting out another job.
 */
import { isoSeconds, type Clock } from "../clock";
import type { FpDbDeleteJob, SubmitFpDbDeleteJobRequest } from "../client/types";
import { JobFailedError, MpsApiError, WaitTimeoutError } from "../errors";
import type { Logger } from "../log";
import { formatDuration, timeoutAdvice, type WaitTiming } from "./poll";
import type { Services } from "./services";
import type { JobTagEvidence } from "./verdicts";

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

/** What a submit whose answer was lost and whose job was then found is resumed as, in the log. */
export const LOST_SUBMIT_JOB = "the job created by a submit whose answer was lost";

/**
 * A verdict once it has the facts it needs: asks `decide`, and while it answers `look`, gathers what it asks for
 * with `gather` and asks again.
 */
export async function decided<V extends { kind: string }>(
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
export async function waitForOtherJob(
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
      timeoutSource: options.timing.timeoutSource,
      signal: options.timing.signal,
      describe: options.describe,
    });
  } catch (err) {
    if (err instanceof JobFailedError) return;
    if (err instanceof WaitTimeoutError) throw stillBusy(request, options, err, job);
    throw err;
  }
}

/** The library still had another job when this request's time ran out: nothing was submitted. */
export function stillBusy(
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
      `it has ended (QueryFpDBDeleteJobList shows its status), or ${timeoutAdvice(options.timing)}.` +
      (cause instanceof MpsApiError && cause.requestId ? ` RequestId: ${cause.requestId}.` : ""),
    job?.jobId ?? request.fpDbId,
    job?.status ?? "unfinished",
    options.timing.timeoutMs,
    cause === undefined ? undefined : { cause },
  );
}

/** Why a Purge without this request's tag is not taken for it. */
export function untaggedReason(options: Pick<ResumeOptions, "tag">): string {
  return options.tag === undefined
    ? "this resource sets `userData`, so its jobs carry no tag and none can be proven its own"
    : "it does not carry this request's tag (another stack's, another tool's or the console's, or one for an " +
        "earlier request)";
}

/**
 * The outcome with the reasons another Purge may exist for the same request: the window's doubt, and earlier
 * submits whose outcome stayed unknown (any of them may have created a job nobody waits for). Delete jobs cannot
 * duplicate: a second one is refused while the first runs, and the library is gone after it.
 */
export function withDoubts(
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

export function resumed(
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

export function submittedAt(job: FpDbDeleteJob, clock: Clock): string {
  return job.creationTime ?? isoSeconds(clock.now());
}

/** Whether ListFpShotDB says the library is gone: listed in `NonExistIds`, or reported `deleted`. */
export async function libraryIsGone(services: Services, fpDbId: string): Promise<boolean> {
  const library = (await services.libraries.lookup([fpDbId])).get(fpDbId);
  return library === undefined || library.status === "deleted";
}
