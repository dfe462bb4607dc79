/**
 * The resource's outputs (its state in Pulumi) in and out. Every release reads the state of every older one
 * (design section 7), because Delete and Read of old resources run whatever code is installed now.
 *
 * Schema history: 1 is the first layout (types.ts `LibraryState`); state without `schemaVersion` is read as 1.
 */
import { ConfigError } from "./errors";
import { DELETION_POLICIES, ENDPOINT_TYPES, PURGE_STRATEGIES } from "./inputs";
import {
  JOB_HISTORY_LIMIT,
  RECORDED_INPUTS,
  SCHEMA_VERSION,
  type JobRecord,
  type LibraryInputs,
  type LibraryState,
} from "./types";

type Outputs = Record<string, unknown>;

const RESTORE_STATE =
  "Restore the stack's state from a backup, or remove the resource from the stack with `pulumi state delete`.";

const STRING_FIELDS = [
  "libraryName",
  "description",
  "config",
  "pipelineId",
  "userData",
  "endpoint",
  "profile",
  "reportedName",
  "purgeJobId",
  "purgeJobStatus",
  "purgeRequestId",
  "purgedAt",
] as const;
const NUMBER_FIELDS = ["modelId", "jobTimeoutSeconds", "pollIntervalSeconds", "reportedModelId"] as const;
const BOOLEAN_FIELDS = ["waitForCompletion"] as const;

/**
 * Reads outputs of any schema version up to this release's. Throws `ConfigError` for state written by a newer
 * release, and for state that cannot be read for certain where a guess could delete or purge the wrong thing:
 *
 * - `fpDbId`, `region`: which library, and where; required.
 * - `adopted`: decides the default deletion policy (Retain for adopted, Delete for created). Every release has
 *   written it, so its absence means the state was edited or damaged: refused, never read as `false`.
 * - `deletionPolicy`, `deletionProtection`: optional inputs whose absence means "not set" (the default then
 *   follows from `adopted`), so only a malformed value is refused.
 * - `jobHistory`: the jobs this resource already knows, which resume-or-submit must never take for the answer to
 *   a new request; a value that is not a list is refused (malformed entries in it are dropped).
 *
 * Other malformed optional fields only change messages or the next wait, and are dropped.
 */
export function readState(outputs: Outputs): LibraryState {
  const fpDbId = outputs.fpDbId;
  const label = `${typeof fpDbId === "string" ? fpDbId : "?"} (${typeof outputs.resourceName === "string" ? outputs.resourceName : "?"})`;
  const version = outputs.schemaVersion ?? 1;
  if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
    throw new ConfigError(
      `State of library ${label} has an unreadable schemaVersion ${JSON.stringify(version)}. Run \`pulumi refresh\`, ` +
        "or restore the stack's state from a backup.",
    );
  }
  if (version > SCHEMA_VERSION) {
    throw new ConfigError(
      `State of library ${label} was written by a newer pulumi-mps-fpdb (schema ${version}); upgrade the package ` +
        `(this version reads schema ${SCHEMA_VERSION} and older).`,
    );
  }
  const malformed = (field: string, expected: string, fix = RESTORE_STATE) =>
    new ConfigError(
      `State of library ${label} has ${describe(field, outputs[field])}, expected ${expected}. ${fix}`,
    );
  if (typeof fpDbId !== "string" || fpDbId === "") throw malformed("fpDbId", "a library id");
  if (typeof outputs.region !== "string" || outputs.region === "") throw malformed("region", "a region id");
  if (typeof outputs.adopted !== "boolean") {
    throw malformed(
      "adopted",
      "true or false",
      "It decides whether destroy deletes the library (created by this stack) or keeps it (adopted), so nothing " +
        'was called. Put it back with `pulumi stack export`, an edit (`"adopted": true` if the stack adopted ' +
        "the library with `fpDbId`, `false` if it created it) and `pulumi stack import`; or restore the state " +
        "from a backup.",
    );
  }
  if (outputs.jobHistory !== undefined && !Array.isArray(outputs.jobHistory))
    throw malformed("jobHistory", "a list of job records");
  if (outputs.deletionProtection !== undefined && typeof outputs.deletionProtection !== "boolean") {
    throw malformed("deletionProtection", "true or false");
  }
  if (outputs.deletionPolicy !== undefined && !DELETION_POLICIES.includes(outputs.deletionPolicy as never)) {
    throw malformed("deletionPolicy", '"Delete", "Purge" or "Retain"');
  }

  const state: LibraryState = {
    schemaVersion: SCHEMA_VERSION,
    resourceName: typeof outputs.resourceName === "string" ? outputs.resourceName : fpDbId,
    fpDbId,
    adopted: outputs.adopted,
    region: outputs.region,
    status: typeof outputs.status === "string" ? outputs.status : "unknown",
    jobHistory: readJobHistory(outputs.jobHistory),
  };
  const target = state as unknown as Outputs;
  for (const key of STRING_FIELDS) if (typeof outputs[key] === "string") target[key] = outputs[key];
  for (const key of NUMBER_FIELDS) if (Number.isFinite(outputs[key])) target[key] = outputs[key];
  for (const key of BOOLEAN_FIELDS) if (typeof outputs[key] === "boolean") target[key] = outputs[key];
  if (typeof outputs.deletionProtection === "boolean") state.deletionProtection = outputs.deletionProtection;
  if (outputs.deletionPolicy !== undefined)
    state.deletionPolicy = outputs.deletionPolicy as LibraryState["deletionPolicy"];
  if (PURGE_STRATEGIES.includes(outputs.purgeStrategy as never)) {
    state.purgeStrategy = outputs.purgeStrategy as LibraryState["purgeStrategy"];
  }
  if (ENDPOINT_TYPES.includes(outputs.endpointType as never)) {
    state.endpointType = outputs.endpointType as LibraryState["endpointType"];
  }
  if (outputs.purgeTrigger !== undefined && outputs.purgeTrigger !== null)
    state.purgeTrigger = outputs.purgeTrigger;
  return state;
}

