import { UnreadableStateError } from "../../core/errors";
import { appendJobHistory, readState, recordedInputs, toOutputs } from "../../core/state";
import { JOB_HISTORY_LIMIT, SCHEMA_VERSION, type JobRecord, type LibraryState } from "../../core/types";
import { thrown } from "../support/thrown";

const v1Outputs = {
  schemaVersion: 1,
  resourceName: "videos",
  fpDbId: "fp-1",
  adopted: false,
  region: "cn-shanghai",
  status: "active",
  libraryName: "videos",
  modelId: 12,
  description: "d",
  config: "{}",
  purgeTrigger: { release: "v1" },
  purgeStrategy: "recreate",
  deletionPolicy: "Delete",
  deletionProtection: false,
  pipelineId: "pipe",
  userData: "u",
  waitForCompletion: true,
  jobTimeoutSeconds: 60,
  pollIntervalSeconds: 1,
  endpoint: "http://127.0.0.1:9",
  endpointType: "public",
  profile: "dev",
  reportedName: "videos",
  reportedModelId: 12,
  purgeJobId: "job-1",
  purgeJobStatus: "Success",
  purgeRequestId: "req-1",
  purgedAt: "2026-11-24T00:00:00Z",
  jobHistory: [
    {
      jobId: "job-1",
      delType: "Purge",
      status: "Success",
      submittedAt: "2026-11-24T00:00:00Z",
      finishedAt: "x",
    },
  ],
};

