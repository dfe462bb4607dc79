import { checkInputs, describeValue, isUnknown, UNKNOWN, type CheckFailure } from "../../core/inputs";

const base = { resourceName: "videos" };

function check(extra: Record<string, unknown>) {
  return checkInputs({ ...base, ...extra });
}

function failureOf(extra: Record<string, unknown>, property: string): string | undefined {
  return check(extra).failures.find((f) => f.property === property)?.reason;
}

describe("isUnknown", () => {
  it.each<[string, unknown, boolean]>([
    ["the sentinel itself", UNKNOWN, true],
    ["a plain string", "release-1", false],
    ["the sentinel inside an array", ["a", UNKNOWN], true],
    ["the sentinel deep inside an object", { a: { b: [1, UNKNOWN] } }, true],
    ["an object without it", { a: { b: [1, "x"] } }, false],
    ["null", null, false],
    ["a number", 12, false],
  ])("%s → %s", (_name, value, expected) => {
    expect(isUnknown(value)).toBe(expected);
  });
});

describe("describeValue", () => {
  it("quotes strings as JSON and cuts long values to 60 characters with an ellipsis", () => {
    expect(describeValue("abc")).toBe('"abc"');
    expect(describeValue("x".repeat(100))).toBe(`"${"x".repeat(58)}…`);
    expect(describeValue({ a: 1 })).toBe('{"a":1}');
    expect(describeValue(undefined)).toBe("undefined");
    expect(describeValue(Number.NaN)).toBe("NaN");
  });
});

describe("checkInputs: accepted inputs", () => {
  it("GIVEN only the resource name WHEN checked THEN libraryName defaults to it and nothing fails", () => {
    expect(checkInputs({ resourceName: "videos" })).toEqual({
      inputs: { resourceName: "videos", libraryName: "videos" },
      failures: [],
      warnings: [],
    });
  });

  it("passes __provider through untouched and keeps every valid input", () => {
    const provider = "exports.handler = require('pulumi-mps-fpdb/provider-impl')";
    const news = {
      __provider: provider,
      resourceName: "videos",
      libraryName: "lib",
      modelId: 12,
      description: "d",
      config: '{"SaveType":"save"}',
      region: "cn-shanghai",
      purgeTrigger: { release: "v2", at: [1, 2] },
      purgeStrategy: "recreate",
      deletionPolicy: "Delete",
      deletionProtection: false,
      pipelineId: "pipe-1",
      userData: "audit",
      waitForCompletion: true,
      jobTimeoutSeconds: 600,
      pollIntervalSeconds: 0.05,
      endpoint: "http://127.0.0.1:8080",
      endpointType: "vpc",
      profile: "dev",
    };
    const { inputs, failures } = checkInputs(news);
    expect(failures).toEqual([]);
    expect(inputs).toEqual(news);
    expect((inputs as unknown as Record<string, unknown>).__provider).toBe(provider);
  });

  it("GIVEN fpDbId (adoption) THEN libraryName is not defaulted", () => {
    expect(check({ fpDbId: "fp-1" })).toEqual({
      inputs: { resourceName: "videos", fpDbId: "fp-1" },
      failures: [],
      warnings: [],
    });
  });

  it("never puts undefined or null values into the inputs", () => {
    const { inputs, failures } = check({ description: undefined, pipelineId: null, userData: "u" });
    expect(failures).toEqual([]);
    expect(Object.keys(inputs).sort()).toEqual(["libraryName", "resourceName", "userData"]);
  });

  it("accepts exactly 128 UTF-8 bytes of userData", () => {
    expect(failureOf({ userData: "é".repeat(64) }, "userData")).toBeUndefined();
    expect(failureOf({ userData: "a".repeat(128) }, "userData")).toBeUndefined();
  });

  it.each([
    "mts.cn-shanghai.aliyuncs.com",
    "mts.cn-shanghai.aliyuncs.com:443",
    "https://mts.cn-shanghai.aliyuncs.com",
    "https://mts.cn-shanghai.aliyuncs.com/",
    "http://127.0.0.1:4000",
    "http://127.1.2.3",
    "http://localhost:4000",
    "http://[::1]:4000",
  ])("accepts the endpoint %s", (endpoint) => {
    expect(failureOf({ endpoint }, "endpoint")).toBeUndefined();
  });

  it.each([1, 1800])("accepts pollIntervalSeconds %s with the default timeout", (pollIntervalSeconds) => {
    expect(check({ pollIntervalSeconds }).failures).toEqual([]);
  });

  it("accepts the largest poll interval and timeout together", () => {
    expect(check({ pollIntervalSeconds: 3600, jobTimeoutSeconds: 86400 }).failures).toEqual([]);
  });
});

