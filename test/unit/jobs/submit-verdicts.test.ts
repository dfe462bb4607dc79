/**
 * The verdicts of resume-or-submit other than priorPurge (prior-purge.test.ts), each as a table of facts and the
 * verdict they give: Delete's choice before submitting, and the answers to a submit that failed (an unknown
 * outcome, a library busy with another job, a fatal refusal).
 */
import type { DelType, FpDbDeleteJob } from "../../../core/client/types";
import {
  afterAmbiguousSubmit,
  afterBusySubmit,
  afterFatalSubmit,
  jobSubmittedSince,
  MAX_AMBIGUOUS_SUBMITS,
  priorDelete,
  type AmbiguousSubmitFacts,
  type BusySubmitFacts,
  type OwnJobEvidence,
} from "../../../core/jobs/verdicts";

const LIB = "lib-1";
const TAG = "mps-fpdb:1:this-request";
const T0 = Date.parse("2026-12-01T00:00:00Z");

function job(
  jobId: string,
  delType: DelType,
  status: string,
  second: number,
  extra: Partial<FpDbDeleteJob> = {},
): FpDbDeleteJob {
  return {
    jobId,
    fpDbId: LIB,
    delType,
    status,
    creationTime: `2026-12-01T00:00:${String(second).padStart(2, "0")}Z`,
    ...extra,
  };
}

describe("priorDelete: what to do before submitting a Delete job", () => {
  const running = job("d1", "Delete", "Analysing", 5);
  const succeeded = job("d0", "Delete", "Success", 1);
  const cases: [string, FpDbDeleteJob[], boolean | undefined, ReturnType<typeof priorDelete>][] = [
    ["no job of the library: submit, without a look", [], undefined, { kind: "submit" }],
    [
      "an unfinished Delete of the library, whoever submitted it: resume",
      [running],
      undefined,
      { kind: "resume", job: running },
    ],
    [
      "an unfinished Delete beside a succeeded one: resume, no look",
      [succeeded, running],
      undefined,
      { kind: "resume", job: running },
    ],
    ["a succeeded Delete: look at the library first", [succeeded], undefined, { kind: "look" }],
    ["a succeeded Delete, and the library is gone: gone", [succeeded], true, { kind: "gone" }],
    ["a succeeded Delete, but the library is listed: submit", [succeeded], false, { kind: "submit" }],
    ["a failed Delete says nothing: submit", [job("d2", "Delete", "Fail", 3)], undefined, { kind: "submit" }],
    [
      "an unfinished Purge is not a Delete: submit (MPS refuses it while the Purge runs)",
      [job("p1", "Purge", "Queuing", 3)],
      undefined,
      { kind: "submit" },
    ],
    [
      "another library's jobs say nothing about this one",
      [
        job("x1", "Delete", "Queuing", 3, { fpDbId: "lib-2" }),
        job("x2", "Delete", "Success", 2, { fpDbId: "lib-2" }),
      ],
      undefined,
      { kind: "submit" },
    ],
  ];
  it.each(cases)("%s", (_name, recent, gone, verdict) => {
    expect(priorDelete(recent, LIB, gone)).toEqual(verdict);
  });
});

describe("afterAmbiguousSubmit: a submit whose outcome is unknown", () => {
  const lost = job("j9", "Purge", "Queuing", 9);
  const facts = (over: Partial<AmbiguousSubmitFacts>): AmbiguousSubmitFacts => ({
    delType: "Purge",
    lost: undefined,
    ambiguousSubmits: 1,
    ...over,
  });
  const cases: [string, AmbiguousSubmitFacts, ReturnType<typeof afterAmbiguousSubmit>][] = [
    ["its job found: resume it", facts({ lost }), { kind: "resume", job: lost }],
    [
      "its job found, even past the limit: resume it",
      facts({ lost, ambiguousSubmits: MAX_AMBIGUOUS_SUBMITS + 1 }),
      { kind: "resume", job: lost },
    ],
    ["a Purge, no job found: submit again", facts({}), { kind: "submit-again" }],
    [
      "a Purge at the limit: submit again",
      facts({ ambiguousSubmits: MAX_AMBIGUOUS_SUBMITS }),
      { kind: "submit-again" },
    ],
    [
      "a Purge past the limit: give up",
      facts({ ambiguousSubmits: MAX_AMBIGUOUS_SUBMITS + 1 }),
      { kind: "give-up" },
    ],
    ["a Delete, no job found: look at the library", facts({ delType: "Delete" }), { kind: "look" }],
    ["a Delete of a library that is gone: gone", facts({ delType: "Delete", gone: true }), { kind: "gone" }],
    [
      "a Delete of a library still listed: submit again",
      facts({ delType: "Delete", gone: false }),
      { kind: "submit-again" },
    ],
    [
      "a Delete past the limit, library gone: gone rather than give up",
      facts({ delType: "Delete", gone: true, ambiguousSubmits: MAX_AMBIGUOUS_SUBMITS + 1 }),
      { kind: "gone" },
    ],
    [
      "a Delete past the limit, library listed: give up",
      facts({ delType: "Delete", gone: false, ambiguousSubmits: MAX_AMBIGUOUS_SUBMITS + 1 }),
      { kind: "give-up" },
    ],
  ];
  it.each(cases)("%s", (_name, given, verdict) => {
    expect(afterAmbiguousSubmit(given)).toEqual(verdict);
  });
});

