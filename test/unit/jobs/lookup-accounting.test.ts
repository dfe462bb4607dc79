import type { FpShotDb, ListFpShotDbResult, QueryFpDbDeleteJobListResult } from "../../../core/client/types";
import { MpsApiError } from "../../../core/errors";
import { JobWatcher, LibraryWatcher } from "../../../core/jobs/watchers";
import { FakeClock } from "../../support/fake-clock";
import { FakeMpsApi, deleteJob } from "./fake-api";

/**
 * A lookup answers "gone" only when the service says so (NonExistIds, or a `deleted` status); an id its answer
 * does not account for is an error naming it. A batch the service refuses because of one id fails only that id.
 */

function library(id: string, status = "active"): FpShotDb {
  return { fpDbId: id, name: `name-${id}`, status };
}

/** Answers like MPS for an id it spells differently: the library, under its own spelling, and no NonExistIds. */
function trimmingLibraries(api: FakeMpsApi): void {
  api.listFpShotDb = async (ids): Promise<ListFpShotDbResult> => {
    api.calls.push({ action: "ListFpShotDB", ids: [...ids], at: 0 });
    const trimmed = ids.map((id) => id.trim());
    return {
      requestId: "rid",
      libraries: trimmed.filter((id) => api.libraries.has(id)).map((id) => ({ ...api.libraries.get(id)! })),
      nonExistIds: trimmed.filter((id) => !api.libraries.has(id)),
    };
  };
}

/** Refuses any call carrying an id with a comma, the way MPS refuses 11 ids in one call. */
function refusingCommas(api: FakeMpsApi, action: "ListFpShotDB" | "QueryFpDBDeleteJobList"): void {
  const parameter = action === "ListFpShotDB" ? "FpDBIds" : "JobIds";
  const refuse = (ids: readonly string[]): void => {
    if (ids.some((id) => id.includes(","))) {
      throw new MpsApiError(
        `MPS ${action} failed: InvalidParameter.${parameter}: at most 10 ids are allowed per call, got ${ids.join(",").split(",").length}.`,
        action,
        `InvalidParameter.${parameter}`,
        "fatal",
        400,
        "R-bad",
      );
    }
  };
  if (action === "ListFpShotDB") {
    const inner = api.listFpShotDb.bind(api);
    api.listFpShotDb = async (ids): Promise<ListFpShotDbResult> => {
      const result = await inner(ids);
      refuse(ids);
      return result;
    };
  } else {
    const inner = api.queryFpDbDeleteJobList.bind(api);
    api.queryFpDbDeleteJobList = async (ids): Promise<QueryFpDbDeleteJobListResult> => {
      const result = await inner(ids);
      refuse(ids ?? []);
      return result;
    };
  }
}

describe("gone only when the service says so", () => {
  it("LibraryWatcher.lookup: an id listed in NonExistIds is gone (undefined)", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    const found = await new LibraryWatcher(api, { clock }).lookup(["lib-404"]);
    expect([...found]).toEqual([["lib-404", undefined]]);
  });

  it("LibraryWatcher.lookup: an id the answer does not account for is an error naming it, not gone", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.libraries.set("lib-1", library("lib-1"));
    trimmingLibraries(api);
    const error = await new LibraryWatcher(api, { clock }).lookup(["lib-1 "]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MpsApiError);
    expect((error as MpsApiError).kind).toBe("fatal");
    expect((error as MpsApiError).message).toContain('"lib-1 "');
    expect((error as MpsApiError).message).toContain("NonExistIds");
  });

  it("LibraryWatcher.waitFor (gone): an unaccounted id ends the wait with that error instead of resolving", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.libraries.set("lib-1", library("lib-1"));
    trimmingLibraries(api);
    const error = await new LibraryWatcher(api, { clock })
      .waitFor("lib-1 ", (lib) => lib === undefined, {
        intervalMs: 1000,
        timeoutMs: 60_000,
        describe: "library lib-1  (my-lib)",
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MpsApiError);
    expect((error as MpsApiError).message).toContain('"lib-1 "');
  });

  it("LibraryWatcher.lookup: a library reported `deleted` is returned as such (the caller treats it as gone)", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.libraries.set("lib-1", library("lib-1", "deleted"));
    const found = await new LibraryWatcher(api, { clock }).lookup(["lib-1"]);
    expect(found.get("lib-1")?.status).toBe("deleted");
  });

  it("JobWatcher.lookup: a job the answer does not account for is an error naming it, not unknown", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.queryFpDbDeleteJobList = async (): Promise<QueryFpDbDeleteJobListResult> => ({
      requestId: "rid",
      jobs: [],
      nonExistIds: [],
    });
    const error = await new JobWatcher(api, { clock }).lookup(["job-1"]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MpsApiError);
    expect((error as MpsApiError).message).toContain('"job-1"');
  });
});

describe("one bad id fails only its own waiter", () => {
  it("ListFpShotDB refused for one id's sake: the batch is split, the neighbours succeed, the bad id's error names it", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    for (let i = 0; i < 9; i++) api.libraries.set(`lib-${i}`, library(`lib-${i}`));
    refusingCommas(api, "ListFpShotDB");
    const watcher = new LibraryWatcher(api, { clock });
    const ids = [...Array.from({ length: 9 }, (_, i) => `lib-${i}`), "lib-a,lib-b"];
    const settled = await Promise.allSettled(ids.map((id) => watcher.lookup([id])));
    const rejected = settled.flatMap((s, i) => (s.status === "rejected" ? [[ids[i], s.reason]] : []));
    expect(rejected.map(([id]) => id)).toEqual(["lib-a,lib-b"]);
    expect((rejected[0][1] as Error).message).toContain('"lib-a,lib-b"');
    for (let i = 0; i < 9; i++) {
      const s = settled[i];
      expect(s.status === "fulfilled" && s.value.get(`lib-${i}`)?.status).toBe("active");
    }
  });

  it("QueryFpDBDeleteJobList refused for one id's sake: the neighbours' waits go on to Success", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    for (let i = 1; i <= 9; i++) api.addJob({ job: deleteJob(i), endsAfterMs: 4000 });
    refusingCommas(api, "QueryFpDBDeleteJobList");
    const watcher = new JobWatcher(api, { clock });
    const options = { intervalMs: 1000, timeoutMs: 60_000, describe: "library lib (x)" };
    const ids = [...Array.from({ length: 9 }, (_, i) => `job-${i + 1}`), "job-a,job-b"];
    const settled = await Promise.allSettled(ids.map((id) => watcher.waitForJob(id, options)));
    expect(settled.slice(0, 9).map((s) => (s.status === "fulfilled" ? s.value.status : s.reason))).toEqual(
      Array(9).fill("Success"),
    );
    const last = settled[9];
    expect(last.status).toBe("rejected");
    expect(last.status === "rejected" && (last.reason as Error).message).toContain('"job-a,job-b"');
  });

  it("a batch refused for a reason no single id causes (a bad signature) is not split", async () => {
    const clock = new FakeClock();
    const api = new FakeMpsApi(clock);
    api.failNext(
      new MpsApiError(
        "MPS ListFpShotDB failed: SignatureDoesNotMatch.",
        "ListFpShotDB",
        "SignatureDoesNotMatch",
        "fatal",
        400,
      ),
    );
    const watcher = new LibraryWatcher(api, { clock });
    const settled = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => watcher.lookup([`lib-${i}`])),
    );
    expect(settled.every((s) => s.status === "rejected")).toBe(true);
    expect(api.callsTo("ListFpShotDB")).toHaveLength(1);
  });
});
