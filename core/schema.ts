/**
 * The FingerprintLibrary property schema: every input and output declared once, with its value type, its role in
 * the lifecycle, its validator and the line the README's reference tables show. The lists the rest of the
 * provider works from (create-only inputs, recorded inputs, output-only properties, the state reader's fields,
 * the fields destroy cannot do without) are derived from it by {@link deriveSchema}, so a new property is a change
 * here, in its validator and in the README, and nowhere else. `test/unit/schema.test.ts` holds the README tables
 * to this file and shows a synthetic property reaching every derived list.
 */
import { ENDPOINT_TYPES, parseEndpoint } from "./config/endpoint";
import { findJsonSyntaxError } from "./config/json-text";
import { misspeltRegionText, regionFinding } from "./config/regions";
import {
  booleanValue,
  describeValue,
  jsonValueProblem,
  nonEmptyString,
  oneOf,
  plainString,
  seconds,
  shapeOf,
  type Validator,
} from "./values";

/** ModelIds documented for CreateFpShotDB: 11 text, 12 video, 13 audio, 14 image. All are Delete-only. */
export const DOCUMENTED_MODEL_IDS: readonly number[] = [11, 12, 13, 14];
export const PURGE_STRATEGIES = ["purge", "recreate"] as const;
export type PurgeStrategy = (typeof PURGE_STRATEGIES)[number];
export const DELETION_POLICIES = ["Delete", "Purge", "Retain"] as const;
export type DeletionPolicy = (typeof DELETION_POLICIES)[number];

/** MPS refuses longer `UserData` on jobs. */
export const USER_DATA_MAX_BYTES = 128;
/** Upper bound of `jobTimeoutSeconds`: one day. Longer is a mistake (minutes instead of seconds, or a loop). */
export const MAX_JOB_TIMEOUT_SECONDS = 86_400;
/** Upper bound of `pollIntervalSeconds`: one hour. */
export const MAX_POLL_INTERVAL_SECONDS = 3_600;
/** `jobTimeoutSeconds` when unset. */
export const DEFAULT_JOB_TIMEOUT_SECONDS = 1_800;
/** `pollIntervalSeconds` when unset: a wait's first look, and the shortest gap between two looks. */
export const DEFAULT_POLL_INTERVAL_SECONDS = 1;
/** Longest `fpDbId` accepted. MPS documents no id form; its ids are 32 hex characters, so this is generous. */
export const MAX_LIBRARY_ID_LENGTH = 128;

/**
 * What an input does over the library's life:
 * - `identity`: which library (`fpDbId`); a change adopts another one;
 * - `create-only`: sent to CreateFpShotDB; MPS cannot change it, so a change is a replacement;
 * - `pinned`: resolved at create and kept in state under its own name (`region`);
 * - `trigger`: a change submits a Purge job (`purgeTrigger`);
 * - `behaviour`: only changes what the provider does; an update records it.
 */
export type InputRole = "identity" | "create-only" | "pinned" | "trigger" | "behaviour";

/** How a stored value is read back from state. */
export type ValueType = "string" | "number" | "integer" | "boolean" | "json" | "jobRecords" | "deletion";

export interface InputSpec {
  role: InputRole;
  value: ValueType;
  /** The only values accepted, for a string that is one of a fixed set. */
  enum?: readonly string[];
  validate: Validator;
  /**
   * Destroy reads it from state and a damaged value could make it delete or purge the wrong way: a malformed
   * stored value is refused (absence means "not set", whose default is certain).
   */
  destroyReads?: boolean;
  /**
   * Destroy, and so the old library's side of a replacement, acts on the value stored at the last create or
   * update: a replacement that changes it at the same time is refused (see diff.ts), because the engine deletes the
   * old library with the stored value and the new one would never reach it.
   */
  destroyUses?: boolean;
  /**
   * Free text or data the user may have made secret. The engine strips the secret mark before a dynamic provider
   * sees a value, so the provider cannot tell: its value is never quoted in a message (see {@link quoteInput}).
   */
  freeForm?: boolean;
  /** The README input table's row: type, default, what a change means. */
  readme: { type: string; default: string; change: string };
  /** What the input is, in one sentence: the SDKs' documentation of it (plugin/package-schema.ts). */
  summary?: string;
}

