import { diffLibrary, type DiffDecision } from "../../core/diff";
import { ConfigError, DeletionProtectedError } from "../../core/errors";
import { UNKNOWN } from "../../core/inputs";
import { canonicalJson } from "../../core/values";
import type { LibraryInputs, LibraryState } from "../../core/types";
import { thrown } from "../support/thrown";

/** A library this stack created, as recorded after create. */
function created(extra: Partial<LibraryState> = {}): LibraryState {
  return {
    schemaVersion: 1,
    resourceName: "videos",
    fpDbId: "fp-1",
    adopted: false,
    region: "cn-shanghai",
    status: "active",
    libraryName: "videos",
    reportedName: "videos",
    jobHistory: [],
    ...extra,
  };
}

/** A library this stack adopted. */
function adopted(extra: Partial<LibraryState> = {}): LibraryState {
  return {
    schemaVersion: 1,
    resourceName: "shared",
    fpDbId: "fp-9",
    adopted: true,
    region: "cn-shanghai",
    status: "active",
    reportedName: "the-real-name",
    jobHistory: [],
    ...extra,
  };
}

/** The inputs that produced `created()`, plus changes. */
function createInputs(extra: Partial<LibraryInputs> = {}): LibraryInputs {
  return { resourceName: "videos", libraryName: "videos", ...extra };
}

function adoptInputs(extra: Partial<LibraryInputs> = {}): LibraryInputs {
  return { resourceName: "shared", fpDbId: "fp-9", ...extra };
}

const noChange = { changes: false, replaces: [], deleteBeforeReplace: false, purge: "none", changed: [] };
const opts = { providerChanged: false };

describe("canonicalJson", () => {
  it("sorts object keys at every level and keeps array order", () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[3,{"y":2,"z":1}]},"b":1}',
    );
  });

  it.each<[unknown, unknown, boolean]>([
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, true],
    [[1, 2], [2, 1], false],
    ["1", 1, false],
    [{ a: undefined, b: 1 }, { b: 1 }, true],
    [undefined, null, false],
  ])("%j and %j compare equal: %s", (a, b, equal) => {
    expect(canonicalJson(a) === canonicalJson(b)).toBe(equal);
  });

  it('represents undefined as "undefined", distinct from the string', () => {
    expect(canonicalJson(undefined)).toBe("undefined");
    expect(canonicalJson("undefined")).toBe('"undefined"');
  });
});

describe("diffLibrary: no change", () => {
  it("GIVEN the recorded inputs again THEN nothing changes", () => {
    expect(diffLibrary(created(), createInputs(), opts)).toEqual(noChange);
    expect(diffLibrary(adopted(), adoptInputs(), opts)).toEqual(noChange);
  });

  it("ignores the serialized provider among the new inputs", () => {
    const news = { ...createInputs(), __provider: "text" } as LibraryInputs;
    expect(diffLibrary(created(), news, opts)).toEqual(noChange);
  });

  it("GIVEN an adopted library whose service name differs THEN it does not replace (service values are not inputs)", () => {
    const olds = adopted({ reportedName: "other", reportedModelId: undefined, status: "paused" });
    expect(diffLibrary(olds, adoptInputs(), opts)).toEqual(noChange);
  });

  it("GIVEN an unset region input THEN the pinned region never replaces", () => {
    expect(diffLibrary(created({ region: "cn-beijing" }), createInputs(), opts)).toEqual(noChange);
  });

  it("GIVEN the same region as pinned THEN nothing changes", () => {
    expect(diffLibrary(created(), createInputs({ region: "cn-shanghai" }), opts)).toEqual(noChange);
  });

  it("GIVEN the same purgeTrigger with keys in another order THEN no purge", () => {
    const olds = created({ purgeTrigger: { release: "v1", n: [1, 2] } });
    expect(diffLibrary(olds, createInputs({ purgeTrigger: { n: [1, 2], release: "v1" } }), opts)).toEqual(
      noChange,
    );
  });
});

