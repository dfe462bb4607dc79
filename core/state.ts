/**
 * The resource's outputs (its state in Pulumi) in and out. Every release reads the state of every older
 * one (docs/architecture.md, 'The frozen-shim contract'), because Delete and Read of old resources run
 * whatever code is installed now.
 *
 * Schema history: 1 is the first layout (types.ts `LibraryState`); state without `schemaVersion` is read as 1.
 */
import { effectiveDeletionPolicy } from "./deletion-rules";
import { UnreadableStateError } from "./errors";
import { DELETION_POLICIES, SCHEMA, type DerivedSchema, type ValueType } from "./schema";
import {
  JOB_HISTORY_LIMIT,
  RECORDED_INPUTS,
  SCHEMA_VERSION,
  type DeletionRecord,
  type JobRecord,
  type LibraryInputs,
  type LibraryState,
} from "./types";
import { joinOr } from "./values";

type Outputs = Record<string, unknown>;

const RESTORE_STATE =
  "Restore the stack's state from a backup, or remove the resource from the stack with `pulumi state delete`.";

/** What a refused field should hold, where its type alone says too little. */
const EXPECTED: Record<string, string> = { fpDbId: "a library id", region: "a region id" };

/** What each field needs, for the fix of a refused one. */
const FIXES: Record<string, string> = {
  adopted:
    "It decides whether destroy deletes the library (created by this stack) or keeps it (adopted), so nothing " +
    'was called. Put it back with `pulumi stack export`, an edit (`"adopted": true` if the stack adopted the ' +
    "library with `fpDbId`, `false` if it created it) and `pulumi stack import`; or restore the state from a " +
    "backup.",
};

/**
 * Builds the state reader for a schema. What it refuses comes from the schema's `destroyReads` marks, because a
 * guess there could delete or purge the wrong thing:
 *
 * - `required` (`fpDbId`, `region`, `adopted`): missing or malformed is refused. Every release has written them;
 *   `adopted` decides the default deletion policy (Retain for adopted, Delete for created), so it is never read
 *   as `false` when absent.
 * - `checked` (`deletionPolicy`, `deletionProtection`, `jobHistory`): malformed is refused, absence means "not
 *   set" and its default follows from `adopted`. `jobHistory` names the jobs resume-or-submit must never take for
 *   the answer to a new request.
 *
 * Other malformed fields only change messages or the next wait, and are dropped. Every refusal happens here,
 * before any API call.
 */
export function makeStateReader(schema: DerivedSchema): (outputs: Outputs) => LibraryState {
  return (outputs) => {
    const fpDbId = outputs.fpDbId;
    const label = `${typeof fpDbId === "string" ? fpDbId : "?"} (${typeof outputs.resourceName === "string" ? outputs.resourceName : "?"})`;
    const version = outputs.schemaVersion ?? 1;
    if (typeof version !== "number" || !Number.isInteger(version) || version < 1) {
      throw new UnreadableStateError(
        `State of library ${label} has an unreadable schemaVersion ${JSON.stringify(version)}. Run \`pulumi refresh\`, ` +
          "or restore the stack's state from a backup.",
      );
    }
    if (version > SCHEMA_VERSION) {
      throw new UnreadableStateError(
        `State of library ${label} was written by a newer pulumi-mps-fpdb (schema ${version}); upgrade the package ` +
          `(this version reads schema ${SCHEMA_VERSION} and older).`,
      );
    }
    const refuse = (field: string): never => {
      const spec = schema.stored[field];
      throw new UnreadableStateError(
        `State of library ${label} has ${describe(field, outputs[field])}, expected ${EXPECTED[field] ?? expectedText(spec)}. ` +
          (FIXES[field] ?? RESTORE_STATE),
      );
    };
    for (const { field, since } of schema.destroyReads.required) {
      const value = outputs[field];
      if (value === undefined && version < since) continue;
      if (value === undefined || value === "" || !readable(value, schema.stored[field])) refuse(field);
    }
    for (const field of schema.destroyReads.checked) {
      if (outputs[field] !== undefined && !readable(outputs[field], schema.stored[field])) refuse(field);
    }

    const state: Outputs = {
      schemaVersion: SCHEMA_VERSION,
      resourceName: typeof outputs.resourceName === "string" ? outputs.resourceName : fpDbId,
      status: "unknown",
    };
    for (const [field, spec] of Object.entries(schema.stored)) {
      if (field === "schemaVersion") continue;
      const value = outputs[field];
      if (value === undefined || value === null || !readable(value, spec)) continue;
      state[field] = spec.value === "jobRecords" ? readJobHistory(value) : value;
    }
    state.jobHistory ??= [];
    const read = state as unknown as LibraryState;
    refuseEditedDeletion(read, label);
    return read;
  };
}

