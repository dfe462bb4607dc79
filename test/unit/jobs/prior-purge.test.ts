import type { FpDbDeleteJob } from "../../../core/client/types";
import { priorPurge, RECENT_JOBS_WINDOW, type PurgeEvidence } from "../../../core/jobs/verdicts";

const LIB = "lib-1";
const TAG = "mps-fpdb:1:this-request";

function job(
  jobId: string,
  second: number,
  status: string,
  extra: Partial<FpDbDeleteJob> = {},
): FpDbDeleteJob {
  return {
    jobId,
    fpDbId: LIB,
    delType: "Purge",
    status,
    creationTime: `2026-12-01T00:00:${String(second).padStart(2, "0")}Z`,
    ...extra,
  };
}

/** A job carrying this request's tag. */
function tagged(jobId: string, second: number, status: string): FpDbDeleteJob {
  return job(jobId, second, status, { userData: TAG });
}

/** Other libraries' jobs, to fill the window. */
function others(count: number, fromSecond: number): FpDbDeleteJob[] {
  return Array.from({ length: count }, (_, i) =>
    job(`other-${i}`, fromSecond + (i % 50), "Success", { fpDbId: `lib-x${i}` }),
  );
}

/** Evidence with the tag made with the key stored in the state. */
function stored(knownJobIds: string[], recordedAt?: number): PurgeEvidence {
  return { knownJobIds, recordedAt, tag: { value: TAG, stored: true } };
}

describe("priorPurge: which Purge answers a new request", () => {
  it("waits for a Purge the state knows that still runs: it was submitted for an earlier request", () => {
    const known = tagged("j1", 1, "Analysing");
    expect(priorPurge([known], LIB, stored(["j1"]))).toEqual({ kind: "wait", job: known, known: true });
  });

  it("resumes an unknown Purge that carries this request's tag (an interrupted run's)", () => {
    const lost = tagged("j2", 5, "Queuing");
    expect(priorPurge([job("j1", 1, "Success"), lost], LIB, stored(["j1"]))).toEqual({
      kind: "resume",
      job: lost,
    });
  });

  it("accepts a tagged unknown Purge that succeeded, instead of purging again", () => {
    const lost = tagged("j2", 5, "Success");
    expect(priorPurge([job("j1", 1, "Success"), lost], LIB, stored(["j1"]))).toEqual({
      kind: "accept",
      job: lost,
    });
  });

  it("never accepts a newer Purge without the tag: another stack's or the console's, and submits with certainty", () => {
    const foreign = [job("j1", 1, "Success"), job("theirs", 5, "Success", { userData: "stack A" })];
    expect(priorPurge(foreign, LIB, stored(["j1"]))).toEqual({ kind: "submit" });
    const console = [job("j1", 1, "Success"), job("console", 5, "Success")];
    expect(priorPurge(console, LIB, stored(["j1"]))).toEqual({ kind: "submit" });
  });

  it("never accepts a Purge carrying another request's tag", () => {
    const recent = [job("j1", 1, "Success"), job("j2", 5, "Success", { userData: "mps-fpdb:1:other" })];
    expect(priorPurge(recent, LIB, stored(["j1"]))).toEqual({ kind: "submit" });
  });

  it("waits for a running Purge without the tag before submitting its own", () => {
    const theirs = job("theirs", 5, "Analysing", { userData: "stack A" });
    expect(priorPurge([job("j1", 1, "Success"), theirs], LIB, stored(["j1"]))).toEqual({
      kind: "wait",
      job: theirs,
      known: false,
    });
  });

  it("does not take a tagged job the state already knows (the same trigger set again after another purge)", () => {
    expect(priorPurge([tagged("j1", 1, "Success")], LIB, stored(["j1"]))).toEqual({ kind: "submit" });
  });

  it("submits when the newest tagged Purge failed", () => {
    expect(priorPurge([job("j1", 1, "Success"), tagged("j2", 5, "Fail")], LIB, stored(["j1"]))).toEqual({
      kind: "submit",
    });
  });

  it("ignores other libraries' and Delete jobs", () => {
    const recent = [
      job("j1", 1, "Success"),
      tagged("d", 5, "Queuing"),
      job("p", 6, "Queuing", { fpDbId: "lib-2", userData: TAG }),
    ];
    recent[1].delType = "Delete";
    expect(priorPurge(recent, LIB, stored(["j1"]))).toEqual({ kind: "submit" });
  });

  describe("certainty of a submit", () => {
    it("is certain when the window is not full: it holds every job of the account", () => {
      expect(priorPurge(others(3, 10), LIB, stored(["j1"]))).toEqual({ kind: "submit" });
      expect(priorPurge(others(3, 10), LIB, stored([]))).toEqual({ kind: "submit" });
    });

    it("doubts a full window that reaches neither a known job nor the time the state was written", () => {
      expect(priorPurge(others(RECENT_JOBS_WINDOW, 10), LIB, stored(["j1"]))).toEqual({
        kind: "submit",
        doubt: "window",
      });
      const recordedAt = Date.parse("2026-12-01T00:00:30Z");
      expect(priorPurge(others(RECENT_JOBS_WINDOW, 40), LIB, stored([], recordedAt))).toEqual({
        kind: "submit",
        doubt: "window",
      });
    });

    it("trusts a full window that reaches back to when the state was written", () => {
      const recordedAt = Date.parse("2026-12-01T00:00:30Z");
      expect(priorPurge(others(RECENT_JOBS_WINDOW, 10), LIB, stored([], recordedAt))).toEqual({
        kind: "submit",
      });
    });

    it("without a tag (userData set), doubts a submit when an untagged Purge newer than the state is in view", () => {
      const recordedAt = Date.parse("2026-12-01T00:00:30Z");
      const evidence: PurgeEvidence = { knownJobIds: [], recordedAt };
      // Slack of a few seconds: the two clocks differ and job times have whole seconds.
      expect(priorPurge([job("maybe-ours", 27, "Success")], LIB, evidence)).toEqual({
        kind: "submit",
        doubt: "untagged",
      });
      expect(priorPurge([job("before", 5, "Success")], LIB, evidence)).toEqual({ kind: "submit" });
      const running = job("maybe-ours", 40, "Queuing");
      expect(priorPurge([running], LIB, evidence)).toEqual({ kind: "wait", job: running, known: false });
    });

    it("with a key made in this run (state from before tags), an untagged newer Purge may be an interrupted run's", () => {
      const evidence: PurgeEvidence = { knownJobIds: ["j1"], tag: { value: TAG, stored: false } };
      expect(priorPurge([job("j1", 1, "Success"), job("j2", 5, "Success")], LIB, evidence)).toEqual({
        kind: "submit",
        doubt: "untagged",
      });
      expect(priorPurge([job("j1", 1, "Success"), tagged("j2", 5, "Success")], LIB, evidence)).toEqual({
        kind: "accept",
        job: tagged("j2", 5, "Success"),
      });
    });
  });
});