describe("diffLibrary: replacements", () => {
  it.each<[string, Partial<LibraryState>, Partial<LibraryInputs>, string]>([
    ["libraryName", {}, { libraryName: "clips" }, "libraryName"],
    ["modelId added", {}, { modelId: 12 }, "modelId"],
    ["modelId changed", { modelId: 12 }, { modelId: 13 }, "modelId"],
    ["description removed", { description: "d" }, {}, "description"],
    ["config changed", { config: '{"a":1}' }, { config: '{"a":2}' }, "config"],
    ["region set and different", {}, { region: "cn-beijing" }, "region"],
  ])("GIVEN a create-only change (%s) THEN a delete-before-replace", (_name, olds, news, key) => {
    expect(diffLibrary(created(olds), createInputs(news), opts)).toEqual({
      changes: true,
      replaces: [key],
      deleteBeforeReplace: true,
      purge: "none",
      changed: [key],
    });
  });

  it.each<[string, LibraryState, LibraryInputs]>([
    ["a different fpDbId on an adopted library", adopted(), adoptInputs({ fpDbId: "fp-10" })],
    ["fpDbId removed (switch to creating)", adopted(), { resourceName: "shared", libraryName: "shared" }],
    ["fpDbId added to a created library", created(), { resourceName: "videos", fpDbId: "fp-2" }],
  ])("GIVEN %s THEN fpDbId replaces", (_name, olds, news) => {
    const decision = diffLibrary(olds, news, opts);
    expect(decision.replaces).toEqual(["fpDbId"]);
    expect(decision.deleteBeforeReplace).toBe(true);
    expect(decision.changes).toBe(true);
  });

  it("GIVEN a created library named by its own id as fpDbId THEN no replacement (it would delete that very library)", () => {
    expect(diffLibrary(created(), { resourceName: "videos", fpDbId: "fp-1" }, opts)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      purge: "none",
      changed: ["fpDbId", "libraryName"],
    });
  });

  it("GIVEN a resource renamed (alias) with the library name left to default THEN no replacement", () => {
    const decision = diffLibrary(created(), { resourceName: "clips", libraryName: "clips" }, opts);
    expect(decision).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      purge: "none",
      changed: ["libraryName", "resourceName"],
    });
  });

  it("GIVEN an explicit libraryName change without a rename THEN it replaces", () => {
    expect(diffLibrary(created(), createInputs({ libraryName: "clips" }), opts).replaces).toEqual([
      "libraryName",
    ]);
  });

  it("GIVEN several create-only changes THEN all are listed once", () => {
    const decision = diffLibrary(
      created(),
      createInputs({ libraryName: "x", description: "d", region: "cn-beijing" }),
      opts,
    );
    expect(decision.replaces).toEqual(["libraryName", "description", "region"]);
  });

  it("GIVEN a replacement and a trigger change THEN no purge is planned (the new library starts empty)", () => {
    const decision = diffLibrary(created(), createInputs({ libraryName: "x", purgeTrigger: "r1" }), opts);
    expect(decision.replaces).toEqual(["libraryName"]);
    expect(decision.purge).toBe("none");
  });
});

describe("diffLibrary: purgeTrigger", () => {
  it.each<[string, unknown, unknown]>([
    ["set", undefined, "r1"],
    ["changed", "r1", "r2"],
    ["changed deep inside", { a: [1, 2] }, { a: [1, 3] }],
    ["changed type", 1, "1"],
  ])("GIVEN a trigger %s THEN an in-place purge", (_name, before, after) => {
    expect(
      diffLibrary(created({ purgeTrigger: before }), createInputs({ purgeTrigger: after }), opts),
    ).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      purge: "submit",
      changed: ["purgeTrigger"],
    });
  });

  it("GIVEN a trigger removed THEN no purge, but a change so the outputs drop it", () => {
    expect(diffLibrary(created({ purgeTrigger: "r1" }), createInputs(), opts)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      purge: "none",
      changed: ["purgeTrigger"],
    });
  });

  it.each<[string, unknown]>([
    ["whole", UNKNOWN],
    ["nested", { release: UNKNOWN, n: 1 }],
  ])("GIVEN a %s unknown trigger (preview) THEN a possible purge, without comparing", (_name, trigger) => {
    expect(
      diffLibrary(created({ purgeTrigger: "r1" }), createInputs({ purgeTrigger: trigger }), opts),
    ).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      purge: "unknown",
      changed: ["purgeTrigger"],
    });
  });

  it('GIVEN "recreate" and a trigger change on a Delete-only library THEN a replacement instead of a purge', () => {
    const olds = created({ modelId: 12, purgeStrategy: "recreate", purgeTrigger: "r1" });
    const news = createInputs({
      modelId: 12,
      purgeStrategy: "recreate",
      purgeTrigger: "r2",
    });
    expect(diffLibrary(olds, news, opts)).toEqual({
      changes: true,
      replaces: ["purgeTrigger"],
      deleteBeforeReplace: true,
      purge: "none",
      changed: ["purgeTrigger"],
    });
  });

  it('GIVEN "recreate" and a trigger change on a library without modelId THEN an ordinary purge', () => {
    const decision = diffLibrary(
      created({ purgeStrategy: "recreate" }),
      createInputs({ purgeStrategy: "recreate", purgeTrigger: "r1" }),
      opts,
    );
    expect(decision.purge).toBe("submit");
    expect(decision.replaces).toEqual([]);
  });

  it('GIVEN "recreate" and an unknown trigger on a Delete-only library THEN a possible replacement', () => {
    const olds = created({ modelId: 12, purgeStrategy: "recreate", deletionProtection: true });
    const news = createInputs({ modelId: 12, purgeStrategy: "recreate", purgeTrigger: UNKNOWN });
    expect(diffLibrary(olds, news, opts)).toMatchObject({ replaces: ["purgeTrigger"], purge: "none" });
  });
});