/**
 * The recorded `deletionPolicy` and `deletionProtection` must say what `deletion` says: a state whose recorded
 * input was removed or changed by hand (a Retain or a protection lost) would otherwise delete a library it
 * should keep.
 */
function refuseEditedDeletion(state: LibraryState, label: string): void {
  if (state.deletion === undefined) return;
  const { policy, protection } = deletionOf(state);
  if (policy === state.deletion.policy && protection === state.deletion.protection) return;
  throw new UnreadableStateError(
    `State of library ${label} does not agree with itself: it was written with ${describeDeletion(state.deletion)}, ` +
      `but its recorded inputs now say ${describeDeletion({ policy, protection })}, so the state was edited or ` +
      "damaged and nothing was called. Restore the stack's state from a backup, or put the recorded inputs back " +
      "(`deletionPolicy`, `deletionProtection`) with `pulumi stack export` and `pulumi stack import`.",
  );
}

/** What destroy does with the library under the state's recorded inputs. */
export function deletionOf(state: LibraryState): DeletionRecord {
  return { policy: effectiveDeletionPolicy(state), protection: state.deletionProtection === true };
}

function describeDeletion(d: DeletionRecord): string {
  return `deletionPolicy ${d.policy} and deletionProtection ${d.protection ? "on" : "off"}`;
}

/**
 * Reads outputs of any schema version up to this release's (the schema this release declares). Throws
 * `UnreadableStateError` for state written by a newer release and for state destroy could not act on for certain.
 */
export const readState: (outputs: Outputs) => LibraryState = makeStateReader(SCHEMA);

function readable(value: unknown, spec: { value: ValueType; enum?: readonly string[] }): boolean {
  switch (spec.value) {
    case "deletion": {
      const d = value as Partial<DeletionRecord> | null;
      return (
        typeof d === "object" &&
        d !== null &&
        (DELETION_POLICIES as readonly unknown[]).includes(d.policy) &&
        typeof d.protection === "boolean"
      );
    }
    case "string":
      return typeof value === "string" && (spec.enum === undefined || spec.enum.includes(value));
    case "number":
      return Number.isFinite(value);
    case "integer":
      return Number.isInteger(value);
    case "boolean":
      return typeof value === "boolean";
    case "json":
      return value !== undefined && value !== null;
    case "jobRecords":
      return Array.isArray(value);
  }
}

function expectedText(spec: { value: ValueType; enum?: readonly string[] }): string {
  if (spec.enum) return joinOr(spec.enum.map((v) => JSON.stringify(v)));
  switch (spec.value) {
    case "boolean":
      return "true or false";
    case "jobRecords":
      return "a list of job records";
    case "deletion":
      return '{"policy": "Delete", "Purge" or "Retain", "protection": true or false}';
    case "number":
      return "a number";
    case "integer":
      return "a whole number";
    default:
      return "a non-empty string";
  }
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
  // State read from schema 1 has no `deletion`; written as the current schema it must carry one.
  const deletion = state.deletion ?? deletionOf(state);
  const outputs = withoutUndefined({ ...state, deletion, schemaVersion: SCHEMA_VERSION }) as Outputs;
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