export interface OutputSpec {
  value: ValueType;
  /**
   * `required`: every release writes it and destroy cannot do without it: missing or malformed state is refused.
   * `checked`: malformed state is refused, absence is allowed. Otherwise malformed values are dropped.
   */
  destroyReads?: "required" | "checked";
  /** The first schema version that always writes it: `required` applies from there on. */
  since?: number;
  /**
   * Who sets it: the library's identity, the service's view, the jobs (the last Purge job, and the key their tags
   * are made with), or the layout.
   */
  source: "identity" | "service" | "job" | "layout";
  /** Stored encrypted: the resource asks the engine to treat it as a secret (`additionalSecretOutputs`). */
  secret?: boolean;
  /** The README output table's row. */
  readme: { type: string; meaning: string };
}

export type InputSchema = Record<string, InputSpec>;

/** `true` when A and B have the same keys, else `never`: hand-written shapes assert it against the schema. */
export type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : never;
export type OutputSchema = Record<string, OutputSpec>;

/** The inputs, in the order the README documents them. */
export const INPUTS = {
  fpDbId: {
    role: "identity",
    value: "string",
    validate: fpDbIdValidator,
    summary:
      "The id (FpDBId) of an existing library to adopt instead of creating one; it cannot be combined with `libraryName`, `modelId`, `description` or `config`.",
    readme: {
      type: "string",
      default: "none: create a library",
      change: "replacement (adopt another library)",
    },
  },
  libraryName: {
    role: "create-only",
    value: "string",
    validate: nonEmptyString("Set a name, or remove it to use the resource's name."),
    summary: "Name of the library to create.",
    readme: { type: "string", default: "the logical name", change: "replacement (create-only)" },
  },
  modelId: {
    role: "create-only",
    value: "integer",
    validate: (v) => {
      if (typeof v === "number" && Number.isInteger(v) && DOCUMENTED_MODEL_IDS.includes(v)) return undefined;
      return (
        `\`modelId\` must be one of 11 (text), 12 (video), 13 (audio) or 14 (image), got ${describeValue(v)}. ` +
        "Use one of these, or remove `modelId` to create a library without a ModelId (which also accepts Purge jobs)."
      );
    },
    summary:
      "ModelId of the library to create: 11 text, 12 video, 13 audio, 14 image; a library with one is Delete-only (Purge needs a library without one).",
    readme: { type: "`11` \\| `12` \\| `13` \\| `14`", default: "none", change: "replacement (create-only)" },
  },
  description: {
    role: "create-only",
    value: "string",
    freeForm: true,
    validate: plainString("Pass text."),
    summary: "Description of the library to create.",
    readme: { type: "string", default: "none", change: "replacement (create-only)" },
  },
  config: {
    role: "create-only",
    value: "string",
    freeForm: true,
    validate: (v) => {
      if (typeof v !== "string") {
        return `\`config\` must be JSON text (a string), got ${shapeOf(v)}. Pass JSON.stringify(yourSettings).`;
      }
      const error = findJsonSyntaxError(v);
      if (!error) return undefined;
      return (
        // Only the position: the character itself is part of a value that may be secret.
        `\`config\` must be JSON text, but it has an unexpected ${error.offset >= v.length ? "end" : "character"} ` +
        `at line ${error.line}, ` +
        `column ${error.column}. Pass valid JSON, e.g. JSON.stringify(yourSettings).`
      );
    },
    summary: "Library settings to create it with, as JSON text.",
    readme: { type: "string (JSON text)", default: "none", change: "replacement (create-only)" },
  },
  region: {
    role: "pinned",
    value: "string",
    validate: regionValidator,
    summary: "Region of the library, resolved once at create and pinned in state.",
    readme: {
      type: "string",
      default: "`alicloud:region`, else environment",
      change: "replacement (create-only)",
    },
  },
  purgeTrigger: {
    role: "trigger",
    value: "json",
    freeForm: true,
    validate: (v) => {
      const problem = jsonValueProblem(v, "");
      if (!problem) return undefined;
      return (
        "`purgeTrigger` must be a JSON value (string, number, boolean, null, array or object), but " +
        `${problem}. Use a plain value such as a release tag or a date.`
      );
    },
    summary:
      'Any value: setting or changing it empties the library (a Purge job, or a Delete and re-create with `purgeStrategy: "recreate"`); not used on create.',
    readme: {
      type: "any JSON value",
      default: "none",
      change: "set or changed: a Purge job (in-place update)",
    },
  },
  purgeStrategy: {
    role: "behaviour",
    value: "string",
    enum: PURGE_STRATEGIES,
    validate: oneOf(PURGE_STRATEGIES),
    summary:
      'How a `purgeTrigger` change empties the library: a Purge job, or (`"recreate"`, for Delete-only libraries) a replacement.',
    readme: { type: '`"purge"` \\| `"recreate"`', default: '`"purge"`', change: "recorded only" },
  },
  deletionPolicy: {
    role: "behaviour",
    destroyUses: true,
    value: "string",
    enum: DELETION_POLICIES,
    validate: oneOf(DELETION_POLICIES),
    destroyReads: true,
    summary:
      "What destroy does with the library: delete it, empty it (Purge) and keep it, or keep it as it is.",
    readme: {
      type: '`"Delete"` \\| `"Purge"` \\| `"Retain"`',
      default: "Delete if created, Retain if adopted",
      change: "recorded only",
    },
  },
  deletionProtection: {
    role: "behaviour",
    destroyUses: true,
    value: "boolean",
    validate: booleanValue(),
    destroyReads: true,
    summary: "When true, destroy and any replacement fail before any API call.",
    readme: { type: "boolean", default: "`false`", change: "recorded only" },
  },
  pipelineId: {
    role: "behaviour",
    destroyUses: true,
    value: "string",
    validate: nonEmptyString("Set it to an MPS pipeline id, or remove it."),
    summary: "MPS pipeline passed to every Purge and Delete job; MPS sends job notifications through it.",
    readme: { type: "string", default: "none", change: "recorded; used by later jobs" },
  },
  userData: {
    role: "behaviour",
    destroyUses: true,
    value: "string",
    freeForm: true,
    validate: (v) => {
      if (typeof v !== "string") return `\`userData\` must be a string, got ${shapeOf(v)}. Pass text.`;
      const bytes = Buffer.byteLength(v, "utf8");
      if (bytes <= USER_DATA_MAX_BYTES) return undefined;
      return (
        `\`userData\` must be at most ${USER_DATA_MAX_BYTES} UTF-8 bytes, got ${bytes} bytes. ` +
        "Shorten it (characters outside ASCII take 2 to 4 bytes each)."
      );
    },
    summary: "Text passed to every Purge and Delete job as its UserData.",
    readme: {
      type: "string, at most 128 UTF-8 bytes",
      default: "none",
      change: "recorded; used by later jobs",
    },
  },
  waitForCompletion: {
    role: "behaviour",
    value: "boolean",
    validate: booleanValue(),
    summary:
      "Whether create waits until the library is `active` and a purge until its job succeeds; destroy always waits.",
    readme: { type: "boolean", default: "`true`", change: "recorded only" },
  },
  jobTimeoutSeconds: {
    role: "behaviour",
    destroyUses: true,
    value: "number",
    validate: seconds(MAX_JOB_TIMEOUT_SECONDS, "one day"),
    summary:
      "Bound on one wait (for `active`, for a job, for the library to disappear), in seconds; a provider plugin also honours `customTimeouts`.",
    readme: { type: "number of seconds, up to 86400", default: "`1800`", change: "recorded only" },
  },
  pollIntervalSeconds: {
    role: "behaviour",
    destroyUses: true,
    value: "number",
    validate: seconds(MAX_POLL_INTERVAL_SECONDS, "one hour"),
    summary: "When a wait is first looked at, and the shortest gap between two looks at it, in seconds.",
    readme: { type: "number of seconds, up to 3600", default: "`1`", change: "recorded only" },
  },
  endpoint: {
    role: "behaviour",
    destroyUses: true,
    value: "string",
    validate: (v) => {
      if (typeof v !== "string" || v.trim() === "") {
        return (
          `\`endpoint\` must be a non-empty string, got ${describeValue(v)}. Set a host, host:port or https:// ` +
          "URL, or remove it to use mts.<region>.aliyuncs.com."
        );
      }
      const parsed = parseEndpoint(v);
      if (parsed.ok) return undefined;
      return (
        `\`endpoint\` ${describeValue(v)} ${parsed.problem}. Set a host, host:port or https:// URL, or remove it ` +
        "to use mts.<region>.aliyuncs.com."
      );
    },
    summary:
      "MPS endpoint for this library: a host, host:port or https:// URL (http:// only for loopback hosts).",
    readme: {
      type: "string",
      default: "`mts.<region>.aliyuncs.com`",
      change: "recorded; used by later calls",
    },
  },
  endpointType: {
    role: "behaviour",
    destroyUses: true,
    value: "string",
    enum: ENDPOINT_TYPES,
    validate: oneOf(ENDPOINT_TYPES),
    summary: '`"vpc"` uses `mts-vpc.<region>.aliyuncs.com` instead of the public endpoint.',
    readme: {
      type: '`"public"` \\| `"vpc"`',
      default: '`"public"`',
      change: "recorded; used by later calls",
    },
  },
  profile: {
    role: "behaviour",
    destroyUses: true,
    value: "string",
    validate: nonEmptyString(
      "Set the name of a credentials profile, or remove it to use the default credentials.",
    ),
    summary: "Name of a credentials profile for this library (not a secret).",
    readme: { type: "string", default: "none", change: "recorded; used by later calls" },
  },
} as const satisfies InputSchema;

