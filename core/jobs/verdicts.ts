/**
 * The decisions of resume-or-submit (resume.ts), each a pure function from what has been seen to a small union:
 * what to do about jobs already on a library before a submit, and how to answer a submit that failed. The async
 * code in resume.ts only gathers the facts a verdict asks for and acts on it; the rules are here, tested as tables
 * (test/unit/jobs/).
 */
import {
  UNFINISHED_JOB_STATUSES,
  type DelType,
  type FpDbDeleteJob,
  type SubmitFpDbDeleteJobRequest,
} from "../client/types";

/**
 * Slack between the provider's clock (`recordedAt`) and the service's job times, which also have whole seconds
 * only: a job created up to this long before the state was written still counts as after it.
 */
export const RECORDED_AT_SLACK_MS = 5_000;

/** How many jobs QueryFpDBDeleteJobList returns without ids: the account's newest. */
export const RECENT_JOBS_WINDOW = 20;

/** How many times a submit with an unknown outcome is tried again before giving up. */
export const MAX_AMBIGUOUS_SUBMITS = 3;

// Job times have second precision and the service clock may differ slightly from ours: a job created by a lost
// submit can carry a CreationTime up to this much before the moment we sent it.
const CREATION_TIME_SLACK_MS = 5_000;

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

/** What tells a job this request may take as its own from others: the tag, and the jobs the state knows. */
export type OwnJobEvidence = Pick<PurgeEvidence, "tag"> & { knownJobIds?: readonly string[] };

/** The library and DelType a request is for. */
export type RequestKey = Pick<SubmitFpDbDeleteJobRequest, "fpDbId" | "delType">;

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

/**
 * What to do before submitting a Delete job, from the newest jobs as the run first read them and, once asked
 * for, whether ListFpShotDB lists the library as gone:
 *
 * - an unfinished Delete of the library is resumed (`resume`), whoever submitted it: the library ends up deleted
 *   either way;
 * - a Delete of the library that succeeded (an earlier run's, whose end went unrecorded) says the library is
 *   probably gone: `look` at the library rather than send a submit bound to be refused, then it is `gone`, or
 *   the Delete is submitted after all;
 * - otherwise `submit`. No look is made without such a job: it would cost every destroy a call.
 */
export type PriorDelete =
  { kind: "resume"; job: FpDbDeleteJob } | { kind: "look" } | { kind: "gone" } | { kind: "submit" };

/** Applies the {@link PriorDelete} rule. `gone` is undefined until the library was looked at. Pure. */
export function priorDelete(recent: readonly FpDbDeleteJob[], fpDbId: string, gone?: boolean): PriorDelete {
  const existing = unfinishedOf(recent, { fpDbId, delType: "Delete" });
  if (existing) return { kind: "resume", job: existing };
  const deleted = recent.some(
    (job) => job.fpDbId === fpDbId && job.delType === "Delete" && job.status === "Success",
  );
  if (!deleted) return { kind: "submit" };
  if (gone === undefined) return { kind: "look" };
  return gone ? { kind: "gone" } : { kind: "submit" };
}

/** What is known after a submit whose outcome is unknown (a timeout, a 5xx, a reset connection). */
export interface AmbiguousSubmitFacts {
  delType: DelType;
  /** The job that submit may have created, as the jobs read since it was sent show it ({@link jobSubmittedSince}). */
  lost: FpDbDeleteJob | undefined;
  /** Whether ListFpShotDB lists the library as gone; undefined until looked at. */
  gone?: boolean;
  /** Submits with an unknown outcome so far, this one included. */
  ambiguousSubmits: number;
}

/**
 * How to answer a submit whose outcome is unknown: `resume` the job it created when it is in view; for a Delete,
 * `look` whether the library is gone, and if so it is `gone` (done); otherwise `submit-again`, or `give-up` once
 * more than {@link MAX_AMBIGUOUS_SUBMITS} submits had an unknown outcome.
 */
export type AfterAmbiguousSubmit =
  | { kind: "resume"; job: FpDbDeleteJob }
  | { kind: "look" }
  | { kind: "gone" }
  | { kind: "submit-again" }
  | { kind: "give-up" };

/** Applies the {@link AfterAmbiguousSubmit} rule. Pure. */
export function afterAmbiguousSubmit(facts: AmbiguousSubmitFacts): AfterAmbiguousSubmit {
  if (facts.lost) return { kind: "resume", job: facts.lost };
  if (facts.delType === "Delete") {
    if (facts.gone === undefined) return { kind: "look" };
    if (facts.gone) return { kind: "gone" };
  }
  return facts.ambiguousSubmits > MAX_AMBIGUOUS_SUBMITS ? { kind: "give-up" } : { kind: "submit-again" };
}

/** What is known after a submit refused because the library already has an unfinished job. */
export interface BusySubmitFacts {
  /** Submits of this request with an unknown outcome so far. */
  ambiguousSubmits: number;
  /** Every job a read of the window has shown (JobWindow.sightings), as it stood when the refusal came. */
  sightings: readonly FpDbDeleteJob[];
  /** When this request's first submit was sent (epoch ms). */
  firstSentAt: number;
  /** The newest jobs, read after the refusal; undefined until read. */
  recent?: readonly FpDbDeleteJob[];
  /** Whether ListFpShotDB lists the library as gone; undefined until looked at. */
  gone?: boolean;
  /** Now, the deadline of the request and the next wait on the library (epoch ms, ms). */
  now: number;
  deadline: number;
  busyWaitMs: number;
}

