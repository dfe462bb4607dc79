import { isoSeconds, type Clock } from "../clock";
import type { Services, WaitTiming } from "../context";
import {
  UNFINISHED_JOB_STATUSES,
  type FpDbDeleteJob,
  type SubmitFpDbDeleteJobRequest,
} from "../client/types";
import { MpsApiError } from "../errors";
import type { Logger } from "../log";

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
    }
  /** Delete only: the library disappeared while we looked, because a job submitted earlier finished. */
  | { kind: "gone" };

export interface ResumeOptions {
  /** "library <id> (<logical name>)", for messages. */
  describe: string;
  log: Logger;
  clock: Clock;
  timing: WaitTiming;
  /** Jobs this resource already knows (its history): never mistaken for the answer to a lost submit. */
  knownJobIds?: readonly string[];
}

/** How many times a submit with an unknown outcome is tried again before giving up. */
export const MAX_AMBIGUOUS_SUBMITS = 3;

// Job times have second precision and the service clock may differ slightly from ours: a job created by a lost
// submit can carry a CreationTime up to this much before the moment we sent it.
const CREATION_TIME_SLACK_MS = 5_000;

/** The code with which MPS refuses a job for a library that already has an unfinished one (mps-api.md 8). */
export const UNFINISHED_JOB_CODE = "InvalidParameter.InvalidState";

/**
 * Submits a Purge or Delete job at most once (design section 5): first looks for an unfinished job of the same
 * DelType on the same library and resumes it; after a submit whose outcome is unknown, looks for the job it may
 * have created before trying again; when the service refuses because a job is already under way, finds that job
 * or waits until the library is free.
 */
export async function resumeOrSubmit(
  services: Services,
  request: SubmitFpDbDeleteJobRequest,
  options: ResumeOptions,
): Promise<SubmitOutcome> {
  const { log, clock, describe } = options;
  const existing = await findUnfinishedJob(services, request);
  if (existing) return resumed(existing, options, "an unfinished job from an earlier run");

  const deadline = clock.now() + options.timing.timeoutMs;
  let ambiguousSubmits = 0;
  let busyWaitMs = options.timing.intervalMs;
  for (;;) {
    const sentAt = clock.now();
    try {
      const result = await services.api.submitFpDbDeleteJob(request);
      warnOfDuplicate(request, options, ambiguousSubmits, `Submitted Purge job ${result.jobId}`);
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
        const running = await findUnfinishedJob(services, request);
        if (running) {
          warnOfDuplicate(request, options, ambiguousSubmits, `Resuming Purge job ${running.jobId}`);
          return resumed(running, options, "a job already under way");
        }
        if (request.delType === "Delete" && (await libraryIsGone(services, request.fpDbId)))
          return { kind: "gone" };
        if (clock.now() + busyWaitMs > deadline) throw err;
        log.info(
          `${describe} already has an unfinished job outside the 20 newest; waiting ${Math.round(busyWaitMs / 1000)}s ` +
            `before submitting the ${request.delType} job again`,
        );
        await clock.sleep(busyWaitMs);
        busyWaitMs = Math.min(busyWaitMs * 2, options.timing.maxIntervalMs);
        continue;
      }

      // The service does not know the library: for a Delete that means done, once ListFpShotDB confirms it (the
      // provider never relies on this undocumented code alone).
      if (
        request.delType === "Delete" &&
        err.kind === "fatal" &&
        (await libraryIsGone(services, request.fpDbId))
      ) {
        return { kind: "gone" };
      }
      throw err;
    }
  }
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
    submittedAt: job.creationTime ?? isoSeconds(options.clock.now()),
  };
}

async function findUnfinishedJob(
  services: Services,
  request: SubmitFpDbDeleteJobRequest,
): Promise<FpDbDeleteJob | undefined> {
  const jobs = await services.jobs.recentJobs();
  return newest(
    jobs.filter(
      (job) =>
        job.fpDbId === request.fpDbId &&
        job.delType === request.delType &&
        (UNFINISHED_JOB_STATUSES as readonly string[]).includes(job.status),
    ),
  );
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
      if ((UNFINISHED_JOB_STATUSES as readonly string[]).includes(job.status)) return true;
      const created = job.creationTime ? Date.parse(job.creationTime) : NaN;
      return Number.isFinite(created) && created >= sentAt - CREATION_TIME_SLACK_MS;
    }),
  );
}

async function libraryIsGone(services: Services, fpDbId: string): Promise<boolean> {
  const library = (await services.libraries.lookup([fpDbId])).get(fpDbId);
  return library === undefined || library.status === "deleted";
}

function newest(jobs: FpDbDeleteJob[]): FpDbDeleteJob | undefined {
  return jobs.sort((a, b) => (b.creationTime ?? "").localeCompare(a.creationTime ?? ""))[0];
}
