import type { EmulatorDelType, JobView, LibraryView } from "../types";
import { isoMillis, isoSeconds } from "../time";

/** A fingerprint library as the store keeps it. Times are epoch ms of the emulator clock. */
export interface Library {
  accountId: string;
  fpDbId: string;
  name: string;
  description?: string;
  modelId?: number;
  config?: string;
  createdAt: number;
  /** When an `offline` library turns `active`. */
  activateAt: number;
  /** A seeded status that the state machine leaves alone. */
  pinnedStatus?: string;
  fileCount: number;
  purgedAt?: number;
  /** Set when a Delete job succeeded: the library is gone. */
  deletedAt?: number;
  /** The Queuing/Analysing job on this library, if any. */
  unfinishedJob?: Job;
}

/** Why a job will fail, decided at submit time by a job-fail fault. */
export interface JobFailure {
  code: string;
  message: string;
}

/** A Purge or Delete job. */
export interface Job {
  accountId: string;
  jobId: string;
  fpDbId: string;
  delType: EmulatorDelType;
  pipelineId?: string;
  userData?: string;
  createdAt: number;
  durationMs: number;
  failure?: JobFailure;
  requestId: string;
  /** Insertion order, to order jobs created in the same millisecond. */
  seq: number;
}

/** Job status; the service spells `Analysing` the British way. */
export type JobStatus = "Queuing" | "Analysing" | "Success" | "Fail";

/** When the job reaches its terminal status. */
export function finishAt(job: Job): number {
  return job.createdAt + job.durationMs;
}

/** Queuing for the first third of the duration, then Analysing, then Success or Fail. */
export function jobStatus(job: Job, now: number): JobStatus {
  if (now >= finishAt(job)) return job.failure ? "Fail" : "Success";
  return now < job.createdAt + job.durationMs / 3 ? "Queuing" : "Analysing";
}

/** Status of a library that has not been deleted. */
export function libraryStatus(lib: Library, now: number): string {
  if (lib.deletedAt !== undefined) return "deleted";
  if (lib.pinnedStatus !== undefined) return lib.pinnedStatus;
  return now >= lib.activateAt ? "active" : "offline";
}

/** The admin view of a library. */
export function libraryView(lib: Library, now: number): LibraryView {
  const view: LibraryView = {
    accountId: lib.accountId,
    fpDbId: lib.fpDbId,
    name: lib.name,
    status: libraryStatus(lib, now),
    deleted: lib.deletedAt !== undefined,
    fileCount: lib.fileCount,
    createdAt: isoMillis(lib.createdAt),
  };
  if (lib.description !== undefined) view.description = lib.description;
  if (lib.modelId !== undefined) view.modelId = lib.modelId;
  if (lib.config !== undefined) view.config = lib.config;
  if (lib.pinnedStatus === undefined && now >= lib.activateAt) view.activatedAt = isoMillis(lib.activateAt);
  if (lib.purgedAt !== undefined) view.purgedAt = isoMillis(lib.purgedAt);
  if (lib.deletedAt !== undefined) view.deletedAt = isoMillis(lib.deletedAt);
  return view;
}

/** The admin view of a job. */
export function jobView(job: Job, now: number): JobView {
  const status = jobStatus(job, now);
  const view: JobView = {
    accountId: job.accountId,
    jobId: job.jobId,
    fpDbId: job.fpDbId,
    delType: job.delType,
    status,
    creationTime: isoSeconds(job.createdAt),
    submittedAt: isoMillis(job.createdAt),
    durationMs: job.durationMs,
    requestId: job.requestId,
  };
  if (job.pipelineId !== undefined) view.pipelineId = job.pipelineId;
  if (job.userData !== undefined) view.userData = job.userData;
  if (status === "Success" || status === "Fail") view.finishTime = isoSeconds(finishAt(job));
  if (status === "Fail" && job.failure) {
    view.code = job.failure.code;
    view.message = job.failure.message;
  }
  return view;
}