describe("diffLibrary: mutable inputs and the provider", () => {
  it.each<[keyof LibraryInputs, unknown]>([
    ["deletionPolicy", "Retain"],
    ["deletionProtection", true],
    ["pipelineId", "pipe-2"],
    ["userData", "u"],
    ["waitForCompletion", false],
    ["jobTimeoutSeconds", 60],
    ["pollIntervalSeconds", 1],
    ["endpoint", "http://127.0.0.1:9"],
    ["endpointType", "vpc"],
    ["profile", "dev"],
    ["purgeStrategy", "recreate"],
  ])("GIVEN %s changed THEN an in-place update without purge", (key, value) => {
    expect(diffLibrary(created(), createInputs({ [key]: value }), opts)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
      purge: "none",
      changed: [key],
    });
  });

  it("GIVEN only the serialized provider changed THEN an update, so the new code is stored", () => {
    expect(diffLibrary(created(), createInputs(), { providerChanged: true })).toEqual({
      ...noChange,
      changes: true,
    });
  });

  it("GIVEN an unknown mutable input THEN a change", () => {
    expect(diffLibrary(created(), createInputs({ userData: UNKNOWN }), opts).changed).toEqual(["userData"]);
  });

  it("GIVEN an unknown create-only input THEN a possible replacement that protection does not refuse yet", () => {
    const decision = diffLibrary(
      created({ deletionProtection: true }),
      createInputs({ description: UNKNOWN }),
      opts,
    );
    expect(decision.replaces).toEqual(["description"]);
    expect(decision.deleteBeforeReplace).toBe(true);
  });
});

describe("diffLibrary: deletionProtection blocks every replacement", () => {
  it.each<[string, Partial<LibraryState>, Partial<LibraryInputs>]>([
    ["stored", { deletionProtection: true }, { deletionProtection: true }],
    ["new", {}, { deletionProtection: true }],
  ])(
    "GIVEN protection %s and a libraryName change THEN a DeletionProtectedError with the fix",
    (_name, olds, news) => {
      const err = thrown(() =>
        diffLibrary(created(olds), createInputs({ libraryName: "clips", ...news }), opts),
      );
      expect(err).toBeInstanceOf(DeletionProtectedError);
      expect(err.message).toBe(
        'Cannot replace library fp-1 (videos): `libraryName` ("videos" → "clips") forces a replacement, which ' +
          "deletes the library and its fingerprints, and `deletionProtection` is true. To allow it, set " +
          "`deletionProtection` to false, run `pulumi up`, then retry.",
      );
    },
  );

  it.each<[string, Partial<LibraryInputs>]>([
    ["set to false", { deletionProtection: false }],
    ["removed", {}],
  ])(
    "GIVEN protection stored and %s in the same update as a libraryName change THEN it says protection needs an update of its own",
    (_name, news) => {
      const err = thrown(() =>
        diffLibrary(
          created({ deletionProtection: true }),
          createInputs({ libraryName: "clips", ...news }),
          opts,
        ),
      );
      expect(err).toBeInstanceOf(DeletionProtectedError);
      expect(err.message).toBe(
        'Cannot replace library fp-1 (videos): `libraryName` ("videos" → "clips") forces a replacement, which ' +
          "deletes the library and its fingerprints, and the stored `deletionProtection` is still true: switching " +
          "it off takes an update of its own. Undo the change that forces the replacement, keep " +
          "`deletionProtection: false`, run `pulumi up`, then make the change again.",
      );
    },
  );

  it("names every property that forces the replacement", () => {
    const olds = adopted({ deletionProtection: true });
    const err = thrown(() =>
      diffLibrary(olds, { resourceName: "shared", region: "cn-beijing", deletionProtection: true }, opts),
    );
    expect(err.message).toBe(
      'Cannot replace library fp-9 (shared): `fpDbId` ("fp-9" → unset), `region` ("cn-shanghai" → ' +
        '"cn-beijing") force a replacement, which deletes the library and its fingerprints, and ' +
        "`deletionProtection` is true. To allow it, set `deletionProtection` to false, run `pulumi up`, then retry.",
    );
  });

  it('blocks a "recreate" replacement too', () => {
    const olds = created({
      modelId: 12,
      purgeStrategy: "recreate",
      deletionProtection: true,
      purgeTrigger: "r1",
    });
    const news = createInputs({
      modelId: 12,
      purgeStrategy: "recreate",
      purgeTrigger: "r2",
      deletionProtection: true,
    });
    expect(thrown(() => diffLibrary(olds, news, opts)).message).toBe(
      'Cannot replace library fp-1 (videos): `purgeTrigger` (changed) with `purgeStrategy: "recreate"` ' +
        "forces a replacement, which deletes the library and its fingerprints, and `deletionProtection` is true. " +
        "To allow it, set `deletionProtection` to false, run `pulumi up`, then retry.",
    );
  });

  it("lets in-place changes through while protected", () => {
    const decision = diffLibrary(
      created({ deletionProtection: true }),
      createInputs({ deletionProtection: true, purgeTrigger: "r" }),
      opts,
    );
    expect(decision.purge).toBe("submit");
  });
});