describe("afterBusySubmit: a submit refused because the library has an unfinished job", () => {
  const tagged: OwnJobEvidence = { tag: { value: TAG, stored: true }, knownJobIds: ["known"] };
  const untagged: OwnJobEvidence = { knownJobIds: [] };
  const ourPurge = job("ours", "Purge", "Analysing", 10, { userData: TAG });
  const theirPurge = job("theirs", "Purge", "Analysing", 10, { userData: "stack A" });
  const knownPurge = job("known", "Purge", "Analysing", 10, { userData: TAG });
  const aDelete = job("del", "Delete", "Queuing", 10);
  const facts = (over: Partial<BusySubmitFacts>): BusySubmitFacts => ({
    ambiguousSubmits: 0,
    sightings: [],
    firstSentAt: T0,
    now: T0 + 1000,
    deadline: T0 + 60_000,
    busyWaitMs: 1000,
    ...over,
  });
  const purge = { fpDbId: LIB, delType: "Purge" as const };
  const del = { fpDbId: LIB, delType: "Delete" as const };
  const cases: [
    string,
    typeof purge | typeof del,
    OwnJobEvidence,
    BusySubmitFacts,
    ReturnType<typeof afterBusySubmit>,
  ][] = [
    [
      "after a lost answer, our tagged job seen since the first submit: resume it as the lost submit's",
      purge,
      tagged,
      facts({ ambiguousSubmits: 1, sightings: [ourPurge] }),
      { kind: "resume", job: ourPurge, found: "lost" },
    ],
    [
      "no lost answer: a sighting is not looked at, the jobs are read",
      purge,
      tagged,
      facts({ sightings: [ourPurge] }),
      { kind: "look", at: "jobs" },
    ],
    [
      "a sighting from before the first submit is not the lost submit's",
      purge,
      tagged,
      facts({ ambiguousSubmits: 1, sightings: [ourPurge], firstSentAt: T0 + 60_000 }),
      { kind: "look", at: "jobs" },
    ],
    [
      "without a tag nothing is the lost submit's",
      purge,
      untagged,
      facts({ ambiguousSubmits: 1, sightings: [ourPurge] }),
      { kind: "look", at: "jobs" },
    ],
    [
      "our tagged Purge running: resume it",
      purge,
      tagged,
      facts({ recent: [ourPurge] }),
      { kind: "resume", job: ourPurge, found: "running" },
    ],
    [
      "a Purge the state knows cannot be ours: wait for it",
      purge,
      tagged,
      facts({ recent: [knownPurge] }),
      { kind: "wait-for-job", job: knownPurge },
    ],
    [
      "another's Purge: wait for it",
      purge,
      tagged,
      facts({ recent: [theirPurge] }),
      { kind: "wait-for-job", job: theirPurge },
    ],
    [
      "a Delete running, for a Purge: wait for it",
      purge,
      tagged,
      facts({ recent: [aDelete] }),
      { kind: "wait-for-job", job: aDelete },
    ],
    [
      "a Purge, nothing in view, time left: wait on the library",
      purge,
      tagged,
      facts({ recent: [] }),
      { kind: "wait-for-library" },
    ],
    [
      "a Purge, nothing in view, the wait would pass the deadline: still busy",
      purge,
      tagged,
      facts({ recent: [], now: T0 + 59_500 }),
      { kind: "still-busy" },
    ],
    [
      "a Purge, nothing in view, the wait ends at the deadline: wait",
      purge,
      tagged,
      facts({ recent: [], now: T0 + 59_000 }),
      { kind: "wait-for-library" },
    ],
    [
      "any Delete running, for a Delete: resume it",
      del,
      untagged,
      facts({ recent: [aDelete] }),
      { kind: "resume", job: aDelete, found: "running" },
    ],
    [
      "a Purge running, for a Delete: look at the library first",
      del,
      untagged,
      facts({ recent: [theirPurge] }),
      { kind: "look", at: "library" },
    ],
    [
      "a Purge running, for a Delete of a library that is gone: gone",
      del,
      untagged,
      facts({ recent: [theirPurge], gone: true }),
      { kind: "gone" },
    ],
    [
      "a Purge running, for a Delete of a listed library: wait for it",
      del,
      untagged,
      facts({ recent: [theirPurge], gone: false }),
      { kind: "wait-for-job", job: theirPurge },
    ],
    [
      "a Delete, nothing in view, library listed: wait on the library",
      del,
      untagged,
      facts({ recent: [], gone: false }),
      { kind: "wait-for-library" },
    ],
    [
      "a Delete, nothing in view, library gone: gone even past the deadline",
      del,
      untagged,
      facts({ recent: [], gone: true, now: T0 + 60_000 }),
      { kind: "gone" },
    ],
    [
      "the newest unfinished job of the library is the one that counts",
      purge,
      tagged,
      facts({ recent: [job("old", "Purge", "Queuing", 1, { userData: TAG }), theirPurge] }),
      { kind: "wait-for-job", job: theirPurge },
    ],
    [
      "another library's job says nothing about this one",
      purge,
      tagged,
      facts({ recent: [{ ...theirPurge, fpDbId: "lib-2" }] }),
      { kind: "wait-for-library" },
    ],
  ];
  it.each(cases)("%s", (_name, request, evidence, given, verdict) => {
    expect(afterBusySubmit(request, evidence, given)).toEqual(verdict);
  });
});