describe("checkInputs: one failure per bad property, naming it, quoting the value, saying the fix", () => {
  it.each<[string, Record<string, unknown>, CheckFailure]>([
    [
      "fpDbId of the wrong type",
      { fpDbId: 42 },
      {
        property: "fpDbId",
        reason:
          "`fpDbId` must be a non-empty string, got 42. Set it to the id of an existing library (FpDBId) to adopt " +
          "it, or remove it to create a new library.",
      },
    ],
    [
      "empty fpDbId",
      { fpDbId: "" },
      {
        property: "fpDbId",
        reason:
          '`fpDbId` must not be empty, got "". Set it to the id of an existing library (FpDBId) to adopt it, or ' +
          "remove it to create a new library.",
      },
    ],
    [
      "empty libraryName",
      { libraryName: " " },
      {
        property: "libraryName",
        reason:
          '`libraryName` must not be empty, got " ". Set a name, or remove it to use the resource\'s name.',
      },
    ],
    [
      "empty region",
      { region: "" },
      {
        property: "region",
        reason:
          '`region` must not be empty, got "". Set a region id such as "cn-shanghai", or remove it to use ' +
          "`alicloud:region` or ALIBABA_CLOUD_REGION.",
      },
    ],
    [
      "empty pipelineId",
      { pipelineId: "" },
      {
        property: "pipelineId",
        reason: '`pipelineId` must not be empty, got "". Set it to an MPS pipeline id, or remove it.',
      },
    ],
    [
      "empty profile",
      { profile: "" },
      {
        property: "profile",
        reason:
          '`profile` must not be empty, got "". Set the name of a credentials profile, or remove it to use the ' +
          "default credentials.",
      },
    ],
    [
      "empty endpoint",
      { endpoint: "" },
      {
        property: "endpoint",
        reason:
          '`endpoint` must be a non-empty string, got "". Set a host, host:port or https:// URL, or remove it to ' +
          "use mts.<region>.aliyuncs.com.",
      },
    ],
    [
      "description of the wrong type",
      { description: ["a"] },
      { property: "description", reason: "`description` must be a string, got an array. Pass text." },
    ],
    [
      "modelId outside 11-14",
      { modelId: 15 },
      {
        property: "modelId",
        reason:
          "`modelId` must be one of 11 (text), 12 (video), 13 (audio) or 14 (image), got 15. Use one of these, or " +
          "remove `modelId` to create a library without a ModelId (which also accepts Purge jobs).",
      },
    ],
    [
      "modelId as a string",
      { modelId: "12" },
      {
        property: "modelId",
        reason:
          '`modelId` must be one of 11 (text), 12 (video), 13 (audio) or 14 (image), got "12". Use one of these, ' +
          "or remove `modelId` to create a library without a ModelId (which also accepts Purge jobs).",
      },
    ],
    [
      "a non-integer modelId",
      { modelId: 12.5 },
      {
        property: "modelId",
        reason:
          "`modelId` must be one of 11 (text), 12 (video), 13 (audio) or 14 (image), got 12.5. Use one of these, " +
          "or remove `modelId` to create a library without a ModelId (which also accepts Purge jobs).",
      },
    ],
    [
      "an unknown purgeStrategy",
      { purgeStrategy: "wipe" },
      {
        property: "purgeStrategy",
        reason: '`purgeStrategy` must be "purge" or "recreate", got "wipe". Use one of these values.',
      },
    ],
    [
      "a deletionPolicy in the wrong case",
      { deletionPolicy: "retain" },
      {
        property: "deletionPolicy",
        reason:
          '`deletionPolicy` must be "Delete", "Purge" or "Retain", got "retain". Did you mean "Retain"?',
      },
    ],
    [
      "an unknown endpointType",
      { endpointType: "internal" },
      {
        property: "endpointType",
        reason: '`endpointType` must be "public" or "vpc", got "internal". Use one of these values.',
      },
    ],
    [
      "deletionProtection as a string",
      { deletionProtection: "true" },
      {
        property: "deletionProtection",
        reason: '`deletionProtection` must be true or false, got "true". Pass a boolean.',
      },
    ],
    [
      "waitForCompletion as a number",
      { waitForCompletion: 1 },
      {
        property: "waitForCompletion",
        reason: "`waitForCompletion` must be true or false, got 1. Pass a boolean.",
      },
    ],
    [
      "userData as a number",
      { userData: 5 },
      { property: "userData", reason: "`userData` must be a string, got a number. Pass text." },
    ],
    [
      "config that is not a string",
      { config: { SaveType: "save" } },
      {
        property: "config",
        reason: "`config` must be JSON text (a string), got an object. Pass JSON.stringify(yourSettings).",
      },
    ],
    [
      "config with an unquoted key",
      { config: "{a:1}" },
      {
        property: "config",
        reason:
          "`config` must be JSON text, but it has an unexpected character at line 1, column 2. Pass valid JSON, " +
          "e.g. JSON.stringify(yourSettings).",
      },
    ],
    [
      "config with a trailing comma on line 2",
      { config: '{"a": [1,\n2,]}' },
      {
        property: "config",
        reason:
          "`config` must be JSON text, but it has an unexpected character at line 2, column 3. " +
          "Pass valid JSON, e.g. JSON.stringify(yourSettings).",
      },
    ],
    [
      "truncated config",
      { config: '{"a":1' },
      {
        property: "config",
        reason:
          "`config` must be JSON text, but it has an unexpected end at line 1, column 7. Pass valid " +
          "JSON, e.g. JSON.stringify(yourSettings).",
      },
    ],
    [
      "a purgeTrigger with a non-finite number",
      { purgeTrigger: { n: [1, Number.POSITIVE_INFINITY] } },
      {
        property: "purgeTrigger",
        reason:
          "`purgeTrigger` must be a JSON value (string, number, boolean, null, array or object), but it contains " +
          "the non-finite number Infinity at n[1]. Use a plain value such as a release tag or a date.",
      },
    ],
    [
      "a purgeTrigger that is NaN",
      { purgeTrigger: Number.NaN },
      {
        property: "purgeTrigger",
        reason:
          "`purgeTrigger` must be a JSON value (string, number, boolean, null, array or object), but it is the " +
          "non-finite number NaN. Use a plain value such as a release tag or a date.",
      },
    ],
    [
      "a purgeTrigger holding a function",
      { purgeTrigger: { f: () => 1 } },
      {
        property: "purgeTrigger",
        reason:
          "`purgeTrigger` must be a JSON value (string, number, boolean, null, array or object), but it contains " +
          "a function at f. Use a plain value such as a release tag or a date.",
      },
    ],
    [
      "a purgeTrigger array with an undefined item",
      { purgeTrigger: ["a", undefined] },
      {
        property: "purgeTrigger",
        reason:
          "`purgeTrigger` must be a JSON value (string, number, boolean, null, array or object), but it contains " +
          "undefined at [1]. Use a plain value such as a release tag or a date.",
      },
    ],
    [
      "a jobTimeoutSeconds of 0",
      { jobTimeoutSeconds: 0 },
      {
        property: "jobTimeoutSeconds",
        reason:
          "`jobTimeoutSeconds` must be a number of seconds above 0 and at most 86400 (one day), got 0. Set a " +
          "value in that range, or remove it to use the default.",
      },
    ],
    [
      "an absurd jobTimeoutSeconds",
      { jobTimeoutSeconds: 86401 },
      {
        property: "jobTimeoutSeconds",
        reason:
          "`jobTimeoutSeconds` must be a number of seconds above 0 and at most 86400 (one day), got 86401. Set a " +
          "value in that range, or remove it to use the default.",
      },
    ],
    [
      "an infinite jobTimeoutSeconds",
      { jobTimeoutSeconds: Number.POSITIVE_INFINITY },
      {
        property: "jobTimeoutSeconds",
        reason:
          "`jobTimeoutSeconds` must be a number of seconds above 0 and at most 86400 (one day), got Infinity. Set " +
          "a value in that range, or remove it to use the default.",
      },
    ],
    [
      "a negative pollIntervalSeconds",
      { pollIntervalSeconds: -1 },
      {
        property: "pollIntervalSeconds",
        reason:
          "`pollIntervalSeconds` must be a number of seconds above 0 and at most 3600 (one hour), got -1. Set a " +
          "value in that range, or remove it to use the default.",
      },
    ],
    [
      "pollIntervalSeconds as a string",
      { pollIntervalSeconds: "5" },
      {
        property: "pollIntervalSeconds",
        reason:
          '`pollIntervalSeconds` must be a number of seconds above 0 and at most 3600 (one hour), got "5". Set a ' +
          "value in that range, or remove it to use the default.",
      },
    ],
    [
      "pollIntervalSeconds above jobTimeoutSeconds",
      { pollIntervalSeconds: 120, jobTimeoutSeconds: 60 },
      {
        property: "pollIntervalSeconds",
        reason:
          "`pollIntervalSeconds` must not exceed `jobTimeoutSeconds` (60), got 120. Lower it, or raise " +
          "`jobTimeoutSeconds`.",
      },
    ],
    [
      "pollIntervalSeconds above the default jobTimeoutSeconds",
      { pollIntervalSeconds: 3000 },
      {
        property: "pollIntervalSeconds",
        reason:
          "`pollIntervalSeconds` must not exceed the default `jobTimeoutSeconds` (1800), got 3000. Lower it, or " +
          "raise `jobTimeoutSeconds`.",
      },
    ],
  ])("refuses %s", (_name, extra, expected) => {
    expect(check(extra).failures).toEqual([expected]);
  });

  it("GIVEN 129 bytes of multi-byte userData THEN it is refused with the byte count", () => {
    // 43 three-byte characters = 129 bytes, but only 43 characters.
    const userData = "漢".repeat(43);
    expect(check({ userData }).failures).toEqual([
      {
        property: "userData",
        reason:
          "`userData` must be at most 128 UTF-8 bytes, got 129 bytes. Shorten it " +
          "(characters outside ASCII take 2 to 4 bytes each).",
      },
    ]);
  });

  it("cuts a long quoted value in a message", () => {
    const reason = failureOf({ libraryName: ["x".repeat(200)] }, "libraryName");
    expect(reason).toBe(
      `\`libraryName\` must be a non-empty string, got ["${"x".repeat(57)}…. Set a name, or remove it to use the ` +
        "resource's name.",
    );
  });

  it.each<[string, Record<string, unknown>]>([
    ["an over-long userData", { userData: "secret-".repeat(20) }],
    ["userData of the wrong type", { userData: { token: "secret-value" } }],
    ["config that is not JSON", { config: "{secret-value" }],
    ["config of the wrong type", { config: ["secret-value"] }],
    ["description of the wrong type", { description: { token: "secret-value" } }],
    [
      "create-only inputs beside fpDbId",
      { fpDbId: "fp-1", description: "secret-value", config: '"secret-value"' },
    ],
    ["a purgeTrigger on a Delete-only library", { modelId: 12, purgeTrigger: "secret-value" }],
  ])("never quotes a free-form value, which may be a secret: %s", (_name, extra) => {
    const { failures } = check(extra);
    expect(failures.length).toBeGreaterThan(0);
    for (const failure of failures) expect(failure.reason).not.toMatch(/secret/);
  });

  it.each<[string, string]>([
    [
      "http://mts.cn-shanghai.aliyuncs.com",
      '`endpoint` "http://mts.cn-shanghai.aliyuncs.com" uses http://, which is only allowed for loopback hosts ' +
        "(127.0.0.0/8, localhost, [::1]); use https://. Set a host, host:port or https:// URL, or remove it to " +
        "use mts.<region>.aliyuncs.com.",
    ],
    [
      "http://128.0.0.1:80",
      '`endpoint` "http://128.0.0.1:80" uses http://, which is only allowed for loopback hosts (127.0.0.0/8, ' +
        "localhost, [::1]); use https://. Set a host, host:port or https:// URL, or remove it to use " +
        "mts.<region>.aliyuncs.com.",
    ],
    [
      "ftp://mts.example.com",
      '`endpoint` "ftp://mts.example.com" uses the scheme "ftp://"; only https:// (and http:// for loopback) ' +
        "work. Set a host, host:port or https:// URL, or remove it to use mts.<region>.aliyuncs.com.",
    ],
    [
      "https://mts.example.com/v1",
      '`endpoint` "https://mts.example.com/v1" must be a host without a path, query or fragment. Set a host, ' +
        "host:port or https:// URL, or remove it to use mts.<region>.aliyuncs.com.",
    ],
    [
      "https://user:pw@mts.example.com",
      '`endpoint` "https://user:pw@mts.example.com" must not contain user info (user:password@). Set a host, ' +
        "host:port or https:// URL, or remove it to use mts.<region>.aliyuncs.com.",
    ],
    [
      "mts.example.com:99999",
      '`endpoint` "mts.example.com:99999" is not a host, host:port or http(s) URL. Set a host, host:port or ' +
        "https:// URL, or remove it to use mts.<region>.aliyuncs.com.",
    ],
    [
      "mts example.com",
      '`endpoint` "mts example.com" contains whitespace. Set a host, host:port or https:// URL, or remove it to ' +
        "use mts.<region>.aliyuncs.com.",
    ],
  ])("refuses the endpoint %s", (endpoint, reason) => {
    expect(check({ endpoint }).failures).toEqual([{ property: "endpoint", reason }]);
  });

  it("GIVEN a misspelt property THEN it suggests the closest input name", () => {
    expect(check({ deletionPolicyy: "Retain" }).failures).toEqual([
      {
        property: "deletionPolicyy",
        reason: "`deletionPolicyy` is not an input of FingerprintLibrary. Did you mean `deletionPolicy`?",
      },
    ]);
    expect(failureOf({ ModelID: 12 }, "ModelID")).toBe(
      "`ModelID` is not an input of FingerprintLibrary. Did you mean `modelId`?",
    );
  });

  it("GIVEN a property close to no input THEN it lists the inputs", () => {
    expect(failureOf({ colour: "blue" }, "colour")).toBe(
      "`colour` is not an input of FingerprintLibrary. Remove it; the inputs are `fpDbId`, `libraryName`, " +
        "`modelId`, `description`, `config`, `region`, `purgeTrigger`, `purgeStrategy`, `deletionPolicy`, " +
        "`deletionProtection`, `pipelineId`, `userData`, `waitForCompletion`, `jobTimeoutSeconds`, " +
        "`pollIntervalSeconds`, `endpoint`, `endpointType`, `profile`.",
    );
  });

  it("GIVEN no resourceName THEN it says the resource class sets it", () => {
    expect(checkInputs({}).failures).toEqual([
      {
        property: "resourceName",
        reason:
          "`resourceName` must be the resource's logical name, got undefined. It is set by the FingerprintLibrary " +
          "class: create the resource with `new FingerprintLibrary(name, args)`.",
      },
    ]);
  });

  it("reports every bad property at once, one failure each", () => {
    const { failures } = check({ modelId: 99, userData: 1, deletionPolicy: "Keep", endpointType: "lan" });
    expect(failures.map((f) => f.property)).toEqual([
      "modelId",
      "userData",
      "deletionPolicy",
      "endpointType",
    ]);
  });
});