describe("diffLibrary: a replacement never hides a change to what deletes the old library", () => {
  it.each<[string, Partial<LibraryState>, Partial<LibraryInputs>, string]>([
    ["deletionPolicy set to Retain", {}, { deletionPolicy: "Retain" }, "`deletionPolicy` (Delete → Retain)"],
    ["deletionPolicy set to Purge", {}, { deletionPolicy: "Purge" }, "`deletionPolicy` (Delete → Purge)"],
    ["deletionPolicy Retain removed", { deletionPolicy: "Retain" }, {}, "`deletionPolicy` (Retain → Delete)"],
    ["jobTimeoutSeconds", {}, { jobTimeoutSeconds: 60 }, "`jobTimeoutSeconds` (unset → 60)"],
    [
      "pollIntervalSeconds",
      { pollIntervalSeconds: 5 },
      { pollIntervalSeconds: 2 },
      "`pollIntervalSeconds` (5 → 2)",
    ],
    [
      "endpoint",
      {},
      { endpoint: "mts.cn-beijing.aliyuncs.com" },
      '`endpoint` (unset → "mts.cn-beijing.aliyuncs.com")',
    ],
    ["endpointType", {}, { endpointType: "vpc" }, '`endpointType` (unset → "vpc")'],
    ["profile", { profile: "old" }, { profile: "new" }, '`profile` ("old" → "new")'],
    ["pipelineId", {}, { pipelineId: "pipe-2" }, '`pipelineId` (unset → "pipe-2")'],
    ["userData, without quoting it", { userData: "a" }, { userData: "secret b" }, "`userData` (changed)"],
  ])(
    "refuses a description change together with %s, naming both and the way on",
    (_n, stored, asked, change) => {
      const olds = created({ description: "old", ...stored });
      const news = createInputs({ description: "new", ...asked });
      const err = thrown(() => diffLibrary(olds, news, opts));
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.message).toBe(
        "Cannot replace library fp-1 (videos) in this update: `description` (changed) forces a replacement, and the " +
          `same update changes ${change}. Pulumi deletes the replaced library with the settings stored at the last ` +
          `update, so the new value would not apply to it. Change ${change.slice(0, change.indexOf(" "))} in an ` +
          "update of its own first (undo the change that forces the replacement and run `pulumi up`), then make that " +
          "change again.",
      );
      expect(err.message).not.toMatch(/secret/);
    },
  );

  it("names every such input at once", () => {
    const err = thrown(() =>
      diffLibrary(
        created(),
        createInputs({ libraryName: "other", deletionPolicy: "Retain", jobTimeoutSeconds: 60 }),
        opts,
      ),
    );
    expect(err.message).toContain(
      "changes `deletionPolicy` (Delete → Retain) and `jobTimeoutSeconds` (unset → 60). Pulumi deletes the replaced " +
        "library with the settings stored at the last update, so the new values would not apply to it. Change " +
        "`deletionPolicy` and `jobTimeoutSeconds` in an update of its own first",
    );
  });

  it.each<[string, LibraryState, LibraryInputs]>([
    ["an unset policy made explicit with its default", created(), createInputs({ deletionPolicy: "Delete" })],
    [
      "adopting another library (the old one keeps its Delete default, the new one gets Retain)",
      created(),
      createInputs({ libraryName: undefined, fpDbId: "fp-2" }),
    ],
    [
      "a timeout changed with no replacement",
      created(),
      createInputs({ jobTimeoutSeconds: 60, deletionPolicy: "Retain" }),
    ],
    ["an adopted library moved to another id", adopted(), adoptInputs({ fpDbId: "fp-10" })],
  ])("allows %s", (_n, olds, news) => {
    expect(() => diffLibrary(olds, news, opts)).not.toThrow();
  });

  it("leaves a value unknown during preview to the update's own diff", () => {
    const decision = diffLibrary(created(), createInputs({ description: "new", pipelineId: UNKNOWN }), opts);
    expect(decision.replaces).toEqual(["description"]);
    expect(() =>
      diffLibrary(created(), createInputs({ description: "new", pipelineId: "pipe-2" }), opts),
    ).toThrow(/changes `pipelineId`/);
  });

  it("does not refuse a replacement that is only possible (an unknown create-only value)", () => {
    const decision = diffLibrary(
      created(),
      createInputs({ description: UNKNOWN, deletionPolicy: "Retain" }),
      opts,
    );
    expect(decision.replaces).toEqual(["description"]);
  });
});