function readJobHistory(value: unknown): JobRecord[] {
  if (!Array.isArray(value)) return [];
  const records: JobRecord[] = [];
  for (const item of value) {
    if (item === null || typeof item !== "object") continue;
    const r = item as Record<string, unknown>;
    if (typeof r.jobId !== "string" || typeof r.delType !== "string" || typeof r.status !== "string")
      continue;
    const record: JobRecord = {
      jobId: r.jobId,
      delType: r.delType,
      status: r.status,
      submittedAt: typeof r.submittedAt === "string" ? r.submittedAt : "",
    };
    if (typeof r.finishedAt === "string") record.finishedAt = r.finishedAt;
    records.push(record);
  }
  return records;
}

/**
 * The state as outputs for the host: `schemaVersion` set to this release's, and no `undefined` anywhere (the host
 * fails on it): undefined object members are omitted, undefined array items become null, as in JSON.
 */
export function toOutputs(state: LibraryState): Outputs {
  const outputs = withoutUndefined({ ...state, schemaVersion: SCHEMA_VERSION }) as Outputs;
  return outputs;
}

function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : withoutUndefined(item)));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    if (item !== undefined) out[key] = withoutUndefined(item);
  }
  return out;
}

/**
 * The inputs recorded at the last create or update, as `diff` compares them: the input fields of the state,
 * `fpDbId` only for an adopted library (a created one had no `fpDbId` input), and `region` as pinned at create
 * (the resolved region, which equals the input whenever one was given).
 */
export function recordedInputs(state: LibraryState): LibraryInputs {
  const inputs: LibraryInputs = { resourceName: state.resourceName, region: state.region };
  if (state.adopted) inputs.fpDbId = state.fpDbId;
  const target = inputs as unknown as Outputs;
  const source = state as unknown as Outputs;
  for (const key of RECORDED_INPUTS) if (source[key] !== undefined) target[key] = source[key];
  return inputs;
}

/**
 * Adds a job to the history: an entry with the same JobId is replaced where it stands (a resumed job), otherwise
 * the record is appended; only the newest `JOB_HISTORY_LIMIT` are kept, newest last.
 */
export function appendJobHistory(history: JobRecord[], rec: JobRecord): JobRecord[] {
  const index = history.findIndex((r) => r.jobId === rec.jobId);
  const next = index >= 0 ? history.map((r, i) => (i === index ? rec : r)) : [...history, rec];
  return next.slice(-JOB_HISTORY_LIMIT);
}

function describe(field: string, value: unknown): string {
  return value === undefined ? `no ${field}` : `${field} ${JSON.stringify(value)}`;
}
