import type { FpShotDb } from "../client/types";
import type { LibraryTarget } from "../context";
import { MpsApiError } from "../errors";
import { newJobTagKey } from "../jobs/job-tag";
import { SCHEMA } from "../schema";
import { deletionOf } from "../state";
import { SCHEMA_VERSION, type LibraryInputs, type LibraryState } from "../types";

/** "library <id> (<logical name>)": every message and log line names both. */
export function describeLibrary(fpDbId: string, resourceName: string): string {
  return `library ${fpDbId} (${resourceName})`;
}

/**
 * An MPS API failure with the library it was about named first. The client's errors name the action and Code
 * but not the library, and Pulumi shows a provider's error as it is: with many libraries in one run, an error
 * that does not say which library it was for cannot be acted on. Anything else passes through unchanged.
 */
export function namingLibrary(err: unknown, describe: string): unknown {
  if (!(err instanceof MpsApiError) || err.message.includes(describe)) return err;
  return err.withMessage(`${describe}: ${err.message}`);
}

/** How to reach a library: its pinned region plus the endpoint inputs. */
export function targetOf(source: {
  region: string;
  endpoint?: string;
  endpointType?: LibraryInputs["endpointType"];
  profile?: string;
}): LibraryTarget {
  return {
    region: source.region,
    endpoint: source.endpoint,
    endpointType: source.endpointType,
    profile: source.profile,
  };
}

/**
 * The state after a create or an adoption: the inputs recorded as given (so later diffs compare against what the
 * user asked for), plus the service's view of the library.
 */
export function initialState(
  inputs: LibraryInputs,
  facts: { fpDbId: string; adopted: boolean; region: string; library?: FpShotDb },
  now: number,
): LibraryState {
  // `fpDbId` and `region` are not recorded as given: the state keeps the actual id and the pinned region.
  const { fpDbId: _fpDbId, region: _region, ...recorded } = inputs;
  const state: LibraryState = {
    ...withoutProviderKey(recorded),
    schemaVersion: SCHEMA_VERSION,
    fpDbId: facts.fpDbId,
    adopted: facts.adopted,
    region: facts.region,
    status: facts.library?.status ?? "offline",
    jobHistory: [],
    jobTagKey: newJobTagKey(),
    recordedAt: new Date(now).toISOString(),
  };
  state.deletion = deletionOf(state);
  return withLibraryFacts(state, facts.library);
}

/** The state with the service's current view of the library. */
export function withLibraryFacts(state: LibraryState, library: FpShotDb | undefined): LibraryState {
  if (!library) return state;
  const next: LibraryState = { ...state, status: library.status, reportedName: library.name };
  if (library.modelId !== undefined) next.reportedModelId = library.modelId;
  else delete next.reportedModelId;
  return next;
}

/**
 * The state after an update: the newly recorded inputs replace the old ones; identity, the service's view, the
 * job records and `recordedAt` (the line that dates unknown jobs, moved only once the update has succeeded, see
 * {@link stamped}) are kept.
 */
export function withRecordedInputs(state: LibraryState, inputs: LibraryInputs): LibraryState {
  const kept: LibraryState = {
    schemaVersion: SCHEMA_VERSION,
    resourceName: inputs.resourceName,
    fpDbId: state.fpDbId,
    adopted: state.adopted,
    region: state.region,
    status: state.status,
    jobHistory: state.jobHistory,
  };
  const source = state as unknown as Record<string, unknown>;
  for (const key of SCHEMA.keptOnUpdate) {
    if (key !== "status" && source[key] !== undefined)
      (kept as unknown as Record<string, unknown>)[key] = source[key];
  }
  if (state.recordedAt !== undefined) kept.recordedAt = state.recordedAt;
  const { fpDbId: _fpDbId, region: _region, ...recorded } = inputs;
  const next: LibraryState = { ...withoutProviderKey(recorded), ...kept };
  next.deletion = deletionOf(next);
  return next;
}

/** The state as written by a create or update that succeeded at `now`. */
export function stamped(state: LibraryState, now: number): LibraryState {
  return { ...state, recordedAt: new Date(now).toISOString() };
}

function withoutProviderKey<T extends object>(value: T): T {
  const copy = { ...value } as Record<string, unknown>;
  delete copy.__provider;
  return copy as T;
}