/** The outputs besides the recorded inputs, in the order the README documents them. */
export const OUTPUTS = {
  fpDbId: {
    value: "string",
    destroyReads: "required",
    source: "identity",
    readme: { type: "string", meaning: "the library id (FpDBId); also the resource id" },
  },
  region: {
    value: "string",
    destroyReads: "required",
    source: "identity",
    readme: { type: "string", meaning: "the region pinned at create" },
  },
  status: {
    value: "string",
    source: "service",
    readme: {
      type: "string",
      meaning: "library status last reported: `offline`, `active`, `paused` or `deleted`",
    },
  },
  reportedName: {
    value: "string",
    source: "service",
    readme: {
      type: "string",
      meaning: "the name the service reports (differs from `libraryName` when adopted)",
    },
  },
  reportedModelId: {
    value: "integer",
    source: "service",
    readme: { type: "integer", meaning: "the ModelId the service reports; absent when the library has none" },
  },
  adopted: {
    value: "boolean",
    destroyReads: "required",
    source: "identity",
    readme: {
      type: "boolean",
      meaning: "`true` when the stack adopted the library (`fpDbId`) instead of creating it",
    },
  },
  purgeJobId: {
    value: "string",
    source: "job",
    readme: { type: "string", meaning: "JobId of the latest Purge job" },
  },
  purgeJobStatus: {
    value: "string",
    source: "job",
    readme: { type: "string", meaning: "last status seen for that job" },
  },
  purgeRequestId: {
    value: "string",
    source: "job",
    readme: {
      type: "string",
      meaning: "RequestId of that job's submit; absent when a job under way was resumed",
    },
  },
  purgedAt: {
    value: "string",
    source: "job",
    readme: { type: "string", meaning: "that job's `FinishTime` (ISO 8601, UTC)" },
  },
  jobHistory: {
    value: "jobRecords",
    destroyReads: "checked",
    source: "job",
    readme: {
      type: "`JobRecord[]`",
      meaning: "the last 10 jobs this resource submitted or resumed that succeeded",
    },
  },
  jobTagKey: {
    value: "string",
    source: "job",
    secret: true,
    readme: {
      type: "string (secret)",
      meaning:
        "random key of the tag this resource's jobs carry in `UserData` when `userData` is unset (see " +
        "[Purge and deletion](#purge-and-deletion))",
    },
  },
  deletion: {
    value: "deletion",
    destroyReads: "required",
    since: 2,
    source: "layout",
    readme: {
      type: "`{policy, protection}`",
      meaning: "what destroy does (the deletion policy and protection in force); checked against the inputs",
    },
  },
  recordedAt: {
    value: "string",
    source: "layout",
    readme: { type: "string", meaning: "when this state was written (ISO 8601, UTC)" },
  },
  schemaVersion: {
    value: "integer",
    source: "layout",
    readme: {
      type: "integer",
      meaning: "layout version of the outputs; every release reads all older ones",
    },
  },
} as const satisfies OutputSchema;