describe("checkInputs: fpDbId and region values that MPS would misread", () => {
  it.each<[string, string, RegExp]>([
    ["a trailing space", "0123456789abcdef0123456789abcdef ", /contains whitespace/],
    ["a space inside", "0123 4567", /contains whitespace/],
    ["a comma, which would split one id into two in a batched call", "aaa,bbb", /contains a comma/],
    ["a control character", "abc\u0000def", /contains a control character/],
    ["an absurd length", "a".repeat(200), /at most 128 characters/],
  ])("refuses an fpDbId with %s, naming the property and the fix", (_name, value, problem) => {
    const reason = failureOf({ fpDbId: value }, "fpDbId");
    expect(reason).toMatch(/^`fpDbId` /);
    expect(reason).toMatch(problem);
    expect(reason).toMatch(/FpDBId/);
  });

  it("accepts a library id as MPS issues them", () => {
    expect(failureOf({ fpDbId: "88c6ca184c0e47098a5b665e2a12****" }, "fpDbId")).toBeUndefined();
    expect(failureOf({ fpDbId: "0123456789abcdef0123456789abcdef" }, "fpDbId")).toBeUndefined();
  });

  it("refuses a region one or two edits from a region with fingerprint libraries, suggesting it", () => {
    expect(failureOf({ region: "cn-hangzou" }, "region")).toBe(
      '`region` "cn-hangzou" is not an MPS region id: did you mean "cn-hangzhou"? Fix the spelling, or remove ' +
        "`region` to use `alicloud:region` or ALIBABA_CLOUD_REGION.",
    );
    expect(failureOf({ region: "hangzhou" }, "region")).toMatch(/did you mean "cn-hangzhou"\?/);
  });

  it("accepts an unlisted region with a warning, since regions are added over time", () => {
    const result = check({ region: "eu-central-1" });
    expect(result.failures).toEqual([]);
    expect(result.inputs.region).toBe("eu-central-1");
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^`region` "eu-central-1": MPS documents fingerprint libraries only in cn-beijing, /,
      ),
    ]);
    expect(check({ region: "cn-shanghai" }).warnings).toEqual([]);
  });
});

