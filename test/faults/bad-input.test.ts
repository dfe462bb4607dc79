/**
 * Bad input (issue 5): each row goes through Pulumi's real provider host (Check, as the engine sends it) and
 * must come back as check failures naming the property, with the key words of the reason, before any API call.
 */
import type { Props } from "../../harness/host-client";
import { LifecycleFixture } from "../support/lifecycle";
import { SecretScan } from "./support/secret-scan";
import {
  SECRET_CONFIG_KEY,
  SUITE_ACCESS_KEY_ID,
  SUITE_ACCESS_KEY_SECRET,
  suiteAccounts,
} from "./support/suite-account";

/** One expected check failure: the property and words its reason must contain. */
interface Expected {
  property: string;
  words: string[];
}

/** 64 two-byte characters and one ASCII letter: 65 characters, 129 UTF-8 bytes. */
/**
 * A failure on a free-form input reaches the engine without a property name: the engine prints the named
 * property's value beside the reason, and such a value may be a secret. The reason names the property.
 */
const FREE_FORM = "";

const USER_DATA_129_BYTES = `${"é".repeat(64)}a`;
const ADOPTED_ID = "0123456789abcdef0123456789abcdef";
const DELETE_ONLY = "libraries with a ModelId accept only Delete jobs";
const ADOPTED_KEEPS = "cannot be used with `fpDbId`";
const TIMEOUT_RANGE = "must be a number of seconds above 0 and at most 86400 (one day)";
const POLL_RANGE = "must be a number of seconds above 0 and at most 3600 (one hour)";
const HTTP_LOOPBACK_ONLY = "uses http://, which is only allowed for";
const RECREATE_REFUSED = '`purgeStrategy` "recreate" empties a library by deleting it and creating a new one';