/** The lists and tables the provider works from, all derived from a schema. */
export interface DerivedSchema {
  inputNames: string[];
  /** Inputs MPS cannot change in place; also the inputs `fpDbId` (adoption) refuses. */
  createOnly: string[];
  behaviour: string[];
  /** Inputs whose stored value destroy acts on ({@link InputSpec.destroyUses}). */
  destroyUses: string[];
  /** Inputs the state records under their own names. */
  recorded: string[];
  validators: Record<string, Validator>;
  /** Outputs that are not inputs: registered as undefined so Pulumi makes Output objects for them. */
  outputOnly: string[];
  /** Outputs an update carries over unchanged (the service's view and the last Purge job). */
  keptOnUpdate: string[];
  /** Outputs the engine stores as secrets. */
  secretOutputs: string[];
  /** Stored fields read back by type (and, for a fixed set of strings, the set), for the state reader. */
  stored: Record<string, { value: ValueType; enum?: readonly string[] }>;
  /**
   * Stored fields that destroy cannot do without: `required` must be present (from the schema version in
   * `since`, default 1), `checked` must be well formed when present.
   */
  destroyReads: { required: { field: string; since: number }[]; checked: string[] };
}

export function deriveSchema(inputs: InputSchema, outputs: OutputSchema): DerivedSchema {
  const inputNames = Object.keys(inputs);
  const withRole = (...roles: InputRole[]) => inputNames.filter((n) => roles.includes(inputs[n].role));
  const recorded = withRole("create-only", "trigger", "behaviour");
  const outputNames = Object.keys(outputs);
  const stored: DerivedSchema["stored"] = {};
  for (const name of recorded) stored[name] = { value: inputs[name].value, enum: inputs[name].enum };
  for (const name of outputNames) stored[name] = { value: outputs[name].value };
  return {
    inputNames,
    createOnly: withRole("create-only"),
    behaviour: withRole("behaviour"),
    destroyUses: inputNames.filter((n) => inputs[n].destroyUses === true),
    recorded,
    validators: Object.fromEntries(inputNames.map((n) => [n, inputs[n].validate])),
    outputOnly: outputNames.filter((n) => !(n in inputs)),
    keptOnUpdate: outputNames.filter((n) => outputs[n].source === "service" || outputs[n].source === "job"),
    secretOutputs: outputNames.filter((n) => outputs[n].secret === true),
    stored,
    destroyReads: {
      required: outputNames
        .filter((n) => outputs[n].destroyReads === "required")
        .map((field) => ({ field, since: outputs[field].since ?? 1 })),
      checked: [
        ...recorded.filter((n) => inputs[n].destroyReads === true),
        ...outputNames.filter((n) => outputs[n].destroyReads === "checked"),
      ],
    },
  };
}