describe("checkInputs: combinations", () => {
  it("GIVEN fpDbId with create-only inputs THEN one failure per such input", () => {
    const { failures } = check({
      fpDbId: "fp-1",
      libraryName: "x",
      modelId: 12,
      description: "d",
      config: "{}",
      region: "cn-shanghai",
    });
    expect(failures).toEqual(
      (
        [
          ["libraryName", '"x"'],
          ["modelId", "12"],
          ["description", "a string"],
          ["config", "a string"],
        ] as const
      ).map(([property, value]) => ({
        property,
        reason:
          `\`${property}\` ${value} cannot be used with \`fpDbId\`: an adopted library keeps what it was created ` +
          `with (MPS cannot change it). Remove \`${property}\`, or remove \`fpDbId\` to create a new library.`,
      })),
    );
  });

  it('GIVEN deletionPolicy "Purge" on a library created with a modelId THEN it is refused', () => {
    expect(check({ modelId: 13, deletionPolicy: "Purge" }).failures).toEqual([
      {
        property: "deletionPolicy",
        reason:
          '`deletionPolicy` "Purge" cannot work with `modelId` 13: libraries with a ModelId accept only Delete ' +
          'jobs. Use "Delete" or "Retain", or create the library without `modelId`.',
      },
    ]);
  });

  it.each([[{}], [{ purgeStrategy: "purge" }]])(
    "GIVEN a purgeTrigger on a Delete-only library with %j THEN it is refused",
    (strategy) => {
      expect(check({ modelId: 12, purgeTrigger: "r1", ...strategy }).failures).toEqual([
        {
          property: "purgeTrigger",
          reason:
            "`purgeTrigger` cannot empty a library with `modelId` 12: such libraries accept only Delete jobs, " +
            'so a Purge job would be refused. Set `purgeStrategy: "recreate"` to empty it by replacing the ' +
            "library (a new library with a new id), or create it without `modelId`.",
        },
      ]);
    },
  );

  it('GIVEN a purgeTrigger on a Delete-only library with purgeStrategy "recreate" THEN it is accepted', () => {
    expect(check({ modelId: 12, purgeTrigger: "r1", purgeStrategy: "recreate" }).failures).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ["fpDbId", { fpDbId: "fp-1" }, "`fpDbId` (an adopted library is not the stack's to delete)"],
    [
      'deletionPolicy "Retain"',
      { deletionPolicy: "Retain" },
      '`deletionPolicy: "Retain"` (the old library would be kept, not emptied)',
    ],
    [
      "deletionProtection",
      { deletionProtection: true },
      "`deletionProtection: true` (it blocks the replacement)",
    ],
  ])('refuses purgeStrategy "recreate" with %s', (_name, extra, conflict) => {
    expect(check({ purgeStrategy: "recreate", ...extra }).failures).toEqual([
      {
        property: "purgeStrategy",
        reason:
          '`purgeStrategy` "recreate" empties a library by deleting it and creating a new one, so it cannot be ' +
          `used with ${conflict}. Use \`purgeStrategy: "purge"\`, or change those settings.`,
      },
    ]);
  });

  it('GIVEN "recreate" with several conflicts THEN one failure lists them all', () => {
    expect(
      failureOf(
        { purgeStrategy: "recreate", deletionPolicy: "Retain", deletionProtection: true },
        "purgeStrategy",
      ),
    ).toBe(
      '`purgeStrategy` "recreate" empties a library by deleting it and creating a new one, so it cannot be used ' +
        'with `deletionPolicy: "Retain"` (the old library would be kept, not emptied) and `deletionProtection: ' +
        'true` (it blocks the replacement). Use `purgeStrategy: "purge"`, or change those settings.',
    );
  });
});