describe("diffLibrary: Delete-only facts known only after adoption", () => {
  const deleteOnlyAdopted = adopted({ reportedModelId: 12, purgeTrigger: "r1" });

  it("GIVEN an adopted library reported with ModelId 12 and a trigger change THEN a ConfigError", () => {
    const err = thrown(() => diffLibrary(deleteOnlyAdopted, adoptInputs({ purgeTrigger: "r2" }), opts));
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.message).toBe(
      "Library fp-9 (shared) is adopted and MPS reports ModelId 12 for it, so it accepts only Delete jobs: " +
        "`purgeTrigger` cannot empty it (a Purge job would be refused). Remove `purgeTrigger` and use " +
        '`deletionPolicy` "Retain" (the default for adopted libraries) or "Delete".',
    );
  });

  it('GIVEN deletionPolicy "Purge" on it THEN a ConfigError naming both problems when both apply', () => {
    const err = thrown(() =>
      diffLibrary(deleteOnlyAdopted, adoptInputs({ purgeTrigger: "r2", deletionPolicy: "Purge" }), opts),
    );
    expect(err.message).toBe(
      "Library fp-9 (shared) is adopted and MPS reports ModelId 12 for it, so it accepts only Delete jobs: " +
        '`purgeTrigger` cannot empty it (a Purge job would be refused); `deletionPolicy` "Purge" cannot work on ' +
        'it. Remove `purgeTrigger` and use `deletionPolicy` "Retain" (the default for adopted libraries) or "Delete".',
    );
  });

  it.each<[string, LibraryInputs]>([
    ["the same trigger", adoptInputs({ purgeTrigger: "r1" })],
    ["the trigger removed", adoptInputs()],
    ["an unknown trigger", adoptInputs({ purgeTrigger: UNKNOWN })],
    ["a switch to another library", adoptInputs({ fpDbId: "fp-10", purgeTrigger: "r2" })],
  ])("GIVEN %s THEN no error", (_name, news) => {
    expect(() => diffLibrary(deleteOnlyAdopted, news, opts)).not.toThrow();
  });

  it("GIVEN an adopted library without a ModelId THEN a trigger change purges", () => {
    expect(diffLibrary(adopted(), adoptInputs({ purgeTrigger: "r" }), opts).purge).toBe("submit");
  });
});

describe("diffLibrary: decision shape", () => {
  it("always sets every field", () => {
    const decision: DiffDecision = diffLibrary(created(), createInputs(), opts);
    expect(Object.keys(decision).sort()).toEqual([
      "changed",
      "changes",
      "deleteBeforeReplace",
      "purge",
      "replaces",
    ]);
  });
});