const ROWS: [string, Props, Expected[]][] = [
  [
    "userData of 129 bytes in multi-byte characters",
    { userData: USER_DATA_129_BYTES },
    [
      {
        property: FREE_FORM /* userData */,
        words: ["must be at most 128 UTF-8 bytes, got 129 bytes", "Shorten it"],
      },
    ],
  ],
  [
    "userData that is a number",
    { userData: 42 },
    [{ property: FREE_FORM /* userData */, words: ["`userData` must be a string, got a number"] }],
  ],
  [
    "modelId outside 11-14",
    { modelId: 15 },
    [
      {
        property: "modelId",
        words: ["must be one of 11 (text), 12 (video), 13 (audio) or 14 (image)", "got 15"],
      },
    ],
  ],
  [
    "modelId as a string",
    { modelId: "12" },
    [{ property: "modelId", words: ["must be one of 11", 'got "12"'] }],
  ],
  [
    "modelId that is not a whole number",
    { modelId: 12.5 },
    [{ property: "modelId", words: ["must be one of 11", "got 12.5"] }],
  ],
  [
    "an empty libraryName",
    { libraryName: "" },
    [{ property: "libraryName", words: ["`libraryName` must not be empty", "Set a name"] }],
  ],
  [
    "libraryName that is a number",
    { libraryName: 7 },
    [{ property: "libraryName", words: ["`libraryName` must be a non-empty string, got 7"] }],
  ],
  [
    "an empty fpDbId",
    { fpDbId: "" },
    [{ property: "fpDbId", words: ["`fpDbId` must not be empty", "id of an existing library"] }],
  ],
  [
    "fpDbId with libraryName",
    { fpDbId: ADOPTED_ID, libraryName: "other" },
    [{ property: "libraryName", words: [`\`libraryName\` "other" ${ADOPTED_KEEPS}`, "remove `fpDbId`"] }],
  ],
  [
    "fpDbId with modelId",
    { fpDbId: ADOPTED_ID, modelId: 12 },
    [{ property: "modelId", words: [`\`modelId\` 12 ${ADOPTED_KEEPS}`] }],
  ],
  [
    "fpDbId with description",
    { fpDbId: ADOPTED_ID, description: "films" },
    [{ property: FREE_FORM /* description */, words: [`\`description\` a string ${ADOPTED_KEEPS}`] }],
  ],
  [
    "fpDbId with config",
    { fpDbId: ADOPTED_ID, config: "{}" },
    [{ property: FREE_FORM /* config */, words: [`\`config\` a string ${ADOPTED_KEEPS}`] }],
  ],
  [
    "malformed config JSON (unclosed object)",
    { config: '{"threshold": 0.8' },
    [
      {
        property: FREE_FORM /* config */,
        words: ["`config` must be JSON text", "line 1, column", "Pass valid JSON"],
      },
    ],
  ],
  [
    "malformed config JSON (trailing comma)",
    { config: '{"a": 1,}' },
    [{ property: FREE_FORM /* config */, words: ["`config` must be JSON text", "line 1, column"] }],
  ],
  [
    "config as an object instead of JSON text",
    { config: { threshold: 0.8 } },
    [
      {
        property: FREE_FORM /* config */,
        words: ["`config` must be JSON text (a string)", "JSON.stringify"],
      },
    ],
  ],
  [
    "description that is a boolean",
    { description: true },
    [{ property: FREE_FORM /* description */, words: ["`description` must be a string, got a boolean"] }],
  ],
  [
    "an empty region",
    { region: "" },
    [{ property: "region", words: ["`region` must not be empty", "cn-shanghai"] }],
  ],
  [
    "an unknown purgeStrategy",
    { purgeStrategy: "wipe" },
    [{ property: "purgeStrategy", words: ['must be "purge" or "recreate", got "wipe"'] }],
  ],
  [
    "a purgeStrategy in the wrong case",
    { purgeStrategy: "Recreate" },
    [{ property: "purgeStrategy", words: ['got "Recreate"', 'Did you mean "recreate"?'] }],
  ],
  [
    "an unknown deletionPolicy",
    { deletionPolicy: "Destroy" },
    [{ property: "deletionPolicy", words: ['must be "Delete", "Purge" or "Retain", got "Destroy"'] }],
  ],
  [
    "an unknown endpointType",
    { endpointType: "private" },
    [{ property: "endpointType", words: ['must be "public" or "vpc", got "private"'] }],
  ],
  [
    "deletionProtection as a string",
    { deletionProtection: "yes" },
    [{ property: "deletionProtection", words: ['must be true or false, got "yes"'] }],
  ],
  [
    "waitForCompletion as a number",
    { waitForCompletion: 1 },
    [{ property: "waitForCompletion", words: ["must be true or false, got 1"] }],
  ],
  [
    "a negative jobTimeoutSeconds",
    { jobTimeoutSeconds: -5 },
    [{ property: "jobTimeoutSeconds", words: [TIMEOUT_RANGE, "got -5"] }],
  ],
  [
    "a zero jobTimeoutSeconds",
    { jobTimeoutSeconds: 0 },
    [{ property: "jobTimeoutSeconds", words: [TIMEOUT_RANGE, "got 0"] }],
  ],
  [
    "a huge jobTimeoutSeconds",
    { jobTimeoutSeconds: 1e9 },
    [{ property: "jobTimeoutSeconds", words: [TIMEOUT_RANGE, "got 1000000000"] }],
  ],
  [
    "jobTimeoutSeconds as a string",
    { jobTimeoutSeconds: "600" },
    [{ property: "jobTimeoutSeconds", words: [TIMEOUT_RANGE, 'got "600"'] }],
  ],
  [
    "a negative pollIntervalSeconds",
    { pollIntervalSeconds: -1 },
    [{ property: "pollIntervalSeconds", words: [POLL_RANGE, "got -1"] }],
  ],
  [
    "a huge pollIntervalSeconds",
    { pollIntervalSeconds: 7200 },
    [{ property: "pollIntervalSeconds", words: [POLL_RANGE, "got 7200"] }],
  ],
  [
    "a pollIntervalSeconds longer than jobTimeoutSeconds",
    { pollIntervalSeconds: 120, jobTimeoutSeconds: 60 },
    [{ property: "pollIntervalSeconds", words: ["must not exceed `jobTimeoutSeconds` (60), got 120"] }],
  ],
  [
    "an http:// endpoint on a public host",
    { endpoint: "http://mts.cn-hangzhou.aliyuncs.com" },
    [{ property: "endpoint", words: [HTTP_LOOPBACK_ONLY, "use https://"] }],
  ],
  [
    "an http:// endpoint on a private address",
    { endpoint: "http://10.0.0.5:8080" },
    [{ property: "endpoint", words: ['`endpoint` "http://10.0.0.5:8080"', HTTP_LOOPBACK_ONLY] }],
  ],
  [
    "an endpoint with another scheme",
    { endpoint: "ftp://mts.cn-hangzhou.aliyuncs.com" },
    [{ property: "endpoint", words: ['uses the scheme "ftp://"', "only https://"] }],
  ],
  [
    "an empty endpoint",
    { endpoint: "" },
    [{ property: "endpoint", words: ["`endpoint` must be a non-empty string"] }],
  ],
  [
    "a purge trigger on a Delete-only library",
    { modelId: 12, purgeTrigger: "release-1" },
    [
      {
        property: FREE_FORM /* purgeTrigger */,
        words: ["cannot empty a library with `modelId` 12", 'purgeStrategy: "recreate"'],
      },
    ],
  ],
  [
    "deletionPolicy Purge on a Delete-only library",
    { modelId: 13, deletionPolicy: "Purge" },
    [{ property: "deletionPolicy", words: ['"Purge" cannot work with `modelId` 13', DELETE_ONLY] }],
  ],
  [
    "purgeStrategy recreate on an adopted library",
    { fpDbId: ADOPTED_ID, purgeStrategy: "recreate" },
    [{ property: "purgeStrategy", words: [RECREATE_REFUSED, "`fpDbId`"] }],
  ],
  [
    "purgeStrategy recreate with deletionPolicy Retain and deletionProtection",
    { purgeStrategy: "recreate", deletionPolicy: "Retain", deletionProtection: true },
    [
      {
        property: "purgeStrategy",
        words: [RECREATE_REFUSED, '`deletionPolicy: "Retain"`', "`deletionProtection: true`"],
      },
    ],
  ],
  [
    "an empty pipelineId",
    { pipelineId: "" },
    [{ property: "pipelineId", words: ["`pipelineId` must not be empty"] }],
  ],
  [
    "a blank profile",
    { profile: "   " },
    [{ property: "profile", words: ["`profile` must not be empty", "credentials profile"] }],
  ],
  [
    "a misspelt input",
    { purgetrigger: "r1" },
    [
      {
        property: "purgetrigger",
        words: ["is not an input of FingerprintLibrary", "Did you mean `purgeTrigger`?"],
      },
    ],
  ],
  [
    "several bad inputs at once",
    { userData: USER_DATA_129_BYTES, modelId: 10, endpointType: "VPC" },
    [
      { property: "modelId", words: ["got 10"] },
      { property: FREE_FORM /* userData */, words: ["got 129 bytes"] },
      { property: "endpointType", words: ['Did you mean "vpc"?'] },
    ],
  ],
];