/**
 * An input's value as messages show it: quoted, except for a free-form input (its value may be a secret the
 * provider cannot recognise as one), which is described by its kind only.
 */
export function quoteInput(name: string, v: unknown): string {
  return isFreeForm(name) ? shapeOf(v) : describeValue(v);
}

/** True for an input whose value messages never quote ({@link InputSpec.freeForm}). */
export function isFreeForm(name: string): boolean {
  return (INPUTS as InputSchema)[name]?.freeForm === true;
}

/** The schema of this release, derived once. */
export const SCHEMA: DerivedSchema = deriveSchema(INPUTS, OUTPUTS);

function fpDbIdValidator(v: unknown, name: string): string | undefined {
  const fix =
    "Set it to the id of an existing library (FpDBId) to adopt it, or remove it to create a new library.";
  const empty = nonEmptyString(fix)(v, name);
  if (empty) return empty;
  const problem = libraryIdProblem(v as string);
  return problem ? `\`fpDbId\` ${describeValue(v)} ${problem}. ${fix}` : undefined;
}

/**
 * Why a library id cannot be one MPS issued, or undefined. MPS documents no id form, so only what would break a
 * call is refused: ids travel comma-separated in batched lookups (a comma turns one id into two and fails the
 * whole batch), and whitespace or control characters make an id that differs from the service's spelling.
 */
function libraryIdProblem(id: string): string | undefined {
  if (id.includes(",")) return "contains a comma, which MPS reads as a separator between two ids";
  if (/\s/.test(id)) return "contains whitespace (check for a trailing space or newline)";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) return "contains a control character";
  if (id.length > MAX_LIBRARY_ID_LENGTH) {
    return `is ${id.length} characters long; library ids are at most ${MAX_LIBRARY_ID_LENGTH} characters`;
  }
  return undefined;
}

function regionValidator(v: unknown, name: string): string | undefined {
  const fix = "to use `alicloud:region` or ALIBABA_CLOUD_REGION.";
  const empty = nonEmptyString(`Set a region id such as "cn-shanghai", or remove it ${fix}`)(v, name);
  if (empty) return empty;
  const finding = regionFinding(v as string);
  if (finding?.kind !== "misspelt") return undefined;
  return `${misspeltRegionText("`region`", v as string, finding.suggestion)} Fix the spelling, or remove \`region\` ${fix}`;
}
