/**
 * resume-or-submit's answers to a failed submit: its outcome unknown (ambiguous), the library busy with another job,
 * or refused as fatal. Each gathers the facts its verdict in verdicts.ts asks for and acts on the verdict.
 */
import { formatDuration, waitBounds } from "./poll";
import type { FpDbDeleteJob, SubmitFpDbDeleteJobRequest } from "../client/types";
import { LibraryGoneError, MpsApiError } from "../errors";
import type { Services } from "./services";
import {
  decided,
  libraryIsGone,
  LOST_SUBMIT_JOB,
  resumed,
  stillBusy,
  untaggedReason,
  UNFINISHED_JOB_CODE,
  waitForOtherJob,
  withDoubts,
  type ResumeOptions,
  type SubmitOutcome,
} from "./submit-outcome";
import {
  afterAmbiguousSubmit,
  afterBusySubmit,
  afterFatalSubmit,
  jobSubmittedSince,
  type AmbiguousSubmitFacts,
  type BusySubmitFacts,
  type OwnJobEvidence,
} from "./verdicts";

/** One request's submits: what the answers to its failed submits carry from one to the next. */
export interface Submits {
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
export type Answer = SubmitOutcome | { kind: "submit-again" };

/** The answer to a submit that failed with `err`, sent at `sentAt`. */
export function answerFailedSubmit(submits: Submits, err: MpsApiError, sentAt: number): Promise<Answer> {
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
    sightings: services.jobs.window.sightings(),
    firstSentAt: submits.firstSentAt,
    deadline: submits.deadline,
    busyWaitMs: submits.busyWaitMs,
  };
  const verdict = await decided(
    () => afterBusySubmit(request, options, { ...facts, now: clock.now() }),
    async (look) => {
      if (look.at === "jobs") facts.recent = await services.jobs.window.recentJobs();
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

/** The job a submit sent at `sentAt` whose answer was lost created, if the jobs read since show it. */
async function findJobSubmittedSince(
  services: Services,
  request: SubmitFpDbDeleteJobRequest,
  sentAt: number,
  evidence: OwnJobEvidence,
): Promise<FpDbDeleteJob | undefined> {
  const recent = await services.jobs.window.recentJobs({ startedAfter: sentAt });
  // A tagged Purge is this request's wherever it was seen: also out of the window, in an earlier read.
  const jobs = evidence.tag === undefined ? recent : [...recent, ...services.jobs.window.sightings()];
  return jobSubmittedSince(jobs, request, sentAt, evidence);
}
