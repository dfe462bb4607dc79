/**
 * Checks against the emulator's own records that a bulk operation did what it claims: every library purged
 * once, or deleted with exactly one Delete job. A fast run that skipped work would otherwise look good.
 */
import type { EmulatorDelType } from "../emulator";
import type { EmulatorProcess } from "./emulator-process";

/** What the emulator saw for a set of libraries. */
export interface JobCheck {
  /** Libraries with exactly one job of the type among the new jobs, ended in Success. */
  librariesWithOneSuccessfulJob: number;
  /** New jobs of the type beyond one per library. */
  extraJobs: number;
  /** Libraries now marked deleted. */
  librariesDeleted: number;
}

/** Job ids the emulator knows now: take before a run, pass to {@link checkJobs} after it. */
export async function knownJobIds(emulator: EmulatorProcess): Promise<Set<string>> {
  return new Set((await emulator.admin.state()).jobs.map((j) => j.jobId));
}

/** Looks at the jobs of `delType` submitted since `before` for the libraries `fpDbIds`. */
export async function checkJobs(
  emulator: EmulatorProcess,
  fpDbIds: readonly string[],
  delType: EmulatorDelType,
  before: Set<string>,
): Promise<JobCheck> {
  const state = await emulator.admin.state();
  const ids = new Set(fpDbIds);
  const jobsPerLibrary = new Map<string, { count: number; success: boolean }>();
  let extraJobs = 0;
  for (const job of state.jobs) {
    if (before.has(job.jobId) || job.delType !== delType || !ids.has(job.fpDbId)) continue;
    const seen = jobsPerLibrary.get(job.fpDbId);
    if (seen) {
      seen.count += 1;
      extraJobs += 1;
    } else jobsPerLibrary.set(job.fpDbId, { count: 1, success: job.status === "Success" });
  }
  const librariesWithOneSuccessfulJob = [...jobsPerLibrary.values()].filter(
    (j) => j.count === 1 && j.success,
  ).length;
  const librariesDeleted = state.libraries.filter((l) => ids.has(l.fpDbId) && l.deleted).length;
  return { librariesWithOneSuccessfulJob, extraJobs, librariesDeleted };
}

/**
 * The floor from the emulator's ledger: the latest end (submit time plus drawn duration) among the jobs of
 * `delType` submitted since `before`, in seconds after `startedAt` (epoch ms), plus one poll floor for seeing it.
 */
export async function ledgerFloorSeconds(
  emulator: EmulatorProcess,
  delType: EmulatorDelType,
  before: Set<string>,
  startedAt: number,
  pollSeconds: number,
): Promise<number | undefined> {
  const jobs = (await emulator.admin.state()).jobs.filter(
    (j) => !before.has(j.jobId) && j.delType === delType,
  );
  if (jobs.length === 0) return undefined;
  const lastEnd = Math.max(...jobs.map((j) => Date.parse(j.submittedAt) + j.durationMs));
  return (lastEnd - startedAt) / 1000 + pollSeconds;
}