describe("readState", () => {
  it("reads every field of schema 1 and drops the serialized provider", () => {
    expect(readState({ ...v1Outputs, __provider: "text" })).toEqual({
      ...v1Outputs,
      schemaVersion: SCHEMA_VERSION,
    });
  });

  it("reads state without schemaVersion as schema 1", () => {
    const { schemaVersion: _omit, ...old } = v1Outputs;
    expect(readState(old)).toEqual({ ...v1Outputs, schemaVersion: SCHEMA_VERSION });
  });

  it("fills what a minimal state leaves out: no history, unknown status", () => {
    expect(readState({ fpDbId: "fp-1", region: "cn-shanghai", adopted: false })).toEqual({
      schemaVersion: SCHEMA_VERSION,
      resourceName: "fp-1",
      fpDbId: "fp-1",
      adopted: false,
      region: "cn-shanghai",
      status: "unknown",
      jobHistory: [],
    });
  });

  it("GIVEN state from a newer release THEN an UnreadableStateError says to upgrade", () => {
    const err = thrown(() => readState({ ...v1Outputs, schemaVersion: SCHEMA_VERSION + 1 }));
    expect(err).toBeInstanceOf(UnreadableStateError);
    expect(err.message).toBe(
      `State of library fp-1 (videos) was written by a newer pulumi-mps-fpdb (schema ${SCHEMA_VERSION + 1}); ` +
        `upgrade the package (this version reads schema ${SCHEMA_VERSION} and older).`,
    );
  });

  describe("schema 2: what destroy does is written with the state and checked against the recorded inputs", () => {
    const v2 = {
      ...v1Outputs,
      schemaVersion: 2,
      deletionPolicy: "Retain",
      deletionProtection: true,
      deletion: { policy: "Retain", protection: true },
      recordedAt: "2026-11-24T00:00:00.000Z",
    };

    it("reads a state whose record agrees with its inputs", () => {
      expect(readState(v2)).toMatchObject({ deletion: { policy: "Retain", protection: true } });
    });

    it.each<[string, Record<string, unknown>, RegExp]>([
      [
        '`deletionPolicy: "Retain"` removed',
        { deletionPolicy: undefined },
        /now say deletionPolicy Delete and deletionProtection on/,
      ],
      [
        "`deletionProtection: true` removed",
        { deletionProtection: undefined },
        /now say deletionPolicy Retain and deletionProtection off/,
      ],
      ["`deletionPolicy` changed to Delete", { deletionPolicy: "Delete" }, /deletionPolicy Delete/],
    ])("GIVEN %s by hand THEN it is refused before any call", (_name, edit, saying) => {
      const err = thrown(() => readState({ ...v2, ...edit }));
      expect(err).toBeInstanceOf(UnreadableStateError);
      expect(err.message).toMatch(
        /^State of library fp-1 \(videos\) does not agree with itself: it was written with deletionPolicy Retain and deletionProtection on, but/,
      );
      expect(err.message).toMatch(saying);
    });

    it("GIVEN schema 2 without its deletion record THEN it is refused", () => {
      const { deletion: _lost, ...edited } = v2;
      expect(thrown(() => readState(edited)).message).toMatch(
        /^State of library fp-1 \(videos\) has no deletion, expected/,
      );
    });

    it("writes the record when state read from schema 1 is written back", () => {
      expect(toOutputs(readState(v1Outputs))).toMatchObject({
        schemaVersion: SCHEMA_VERSION,
        deletion: { policy: "Delete", protection: false },
      });
    });
  });

  it.each<[string, Record<string, unknown>, string]>([
    [
      "an unreadable schemaVersion",
      { schemaVersion: "one" },
      'State of library fp-1 (videos) has an unreadable schemaVersion "one". Run `pulumi refresh`, or restore the ' +
        "stack's state from a backup.",
    ],
    [
      "no fpDbId",
      { fpDbId: undefined },
      "State of library ? (videos) has no fpDbId, expected a library id. Restore the stack's state from a " +
        "backup, or remove the resource from the stack with `pulumi state delete`.",
    ],
    [
      "no region",
      { region: "" },
      'State of library fp-1 (videos) has region "", expected a region id. Restore the stack\'s state from a ' +
        "backup, or remove the resource from the stack with `pulumi state delete`.",
    ],
    [
      "a malformed deletionPolicy",
      { deletionPolicy: "retain" },
      'State of library fp-1 (videos) has deletionPolicy "retain", expected "Delete", "Purge" or "Retain". ' +
        "Restore the stack's state from a backup, or remove the resource from the stack with `pulumi state delete`.",
    ],
    [
      "a malformed deletionProtection",
      { deletionProtection: "yes" },
      'State of library fp-1 (videos) has deletionProtection "yes", expected true or false. Restore the stack\'s ' +
        "state from a backup, or remove the resource from the stack with `pulumi state delete`.",
    ],
    [
      "a malformed adopted flag",
      { adopted: 1 },
      "State of library fp-1 (videos) has adopted 1, expected true or false. It decides whether destroy deletes " +
        "the library (created by this stack) or keeps it (adopted), so nothing was called. Put it back with " +
        '`pulumi stack export`, an edit (`"adopted": true` if the stack adopted the library with `fpDbId`, ' +
        "`false` if it created it) and `pulumi stack import`; or restore the state from a backup.",
    ],
  ])("GIVEN %s THEN an UnreadableStateError (it decides what destroy does)", (_name, change, message) => {
    const err = thrown(() => readState({ ...v1Outputs, ...change }));
    expect(err).toBeInstanceOf(UnreadableStateError);
    expect(err.message).toBe(message);
  });

  it("GIVEN state without `adopted` THEN it is refused: reading it as false would make destroy delete an adopted library", () => {
    const { adopted: _omit, ...edited } = v1Outputs;
    const err = thrown(() => readState(edited));
    expect(err).toBeInstanceOf(UnreadableStateError);
    expect(err.message).toMatch(/^State of library fp-1 \(videos\) has no adopted, expected true or false\./);
    expect(err.message).toMatch(/pulumi stack export/);
  });

  it("GIVEN a jobHistory that is not a list THEN it is refused (resume-or-submit relies on the jobs it names)", () => {
    const err = thrown(() => readState({ ...v1Outputs, jobHistory: "job-1" }));
    expect(err).toBeInstanceOf(UnreadableStateError);
    expect(err.message).toMatch(/has jobHistory "job-1", expected a list of job records/);
  });

  it("drops malformed optional fields and job records instead of failing", () => {
    const state = readState({
      ...v1Outputs,
      modelId: "12",
      userData: 5,
      endpointType: "lan",
      purgeStrategy: "wipe",
      jobHistory: [null, { jobId: 1 }, { jobId: "job-2", delType: "Delete", status: "Success" }],
    });
    expect(state.modelId).toBeUndefined();
    expect(state.userData).toBeUndefined();
    expect(state.endpointType).toBeUndefined();
    expect(state.purgeStrategy).toBeUndefined();
    expect(state.jobHistory).toEqual([
      { jobId: "job-2", delType: "Delete", status: "Success", submittedAt: "" },
    ]);
  });

  it("reads a ModelId only as a whole number, as the package schema declares it", () => {
    expect(readState({ ...v1Outputs, modelId: 12, reportedModelId: 12 })).toMatchObject({
      modelId: 12,
      reportedModelId: 12,
    });
    const fractional = readState({ ...v1Outputs, modelId: 12.5, reportedModelId: 12.5 });
    expect(fractional.modelId).toBeUndefined();
    expect(fractional.reportedModelId).toBeUndefined();
  });
});

