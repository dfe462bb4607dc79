import { isoSeconds } from "../clock";
import type { SubmitFpDbDeleteJobRequest } from "../client/types";
import { MpsApiError } from "../errors";
import type { Services } from "./services";
import { answerFailedSubmit, type Submits } from "./submit-answers";
import {
  decided,
  libraryIsGone,
  resumed,
  submittedAt,
  untaggedReason,
  waitForOtherJob,
  withDoubts,
  type ResumeOptions,
  type SubmitOutcome,
} from "./submit-outcome";
import { priorDelete, priorPurge, type PriorDelete } from "./verdicts";

export { libraryIsGone, UNFINISHED_JOB_CODE, type ResumeOptions, type SubmitOutcome } from "./submit-outcome";

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

/**
 * Before a Purge: the Purges already on the library, by {@link priorPurge}. The first look uses the run's first
 * window (see JobWindow.startOfRunJobs); after waiting for another Purge to end, the jobs are read again, so that
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
      await (look === 0 ? services.jobs.window.startOfRunJobs() : services.jobs.window.recentJobs()),
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
  const recent = await services.jobs.window.startOfRunJobs();
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

/** Why a submit may have duplicated an interrupted run's Purge ({@link PriorPurge}). */
function hiddenPurgeText(doubt: "window" | "untagged", options: ResumeOptions): string {
  return doubt === "window"
    ? "the 20 newest jobs of the account do not reach back to the jobs this stack knows, so a Purge submitted by " +
        "an earlier run that did not finish may exist out of sight"
    : "a Purge newer than this stack's last record is on the library, and it may be an earlier run's that did " +
        `not finish: ${options.tag === undefined ? "this resource sets `userData`, so its jobs carry no tag" : "the state was written by a release without job tags"}`;
}
