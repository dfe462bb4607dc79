import { MpsApiError } from "../errors";
import { INVALID_RESPONSE_CODE } from "../resilience/classify";
import type {
  CreateFpShotDbResult,
  FpDbDeleteJob,
  FpShotDb,
  ListFpShotDbResult,
  QueryFpDbDeleteJobListResult,
  SubmitFpDbDeleteJobResult,
} from "./types";

/**
 * Parsers for the exact response shapes of docs/mps-api.md, 'Actions': lists wrapped in objects
 * (`FpShotDBList.FpShotDB[]`, `NonExistIds.String[]`), `State` in CreateFpShotDB vs `Status` in ListFpShotDB,
 * `NonExistIds` omitted when empty, `ModelId` absent for libraries created without one, empty strings for
 * fields a job does not have yet. Identifiers are required; descriptive fields are lenient, so an undocumented
 * addition or omission never breaks a destroy.
 */

type Json = Record<string, unknown>;

/** Raised when a 2xx body lacks something the caller cannot do without (an id). */
function malformed(action: string, write: boolean, what: string, requestId: string): MpsApiError {
  const rid = requestId !== "" ? ` RequestId: ${requestId}.` : "";
  const next = write
    ? "The request may have been executed: check the service state before sending it again."
    : "Retry later; if it persists, the endpoint may not be an MPS endpoint.";
  return new MpsApiError(
    `MPS ${action} failed: ${INVALID_RESPONSE_CODE}: the response has no ${what}.${rid} ${next}`,
    action,
    INVALID_RESPONSE_CODE,
    write ? "ambiguous" : "transient",
    undefined,
    requestId !== "" ? requestId : undefined,
  );
}

function asObject(value: unknown): Json | undefined {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** A string field, or undefined when absent, null or empty. Numbers are accepted and stringified. */
function optionalString(value: unknown): string | undefined {
  if (typeof value === "string") return value === "" ? undefined : value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return undefined;
}

/** A numeric field (the service may send `12` or `"12"`), or undefined. */
function optionalNumber(value: unknown): number | undefined {
  if (typeof value === "number" && Number.isFinite(value)) return value;
  if (typeof value === "string" && value.trim() !== "" && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/** `{ Key: [ ... ] }` → the array; also accepts a bare array or a single item, and absence (→ []). */
function wrappedList(container: unknown, key: string): unknown[] {
  if (Array.isArray(container)) return container;
  const object = asObject(container);
  if (object === undefined) return [];
  const inner = object[key];
  if (Array.isArray(inner)) return inner;
  return inner === undefined || inner === null ? [] : [inner];
}

function requestIdOf(body: Json): string {
  return optionalString(body.RequestId) ?? "";
}

/** Copies the optional fields that are present, so results never hold `undefined` values. */
function withOptional<T extends object>(base: T, optional: Record<string, string | number | undefined>): T {
  const result: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(optional)) if (value !== undefined) result[key] = value;
  return result as T;
}

function parseLibrary(item: Json, statusKey: "State" | "Status"): FpShotDb | undefined {
  const fpDbId = optionalString(item.FpDBId);
  if (fpDbId === undefined) return undefined;
  const status = optionalString(item[statusKey]) ?? optionalString(item.Status ?? item.State) ?? "";
  return withOptional<FpShotDb>(
    { fpDbId, name: optionalString(item.Name) ?? "", status },
    {
      description: optionalString(item.Description),
      modelId: optionalNumber(item.ModelId),
      config: optionalString(item.Config),
    },
  );
}

function parseJob(item: Json): FpDbDeleteJob | undefined {
  const jobId = optionalString(item.Id);
  if (jobId === undefined) return undefined;
  return withOptional<FpDbDeleteJob>(
    {
      jobId,
      fpDbId: optionalString(item.FpDBId) ?? "",
      delType: optionalString(item.DelType) ?? "",
      status: optionalString(item.Status) ?? "",
    },
    {
      creationTime: optionalString(item.CreationTime),
      finishTime: optionalString(item.FinishTime),
      pipelineId: optionalString(item.PipelineId),
      userData: optionalString(item.UserData),
      code: optionalString(item.Code),
      message: optionalString(item.Message),
    },
  );
}

function stringList(container: unknown): string[] {
  return wrappedList(container, "String")
    .map(optionalString)
    .filter((id): id is string => id !== undefined);
}

/** CreateFpShotDB: `{RequestId, FpShotDB: {FpDBId, Name, Description, ModelId, Config, State}}`. */
export function parseCreateFpShotDb(body: Json): CreateFpShotDbResult {
  const requestId = requestIdOf(body);
  const item = asObject(body.FpShotDB);
  const library = item !== undefined ? parseLibrary(item, "State") : undefined;
  if (library === undefined) throw malformed("CreateFpShotDB", true, "FpShotDB.FpDBId", requestId);
  return { requestId, library };
}

/** ListFpShotDB: `{RequestId, FpShotDBList: {FpShotDB: [...]}, NonExistIds?: {String: [...]}}`. */
export function parseListFpShotDb(body: Json): ListFpShotDbResult {
  const requestId = requestIdOf(body);
  const libraries: FpShotDb[] = [];
  for (const raw of wrappedList(body.FpShotDBList, "FpShotDB")) {
    const item = asObject(raw);
    const library = item !== undefined ? parseLibrary(item, "Status") : undefined;
    if (library === undefined)
      throw malformed("ListFpShotDB", false, "FpDBId in an FpShotDB item", requestId);
    libraries.push(library);
  }
  return { requestId, libraries, nonExistIds: stringList(body.NonExistIds) };
}

/** SubmitFpDBDeleteJob: `{RequestId, JobId}`. */
export function parseSubmitFpDbDeleteJob(body: Json): SubmitFpDbDeleteJobResult {
  const requestId = requestIdOf(body);
  const jobId = optionalString(body.JobId);
  if (jobId === undefined) throw malformed("SubmitFpDBDeleteJob", true, "JobId", requestId);
  return { requestId, jobId };
}

/** QueryFpDBDeleteJobList: `{RequestId, FpDBDeleteJobList: {FpDBDeleteJob: [...]}, NonExistIds?: {String}}`. */
export function parseQueryFpDbDeleteJobList(body: Json): QueryFpDbDeleteJobListResult {
  const requestId = requestIdOf(body);
  const jobs: FpDbDeleteJob[] = [];
  for (const raw of wrappedList(body.FpDBDeleteJobList, "FpDBDeleteJob")) {
    const item = asObject(raw);
    const job = item !== undefined ? parseJob(item) : undefined;
    if (job === undefined)
      throw malformed("QueryFpDBDeleteJobList", false, "Id in an FpDBDeleteJob item", requestId);
    jobs.push(job);
  }
  return { requestId, jobs, nonExistIds: stringList(body.NonExistIds) };
}