/**
 * How to answer a submit refused because the library already has an unfinished job (`InvalidParameter.InvalidState`):
 *
 * - after a submit whose answer was lost, a job carrying this request's tag seen since the first submit is that
 *   submit's: `resume` it (`lost`);
 * - otherwise `look` at the newest jobs: an unfinished job of the request's DelType that the request may take as
 *   its own (any Delete; a Purge carrying the tag) is resumed (`running`);
 * - for a Delete, `look` whether the library is gone, and if so it is `gone` (done);
 * - another job in view is waited for (`wait-for-job`; `takeable` false when it has the request's DelType but is
 *   not the request's), then the submit is sent again;
 * - a job out of view is waited out on the library (`wait-for-library`, `busyWaitMs`), unless that wait would end
 *   after the deadline: then the library is `still-busy` and nothing is submitted.
 */
export type AfterBusySubmit =
  | { kind: "resume"; job: FpDbDeleteJob; found: "lost" | "running" }
  | { kind: "look"; at: "jobs" | "library" }
  | { kind: "gone" }
  | { kind: "wait-for-job"; job: FpDbDeleteJob }
  | { kind: "wait-for-library" }
  | { kind: "still-busy" };

/** Applies the {@link AfterBusySubmit} rule. Pure. */
export function afterBusySubmit(
  request: RequestKey,
  evidence: OwnJobEvidence,
  facts: BusySubmitFacts,
): AfterBusySubmit {
  const lost =
    facts.ambiguousSubmits > 0
      ? ourSighting(facts.sightings, request, evidence, facts.firstSentAt)
      : undefined;
  if (lost) return { kind: "resume", job: lost, found: "lost" };
  if (facts.recent === undefined) return { kind: "look", at: "jobs" };
  const running = unfinishedOf(facts.recent, request, { anyDelType: true });
  if (running && running.delType === request.delType && belongsToRequest(running, request, evidence))
    return { kind: "resume", job: running, found: "running" };
  if (request.delType === "Delete") {
    if (facts.gone === undefined) return { kind: "look", at: "library" };
    if (facts.gone) return { kind: "gone" };
  }
  if (running) return { kind: "wait-for-job", job: running };
  if (facts.now + facts.busyWaitMs > facts.deadline) return { kind: "still-busy" };
  return { kind: "wait-for-library" };
}

/**
 * How to answer a submit refused as fatal: the service may not know the library. `look` whether ListFpShotDB
 * lists it as gone (the provider never relies on the undocumented code alone); if so, a Delete is `gone` (done)
 * and a Purge cannot work (`library-gone`, an error that says how to go on); otherwise the error stands
 * (`rethrow`).
 */
export type AfterFatalSubmit =
  { kind: "look" } | { kind: "gone" } | { kind: "library-gone" } | { kind: "rethrow" };

/** Applies the {@link AfterFatalSubmit} rule. `gone` is undefined until the library was looked at. Pure. */
export function afterFatalSubmit(delType: DelType, gone?: boolean): AfterFatalSubmit {
  if (gone === undefined) return { kind: "look" };
  if (!gone) return { kind: "rethrow" };
  return delType === "Delete" ? { kind: "gone" } : { kind: "library-gone" };
}

/**
 * A job of the request's DelType that this request may take as its own: any Delete (whoever submitted it, the
 * library ends up deleted), a Purge only when it carries this request's tag and the state does not know it.
 */
export function belongsToRequest(job: FpDbDeleteJob, request: RequestKey, evidence: OwnJobEvidence): boolean {
  if (request.delType === "Delete") return true;
  return (
    evidence.tag !== undefined &&
    job.userData === evidence.tag.value &&
    !(evidence.knownJobIds ?? []).includes(job.jobId)
  );
}

/**
 * The job a submit sent at `sentAt` whose answer was lost may have created, among the jobs read since: the
 * request's own, unfinished or created after it was sent.
 */
export function jobSubmittedSince(
  jobs: FpDbDeleteJob[],
  request: RequestKey,
  sentAt: number,
  evidence: OwnJobEvidence,
): FpDbDeleteJob | undefined {
  return newest(
    jobs.filter((job) => {
      if (job.fpDbId !== request.fpDbId || job.delType !== request.delType) return false;
      if (!belongsToRequest(job, request, evidence)) return false;
      if ((evidence.knownJobIds ?? []).includes(job.jobId)) return false;
      if (isUnfinished(job)) return true;
      const created = createdAt(job);
      return Number.isFinite(created) && created >= sentAt - CREATION_TIME_SLACK_MS;
    }),
  );
}

/** A job carrying this request's tag that a window read showed since the request's first submit. */
function ourSighting(
  sightings: readonly FpDbDeleteJob[],
  request: RequestKey,
  evidence: OwnJobEvidence,
  since: number,
): FpDbDeleteJob | undefined {
  if (evidence.tag === undefined) return undefined;
  return newest(
    sightings.filter(
      (job) =>
        job.fpDbId === request.fpDbId &&
        job.delType === request.delType &&
        belongsToRequest(job, request, evidence) &&
        createdAt(job) >= since - CREATION_TIME_SLACK_MS,
    ),
  );
}

/** The newest unfinished job of the request's library (and DelType, unless `anyDelType`). */
function unfinishedOf(
  jobs: readonly FpDbDeleteJob[],
  request: RequestKey,
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

function newest(jobs: FpDbDeleteJob[]): FpDbDeleteJob | undefined {
  return jobs.sort((a, b) => (b.creationTime ?? "").localeCompare(a.creationTime ?? ""))[0];
}