describe("afterFatalSubmit: a submit refused as fatal", () => {
  const cases: [string, DelType, boolean | undefined, ReturnType<typeof afterFatalSubmit>][] = [
    ["a Delete: look at the library first", "Delete", undefined, { kind: "look" }],
    ["a Purge: look at the library first", "Purge", undefined, { kind: "look" }],
    ["a Delete of a library that is gone: gone", "Delete", true, { kind: "gone" }],
    ["a Purge of a library that is gone: the library-gone error", "Purge", true, { kind: "library-gone" }],
    ["a Delete of a listed library: the error stands", "Delete", false, { kind: "rethrow" }],
    ["a Purge of a listed library: the error stands", "Purge", false, { kind: "rethrow" }],
  ];
  it.each(cases)("%s", (_name, delType, gone, verdict) => {
    expect(afterFatalSubmit(delType, gone)).toEqual(verdict);
  });
});

describe("jobSubmittedSince: the job a submit whose answer was lost created", () => {
  const sentAt = Date.parse("2026-12-01T00:00:30Z");
  const tagged: OwnJobEvidence = { tag: { value: TAG, stored: true }, knownJobIds: ["known"] };
  const purge = { fpDbId: LIB, delType: "Purge" as const };
  const cases: [string, FpDbDeleteJob[], OwnJobEvidence, string | undefined][] = [
    ["our tagged Purge, unfinished", [job("a", "Purge", "Queuing", 31, { userData: TAG })], tagged, "a"],
    [
      "our tagged Purge, ended, created after the submit (within the clock slack)",
      [job("a", "Purge", "Success", 26, { userData: TAG })],
      tagged,
      "a",
    ],
    [
      "our tagged Purge, ended, created well before the submit: not this submit's",
      [job("a", "Purge", "Success", 20, { userData: TAG })],
      tagged,
      undefined,
    ],
    ["a Purge the state knows", [job("known", "Purge", "Queuing", 31, { userData: TAG })], tagged, undefined],
    ["another's Purge", [job("b", "Purge", "Queuing", 31, { userData: "stack A" })], tagged, undefined],
    ["a job of the other DelType", [job("c", "Delete", "Queuing", 31)], tagged, undefined],
    [
      "the newest of ours",
      [
        job("a", "Purge", "Queuing", 31, { userData: TAG }),
        job("b", "Purge", "Queuing", 33, { userData: TAG }),
      ],
      tagged,
      "b",
    ],
  ];
  it.each(cases)("%s", (_name, jobs, evidence, jobId) => {
    expect(jobSubmittedSince(jobs, purge, sentAt, evidence)?.jobId).toBe(jobId);
  });

  it("takes any Delete of the library, whoever submitted it", () => {
    const found = jobSubmittedSince(
      [job("d", "Delete", "Queuing", 31)],
      { fpDbId: LIB, delType: "Delete" },
      sentAt,
      {},
    );
    expect(found?.jobId).toBe("d");
  });
});
