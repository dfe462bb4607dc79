import type { DelType, FpDbDeleteJob } from "../client/types";
import { JobFailedError, LibraryGoneError } from "../errors";
import { jobTag, newJobTagKey, type JobPurpose } from "../jobs/job-tag";
import { resumeOrSubmit, type SubmitOutcome } from "../jobs/resume";
import { possibleDuplicateLine } from "../log";
import { appendJobHistory } from "../state";
import type { LibraryState } from "../types";
import type { LibraryCall } from "./call";
import { namingLibrary } from "./common";

/**
 * The key of the resource's job tags: the state's, or a new one for state written before tags (kept from the next
 * state on; until then it proves only this run's own submits).
 */
export interface TagKey {
  key: string;
  stored: boolean;
}

export function tagKeyOf(state: LibraryState): TagKey {
  return state.jobTagKey === undefined
    ? { key: newJobTagKey(), stored: false }
    : { key: state.jobTagKey, stored: true };
}

/** A job this resource submitted or resumed, with the last status seen. */
export interface JobRun {
  jobId: string;
  requestId?: string;
  status: string;
  submittedAt: string;
  finishedAt?: string;
}

/**
 * Runs one Purge or Delete job for a library: resume-or-submit, then (when asked) wait for the job to finish.
 * Returns undefined when a Delete found the library already gone. A failed job throws {@link JobFailedError}
 * whose message names the library, the JobId, Code and Message.
 */
export async function runJob(
  call: LibraryCall,
  state: LibraryState,
  delType: DelType,
  options: { wait: boolean; rerun?: string; purpose: JobPurpose; tagKey: TagKey },
): Promise<JobRun | undefined> {
  const { describe, timing } = call;
  const services = await call.services();
  // The user's `userData` goes out unchanged; otherwise the job carries this request's tag (jobs/job-tag.ts).
  const tag =
    state.userData === undefined
      ? jobTag(options.tagKey.key, {
          fpDbId: state.fpDbId,
          delType,
          purpose: options.purpose,
          afterJobId: state.purgeJobId,
        })
      : undefined;
  const outcome: SubmitOutcome = await resumeOrSubmit(
    services,
    { fpDbId: state.fpDbId, delType, pipelineId: state.pipelineId, userData: state.userData ?? tag },
    {
      describe,
      log: call.log,
      clock: call.clock,
      timing,
      rerun: options.rerun,
      knownJobIds: [
        ...state.jobHistory.map((job) => job.jobId),
        ...(state.purgeJobId ? [state.purgeJobId] : []),
      ],
      recordedAt: state.recordedAt === undefined ? undefined : Date.parse(state.recordedAt),
      tag: tag === undefined ? undefined : { value: tag, stored: options.tagKey.stored },
    },
  ).catch((err: unknown) => {
    throw namingLibrary(err, describe);
  });
  if (outcome.kind === "gone") return undefined;
  if (!outcome.resumed) call.log.info(`Submitted ${delType} job ${outcome.jobId} for ${describe}`);
  const run: JobRun = {
    jobId: outcome.jobId,
    status: outcome.status ?? "Queuing",
    submittedAt: outcome.submittedAt,
  };
  if (outcome.requestId) run.requestId = outcome.requestId;
  if (outcome.finishedAt) run.finishedAt = outcome.finishedAt;
  const duplicate =
    outcome.possibleDuplicate === undefined
      ? undefined
      : {
          fpDbId: state.fpDbId,
          resourceName: state.resourceName,
          jobId: outcome.jobId,
          why: outcome.possibleDuplicate,
        };
  // A job that has already succeeded (an interrupted run's, accepted) needs no wait, whatever is asked.
  if (!options.wait || run.status === "Success") {
    if (duplicate) call.log.warn(possibleDuplicateLine(duplicate));
    return run;
  }

  const progress = call.progress.begin({
    kind: delType,
    jobId: outcome.jobId,
    fpDbId: state.fpDbId,
    resourceName: state.resourceName,
  });
  // Reported with the wait, so that a bulk run says it once for all its libraries.
  if (duplicate) progress.possibleDuplicate(duplicate);
  let job: FpDbDeleteJob;
  try {
    job = await services.jobs.waitForJob(outcome.jobId, {
      // Read again: the submit may have waited for another job first, and a deadline bounds the whole call.
      ...call.timing,
      describe,
      onPoll: (status) => progress.update(status),
    });
  } catch (err) {
    if (err instanceof JobFailedError) call.log.error(err.message);
    progress.end(false);
    throw err;
  }
  // The job's own line first: ending the wait may print the aggregated "N/N jobs done" summary.
  call.log.info(`${delType} job ${job.jobId} for ${describe} succeeded`);
  progress.end(true);
  const done: JobRun = { ...run, status: job.status };
  if (job.finishTime) done.finishedAt = job.finishTime;
  return done;
}

/** Runs a Purge job and records it in the state (`purgeJobId`, `purgeJobStatus`, ..., `jobHistory`). */
export async function purgeLibrary(
  call: LibraryCall,
  state: LibraryState,
  options: { wait: boolean; rerun?: string; purpose: JobPurpose },
): Promise<LibraryState> {
  const tagKey = tagKeyOf(state);
  const run = await runJob(call, state, "Purge", { ...options, tagKey });
  // Only a Delete reports a library that is gone; resume-or-submit throws LibraryGoneError for a Purge.
  if (!run) throw new LibraryGoneError(`${call.describe} no longer exists`, state.fpDbId);
  const next: LibraryState = {
    ...state,
    jobTagKey: tagKey.key,
    purgeJobId: run.jobId,
    purgeJobStatus: run.status,
  };
  if (run.requestId) next.purgeRequestId = run.requestId;
  else delete next.purgeRequestId;
  if (run.finishedAt) next.purgedAt = run.finishedAt;
  else delete next.purgedAt;
  if (run.status === "Success") {
    const record = { jobId: run.jobId, delType: "Purge", status: run.status, submittedAt: run.submittedAt };
    next.jobHistory = appendJobHistory(
      state.jobHistory,
      run.finishedAt ? { ...record, finishedAt: run.finishedAt } : record,
    );
  }
  return next;
}
