import type { FpDbDeleteJob } from "../../../provider/client/types";
import { priorPurge, RECENT_JOBS_WINDOW } from "../../../provider/jobs/resume";

const LIB = "lib-1";

function job(jobId: string, second: number, status: string, fpDbId = LIB, delType = "Purge"): FpDbDeleteJob {
  return {
    jobId,
    fpDbId,
    delType,
    status,
    creationTime: `2026-12-01T00:00:${String(second).padStart(2, "0")}Z`,
  };
}

/** Other libraries' jobs, to fill the window. */
function others(count: number, fromSecond: number): FpDbDeleteJob[] {
  return Array.from({ length: count }, (_, i) =>
    job(`other-${i}`, fromSecond + (i % 50), "Success", `lib-x${i}`),
  );
}

describe("priorPurge: which Purge answers a new request", () => {
  it("waits for a Purge the state knows that still runs: it was submitted for an earlier trigger", () => {
    const known = job("j1", 1, "Analysing");
    expect(priorPurge([known], LIB, ["j1"])).toEqual({ kind: "earlier", job: known });
  });

  it("resumes an unknown Purge newer than the jobs the state knows (an interrupted run's)", () => {
    const lost = job("j2", 5, "Queuing");
    expect(priorPurge([job("j1", 1, "Success"), lost], LIB, ["j1"])).toEqual({ kind: "resume", job: lost });
  });

  it("accepts an unknown newer Purge that succeeded, instead of purging again", () => {
    const lost = job("j2", 5, "Success");
    expect(priorPurge([job("j1", 1, "Success"), lost], LIB, ["j1"])).toEqual({ kind: "accept", job: lost });
  });

  it("submits when the newest unknown Purge failed", () => {
    expect(priorPurge([job("j1", 1, "Success"), job("j2", 5, "Fail")], LIB, ["j1"])).toEqual({
      kind: "submit",
      certain: true,
    });
  });

  it("does not take an unknown Purge from the same second as a known one, or older, for this request", () => {
    const recent = [job("j0", 1, "Success"), job("j1", 1, "Success"), job("j2", 3, "Success")];
    expect(priorPurge(recent, LIB, ["j2"])).toEqual({ kind: "submit", certain: true });
  });

  it("ignores other libraries' and Delete jobs", () => {
    const recent = [
      job("j1", 1, "Success"),
      job("d", 5, "Queuing", LIB, "Delete"),
      job("p", 6, "Queuing", "lib-2"),
    ];
    expect(priorPurge(recent, LIB, ["j1"])).toEqual({ kind: "submit", certain: true });
  });

  it("takes every unknown Purge in view as newer when the known jobs fell out of a full window", () => {
    const lost = job("j2", 59, "Success");
    const recent = [...others(RECENT_JOBS_WINDOW - 1, 10), lost];
    expect(priorPurge(recent, LIB, ["j1"])).toEqual({ kind: "accept", job: lost });
  });

  it("is uncertain when a full window holds no job of the library and the known ones fell out of it", () => {
    expect(priorPurge(others(RECENT_JOBS_WINDOW, 10), LIB, ["j1"])).toEqual({
      kind: "submit",
      certain: false,
    });
  });

  it("is certain when the window is not full: it holds every job of the account", () => {
    expect(priorPurge(others(3, 10), LIB, ["j1"])).toEqual({ kind: "submit", certain: true });
    expect(priorPurge(others(3, 10), LIB, [])).toEqual({ kind: "submit", certain: true });
  });

  it("with no known job, never takes an unknown Purge for the request but says a submit may duplicate it", () => {
    expect(priorPurge([job("manual", 5, "Success")], LIB, [])).toEqual({ kind: "submit", certain: false });
    expect(priorPurge(others(RECENT_JOBS_WINDOW, 10), LIB, [])).toEqual({ kind: "submit", certain: false });
  });

  describe("with no known job in view, the time the state was written is the line", () => {
    const recordedAt = Date.parse("2026-12-01T00:00:30Z");

    it("takes an unknown Purge created after the state was written (an interrupted first purge)", () => {
      const lost = job("j1", 40, "Success");
      expect(priorPurge([lost], LIB, [], recordedAt)).toEqual({ kind: "accept", job: lost });
    });

    it("counts a Purge from a few seconds before as after: the two clocks differ and job times have whole seconds", () => {
      const lost = job("j1", 27, "Queuing");
      expect(priorPurge([lost], LIB, [], recordedAt)).toEqual({ kind: "resume", job: lost });
    });

    it("never takes a Purge from before the stack wrote its state, and is certain when the window reaches back", () => {
      expect(priorPurge([job("manual", 5, "Success")], LIB, [], recordedAt)).toEqual({
        kind: "submit",
        certain: true,
      });
    });

    it("is uncertain when a full window starts after the line", () => {
      expect(priorPurge(others(RECENT_JOBS_WINDOW, 40), LIB, [], recordedAt)).toEqual({
        kind: "submit",
        certain: false,
      });
    });
  });
});
