import { MinHeap } from "./heap";
import { finishAt, jobStatus, type Job, type JobFailure, type Library } from "./model";
import type { EmulatorDelType } from "../types";

/** What CreateFpShotDB or a seed puts into the store. */
export interface NewLibrary {
  fpDbId: string;
  name: string;
  description?: string;
  modelId?: number;
  config?: string;
  pinnedStatus?: string;
  fileCount?: number;
}

/** What SubmitFpDBDeleteJob puts into the store. */
export interface NewJob {
  jobId: string;
  delType: EmulatorDelType;
  pipelineId?: string;
  userData?: string;
  durationMs: number;
  failure?: JobFailure;
  requestId: string;
}

/**
 * Libraries and jobs of every account. State machines are lazy: statuses are computed from the clock when read,
 * and the only side effects of time (a Delete removing a library, a Purge emptying it) are applied by `settle`,
 * which pops finished jobs from a heap, so a request costs O(log n) however many libraries exist.
 */
export class Store {
  private readonly libraries = new Map<string, Library>();
  private readonly jobs = new Map<string, Job>();
  private readonly jobsByAccount = new Map<string, Job[]>();
  private readonly liveCount = new Map<string, number>();
  private readonly pending = new MinHeap<Job>();
  private seq = 0;

  /** Applies the effects of every job finished by `now`. Call before reading or writing. */
  settle(now: number): void {
    for (let key = this.pending.peekKey(); key !== undefined && key <= now; key = this.pending.peekKey()) {
      this.finish(this.pending.pop()!);
    }
  }

  hasLibraryId(fpDbId: string): boolean {
    return this.libraries.has(fpDbId);
  }

  addLibrary(accountId: string, lib: NewLibrary, now: number, activateMs: number): Library {
    const library: Library = {
      accountId,
      fpDbId: lib.fpDbId,
      name: lib.name,
      createdAt: now,
      activateAt: now + activateMs,
      fileCount: lib.fileCount ?? 0,
    };
    if (lib.description !== undefined) library.description = lib.description;
    if (lib.modelId !== undefined) library.modelId = lib.modelId;
    if (lib.config !== undefined) library.config = lib.config;
    if (lib.pinnedStatus !== undefined) library.pinnedStatus = lib.pinnedStatus;
    this.libraries.set(library.fpDbId, library);
    this.liveCount.set(accountId, this.liveLibraryCount(accountId) + 1);
    return library;
  }

  /** The account's library, unless it does not exist, belongs to another account, or was deleted. */
  liveLibrary(accountId: string, fpDbId: string): Library | undefined {
    const lib = this.libraries.get(fpDbId);
    return lib && lib.accountId === accountId && lib.deletedAt === undefined ? lib : undefined;
  }

  /** Libraries of the account not deleted yet (what the quota counts). */
  liveLibraryCount(accountId: string): number {
    return this.liveCount.get(accountId) ?? 0;
  }

  addJob(lib: Library, job: NewJob, now: number): Job {
    const created: Job = {
      ...job,
      accountId: lib.accountId,
      fpDbId: lib.fpDbId,
      createdAt: now,
      seq: this.seq++,
    };
    this.jobs.set(created.jobId, created);
    const list = this.jobsByAccount.get(lib.accountId) ?? [];
    list.push(created);
    this.jobsByAccount.set(lib.accountId, list);
    lib.unfinishedJob = created;
    this.pending.push(finishAt(created), created);
    return created;
  }

  /** The library's Queuing/Analysing job, if any. */
  unfinishedJob(lib: Library, now: number): Job | undefined {
    const job = lib.unfinishedJob;
    if (!job) return undefined;
    const status = jobStatus(job, now);
    return status === "Queuing" || status === "Analysing" ? job : undefined;
  }

  /** The account's job, unless it does not exist or belongs to another account. */
  job(accountId: string, jobId: string): Job | undefined {
    const job = this.jobs.get(jobId);
    return job && job.accountId === accountId ? job : undefined;
  }

  /** The account's `n` newest jobs, newest first. */
  newestJobs(accountId: string, n: number): Job[] {
    return (this.jobsByAccount.get(accountId) ?? []).slice(-n).reverse();
  }

  allLibraries(): Library[] {
    return [...this.libraries.values()];
  }

  allJobs(): Job[] {
    return [...this.jobs.values()];
  }

  clear(): void {
    this.libraries.clear();
    this.jobs.clear();
    this.jobsByAccount.clear();
    this.liveCount.clear();
    this.pending.clear();
  }

  private finish(job: Job): void {
    const lib = this.libraries.get(job.fpDbId);
    if (!lib) return;
    if (lib.unfinishedJob === job) delete lib.unfinishedJob;
    if (job.failure) return;
    const at = finishAt(job);
    if (job.delType === "Delete") {
      if (lib.deletedAt !== undefined) return;
      lib.deletedAt = at;
      this.liveCount.set(lib.accountId, this.liveLibraryCount(lib.accountId) - 1);
    } else {
      lib.fileCount = 0;
      lib.purgedAt = at;
    }
  }
}