describe("checkInputs: unknown values during preview", () => {
  it("skips unknown values and keeps them in the inputs", () => {
    const news = { ...base, modelId: UNKNOWN, userData: UNKNOWN, purgeTrigger: { tag: UNKNOWN } };
    expect(checkInputs(news)).toEqual({
      inputs: { ...news, libraryName: "videos" },
      failures: [],
      warnings: [],
    });
  });

  it.each<[string, Record<string, unknown>]>([
    ["an unknown modelId with deletionPolicy Purge", { modelId: UNKNOWN, deletionPolicy: "Purge" }],
    ["a known modelId with an unknown deletionPolicy", { modelId: 12, deletionPolicy: UNKNOWN }],
    [
      "an unknown purgeStrategy with a trigger on a Delete-only library",
      { modelId: 12, purgeTrigger: "r", purgeStrategy: UNKNOWN },
    ],
    ["an unknown trigger on a Delete-only library", { modelId: 12, purgeTrigger: UNKNOWN }],
    ["an unknown fpDbId with a libraryName", { fpDbId: UNKNOWN, libraryName: "x" }],
    [
      "recreate with an unknown deletionProtection",
      { purgeStrategy: "recreate", deletionProtection: UNKNOWN },
    ],
    ["a poll interval with an unknown timeout", { pollIntervalSeconds: 3000, jobTimeoutSeconds: UNKNOWN }],
  ])("never uses unknown values in combined checks: %s", (_name, extra) => {
    expect(check(extra).failures).toEqual([]);
  });

  it("GIVEN an unknown fpDbId THEN libraryName is not defaulted (it may turn out to be an adoption)", () => {
    expect(check({ fpDbId: UNKNOWN }).inputs).toEqual({ resourceName: "videos", fpDbId: UNKNOWN });
  });

  it("GIVEN an invalid fpDbId THEN only its own failure is reported, not the combinations", () => {
    expect(check({ fpDbId: 7, libraryName: "x" }).failures.map((f) => f.property)).toEqual(["fpDbId"]);
  });
});