describe("toOutputs", () => {
  it("omits undefined keys at every level and sets the schema version", () => {
    const state = {
      ...readState(v1Outputs),
      schemaVersion: 0,
      description: undefined,
      purgeTrigger: { a: undefined, b: [1, undefined, { c: undefined, d: 2 }] },
      jobHistory: [
        { jobId: "j", delType: "Purge", status: "Success", submittedAt: "t", finishedAt: undefined },
      ],
    } as LibraryState;
    const outputs = toOutputs(state);
    expect(outputs.schemaVersion).toBe(SCHEMA_VERSION);
    expect("description" in outputs).toBe(false);
    expect(outputs.purgeTrigger).toEqual({ b: [1, null, { d: 2 }] });
    expect(outputs.jobHistory).toEqual([
      { jobId: "j", delType: "Purge", status: "Success", submittedAt: "t" },
    ]);
    expect(JSON.stringify(outputs)).not.toContain("undefined");
    const hasUndefined = (v: unknown): boolean =>
      v === undefined || (v !== null && typeof v === "object" && Object.values(v).some(hasUndefined));
    expect(hasUndefined(outputs)).toBe(false);
  });

  it("round-trips through readState", () => {
    expect(readState(toOutputs(readState(v1Outputs)))).toEqual({
      ...readState(v1Outputs),
      deletion: { policy: "Delete", protection: false },
    });
  });
});

describe("recordedInputs", () => {
  it("GIVEN a created library THEN the recorded inputs, the pinned region, and no fpDbId", () => {
    expect(recordedInputs(readState(v1Outputs))).toEqual({
      resourceName: "videos",
      region: "cn-shanghai",
      libraryName: "videos",
      modelId: 12,
      description: "d",
      config: "{}",
      purgeTrigger: { release: "v1" },
      purgeStrategy: "recreate",
      deletionPolicy: "Delete",
      deletionProtection: false,
      pipelineId: "pipe",
      userData: "u",
      waitForCompletion: true,
      jobTimeoutSeconds: 60,
      pollIntervalSeconds: 1,
      endpoint: "http://127.0.0.1:9",
      endpointType: "public",
      profile: "dev",
    });
  });

  it("GIVEN an adopted library THEN fpDbId is an input and service-reported values are not", () => {
    const state = readState({
      fpDbId: "fp-9",
      region: "cn-shanghai",
      resourceName: "shared",
      adopted: true,
      reportedName: "real",
      reportedModelId: 12,
      status: "active",
    });
    expect(recordedInputs(state)).toEqual({ resourceName: "shared", region: "cn-shanghai", fpDbId: "fp-9" });
  });
});

describe("appendJobHistory", () => {
  const job = (n: number): JobRecord => ({
    jobId: `job-${n}`,
    delType: "Purge",
    status: "Success",
    submittedAt: `t${n}`,
  });

  it("appends newest last without changing the given array", () => {
    const history = [job(1)];
    expect(appendJobHistory(history, job(2))).toEqual([job(1), job(2)]);
    expect(history).toEqual([job(1)]);
  });

  it(`keeps only the last ${JOB_HISTORY_LIMIT}`, () => {
    let history: JobRecord[] = [];
    for (let n = 1; n <= 12; n++) history = appendJobHistory(history, job(n));
    expect(history.map((r) => r.jobId)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12].map((n) => `job-${n}`));
  });

  it("replaces an entry with the same jobId where it stands", () => {
    const updated = { ...job(2), finishedAt: "done" };
    expect(appendJobHistory([job(1), job(2), job(3)], updated)).toEqual([job(1), updated, job(3)]);
  });
});