let fx: LifecycleFixture;
const scan = new SecretScan();

beforeAll(async () => {
  fx = await LifecycleFixture.start({
    emulator: { accounts: suiteAccounts() },
    config: { "alicloud:accessKey": SUITE_ACCESS_KEY_ID, [SECRET_CONFIG_KEY]: SUITE_ACCESS_KEY_SECRET },
  });
});

afterAll(async () => {
  await fx.close();
});

function apiCalls(): number {
  return fx.emulator.admin.counts().overall.total;
}

describe("check refuses bad input before any API call", () => {
  it("has at least 30 rows", () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(30);
  });

  it.each(ROWS)("%s", async (_name, inputs, expected) => {
    const before = apiCalls();
    const result = await fx.check("bad-input", inputs);
    scan.add(`check failures for ${JSON.stringify(inputs)}`, JSON.stringify(result));

    expect(result.failures.map((f) => f.property).sort()).toEqual(expected.map((e) => e.property).sort());
    for (const { property, words } of expected) {
      const reason = result.failures.find((f) => f.property === property)!.reason;
      for (const word of words) expect(reason).toContain(word);
    }
    expect(apiCalls()).toBe(before);
  });

  it("made no API call at all and never exposed the AccessKey secret", () => {
    expect(apiCalls()).toBe(0);
    scan.add("provider host output", fx.output());
    expect(scan.find(SUITE_ACCESS_KEY_SECRET)).toEqual([]);
  });
});
