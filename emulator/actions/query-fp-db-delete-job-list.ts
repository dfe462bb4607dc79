import { errors } from "../api-error";
import { finishAt, jobStatus, type Job } from "../store/model";
import { isoSeconds } from "../time";
import { idList, nonExistIds, type ActionContext } from "./context";

/**
 * Most JobIds per call (a project convention: the public limit is undocumented,
 * docs/mps-api.md, 'Conventions').
 */
export const MAX_JOB_IDS = 10;
/** Jobs returned when no JobIds are given (docs/mps-api.md, 'QueryFpDBDeleteJobList'). */
export const NEWEST_JOBS = 20;

/**
 * QueryFpDBDeleteJobList: the account's jobs among `JobIds` (unknown ones in `NonExistIds`), or its 20 newest
 * jobs, newest first, when no ids are given.
 */
export function queryFpDbDeleteJobList(ctx: ActionContext): Record<string, unknown> {
  const { ids, given } = idList(ctx, "JobIds");
  if (given > MAX_JOB_IDS) {
    throw errors.invalidParameter("JobIds", `at most ${MAX_JOB_IDS} ids are allowed per call, got ${given}`);
  }
  if (given === 0) {
    const jobs = ctx.store.newestJobs(ctx.accountId, NEWEST_JOBS);
    return { FpDBDeleteJobList: { FpDBDeleteJob: jobs.map((job) => wireJob(job, ctx.now)) } };
  }
  const found: Record<string, unknown>[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const job = ctx.store.job(ctx.accountId, id);
    if (job) found.push(wireJob(job, ctx.now));
    else missing.push(id);
  }
  return { FpDBDeleteJobList: { FpDBDeleteJob: found }, ...nonExistIds(missing) };
}

/** A job as the API writes it: FinishTime once finished, Code/Message only when it failed. */
function wireJob(job: Job, now: number): Record<string, unknown> {
  const status = jobStatus(job, now);
  const out: Record<string, unknown> = {
    Id: job.jobId,
    FpDBId: job.fpDbId,
    DelType: job.delType,
    Status: status,
    CreationTime: isoSeconds(job.createdAt),
  };
  if (status === "Success" || status === "Fail") out.FinishTime = isoSeconds(finishAt(job));
  if (job.pipelineId !== undefined) out.PipelineId = job.pipelineId;
  if (job.userData !== undefined) out.UserData = job.userData;
  if (status === "Fail" && job.failure) {
    out.Code = job.failure.code;
    out.Message = job.failure.message;
  }
  return out;
}
