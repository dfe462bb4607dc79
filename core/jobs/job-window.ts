/**
 * The account's 20 newest jobs (QueryFpDBDeleteJobList without ids), as one process reads them: the only view MPS
 * gives of jobs whose ids the caller does not know, such as an interrupted run's or the job of a submit whose answer
 * was lost. Apart from the waits (which look jobs up by id, ./watchers), because it has rules of its own: one read
 * in flight shared by its callers, the first read of the run kept, every job seen remembered, and reads every
 * {@link SLOW_SUBMIT_MS} while a Purge submit's answer is slow.
 */
import type { Clock } from "../clock";
import type { FpDbDeleteJob, MpsApi } from "../client/types";

/** How slow a Purge submit's answer is before the window is sampled while it is awaited, and how often then. */
export const SLOW_SUBMIT_MS = 100;
/** Sightings kept per window: far more than any window, little memory (a job is a few hundred bytes). */
export const MAX_SIGHTINGS = 5_000;

export class JobWindow {
  private recent?: { startedAt: number; jobs: Promise<FpDbDeleteJob[]> };
  private atStart?: Promise<FpDbDeleteJob[]>;
  /** Every job any read of this window showed, newest sighting last (see {@link sightings}). */
  private readonly seen = new Map<string, FpDbDeleteJob>();
  /** When each Purge submit on the wire was sent; while one has waited {@link SLOW_SUBMIT_MS}, the window is sampled. */
  private readonly submitsOnWire = new Map<symbol, number>();
  private sampling = false;

  constructor(
    private readonly api: Pick<MpsApi, "queryFpDbDeleteJobList">,
    private readonly clock: Clock,
  ) {}

  /**
   * The service's 20 newest jobs (QueryFpDBDeleteJobList without ids). Concurrent callers share the call in
   * flight, unless they need an answer to a request sent at or after `startedAfter` (epoch ms of this window's
   * clock), e.g. to find a job submitted at that time; then a new call is made and shared from there on.
   */
  recentJobs(options: { startedAfter?: number } = {}): Promise<FpDbDeleteJob[]> {
    const inFlight = this.recent;
    if (inFlight !== undefined && inFlight.startedAt >= (options.startedAfter ?? -Infinity))
      return inFlight.jobs;
    const call = {
      startedAt: this.clock.now(),
      jobs: this.api.queryFpDbDeleteJobList().then((r) => this.remember(r.jobs)),
    };
    this.recent = call;
    const clear = (): void => {
      if (this.recent === call) this.recent = undefined;
    };
    call.jobs.then(clear, clear);
    return call.jobs;
  }

  /**
   * Every job a window read of this process has shown (up to {@link MAX_SIGHTINGS}, the latest kept), with the
   * status seen then. A job pushed out of the 20 newest by a bulk run's own submits stays findable here: a Purge
   * whose submit answer was lost can be recognised by its tag long after it left the window.
   */
  sightings(): FpDbDeleteJob[] {
    return [...this.seen.values()];
  }

  /**
   * Marks a Purge submit as sent (on the wire, past its send token); the returned function marks it answered. While
   * a submit's answer is slower than {@link SLOW_SUBMIT_MS}, the 20 newest jobs are read every
   * {@link SLOW_SUBMIT_MS} (one read shared by every slow submit), so that a submit whose answer then times out has
   * its job in {@link sightings}, even when other submits pushed it out of the window before the timeout. Fast
   * answers, the usual case, cost nothing.
   */
  submitSent(): () => void {
    const mark = Symbol("submit");
    this.submitsOnWire.set(mark, this.clock.now());
    if (!this.sampling) void this.sample();
    return () => this.submitsOnWire.delete(mark);
  }

  private async sample(): Promise<void> {
    this.sampling = true;
    try {
      while (this.submitsOnWire.size > 0) {
        const oldest = Math.min(...this.submitsOnWire.values());
        const slowAt = oldest + SLOW_SUBMIT_MS;
        if (this.clock.now() < slowAt) {
          await this.clock.sleep(slowAt - this.clock.now());
          continue;
        }
        await this.recentJobs().catch(() => undefined);
        await this.clock.sleep(SLOW_SUBMIT_MS);
      }
    } finally {
      this.sampling = false;
    }
  }

  private remember(jobs: FpDbDeleteJob[]): FpDbDeleteJob[] {
    for (const job of jobs) {
      this.seen.delete(job.jobId);
      this.seen.set(job.jobId, job);
    }
    for (const oldest of this.seen.keys()) {
      if (this.seen.size <= MAX_SIGHTINGS) break;
      this.seen.delete(oldest);
    }
    return jobs;
  }

  /**
   * The newest jobs as this window first read them, read once and shared by every later caller.
   *
   * What resume-or-submit looks for there is left by earlier runs of the stack (a killed destroy's Delete, an
   * interrupted update's Purge), and those runs ended before this one began: the engine's stack lock lets one run
   * at a time, and a provider host ends with its run. So the first window read in this run holds every such job
   * that any later window would, and reaches further back: later windows only add this run's own submits, which
   * in a bulk operation push the earlier runs' jobs out of the 20 within a fraction of a second. Statuses in it may
   * be stale; that is safe, because a job resumed from it is then waited for by id, and a job it shows finished
   * stays finished. A failed read is not kept: the next caller reads again.
   */
  startOfRunJobs(): Promise<FpDbDeleteJob[]> {
    if (this.atStart === undefined) {
      const jobs = this.recentJobs();
      this.atStart = jobs;
      jobs.catch(() => {
        if (this.atStart === jobs) this.atStart = undefined;
      });
    }
    return this.atStart;
  }
}
