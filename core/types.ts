/**
 * Plain (resolved) shapes of the FingerprintLibrary inputs and outputs, as the provider sees them. The
 * `pulumi.Input` flavoured args for programs live in resource.ts.
 */
import type { EndpointType } from "./config/endpoint";
import { INPUTS, OUTPUTS, SCHEMA, type DeletionPolicy, type PurgeStrategy, type SameKeys } from "./schema";

// Each vocabulary is declared once, as a list with its type derived from it, in the lowest module that needs it;
// re-exported here so the resource's types can be named from one module.
export type { DeletionPolicy, EndpointType, PurgeStrategy };
export { DOCUMENTED_MODEL_IDS } from "./schema";

/** Inputs as the provider receives them after `check` (defaults that depend on nothing else filled in). */
export interface LibraryInputs {
  /** Logical Pulumi name, passed by the resource class so every log line can name the resource. */
  resourceName: string;
  fpDbId?: string;
  libraryName?: string;
  modelId?: number;
  description?: string;
  config?: string;
  region?: string;
  purgeTrigger?: unknown;
  purgeStrategy?: PurgeStrategy;
  deletionPolicy?: DeletionPolicy;
  deletionProtection?: boolean;
  pipelineId?: string;
  userData?: string;
  waitForCompletion?: boolean;
  jobTimeoutSeconds?: number;
  pollIntervalSeconds?: number;
  endpoint?: string;
  endpointType?: EndpointType;
  profile?: string;
}

type InputName = keyof LibraryInputs;

/** Inputs MPS cannot change in place (there is no update API): a change needs a new library. */
export const CREATE_ONLY_INPUTS = SCHEMA.createOnly as readonly InputName[];

/** Inputs that only change what the provider does; an update just records them. */
export const BEHAVIOUR_INPUTS = SCHEMA.behaviour as readonly InputName[];

/**
 * Inputs the state records under their own names (`fpDbId` and `region` are kept as the actual id and the
 * pinned region instead, and `resourceName` always).
 */
export const RECORDED_INPUTS = SCHEMA.recorded as readonly InputName[];

// The typed shapes below must name exactly the schema's properties: a property added to one and not the other
// fails to compile here.
const inputsMatchSchema: SameKeys<Omit<LibraryInputs, "resourceName">, typeof INPUTS> = true;
const outputsMatchSchema: SameKeys<
  Omit<LibraryState, keyof LibraryInputs | "resourceName">,
  Omit<typeof OUTPUTS, "fpDbId" | "region">
> = true;
void inputsMatchSchema;
void outputsMatchSchema;

/** One Purge or Delete job this resource submitted or resumed and that succeeded. */
export interface JobRecord {
  jobId: string;
  delType: string;
  status: string;
  submittedAt: string;
  finishedAt?: string;
}

/**
 * Outputs layout version. Every release reads every older version (see state.ts).
 * 1: the first layout. 2: adds `deletion` (what destroy will do, always written) and `recordedAt`. 3: adds
 * `jobTagKey` (a secret output).
 */
export const SCHEMA_VERSION = 3;

/** What destroy does with the library, as decided when the state was written (schema 2 and later). */
export interface DeletionRecord {
  policy: DeletionPolicy;
  protection: boolean;
}

/** Most entries kept in `jobHistory`. */
export const JOB_HISTORY_LIMIT = 10;

/**
 * Outputs (the resource's state). The recorded inputs (those of the last create or update) sit at the top level
 * under their input names, so `diff` compares against what the user asked for, never against what the service
 * reports; the service's view is kept apart (`status`, `reportedName`, `reportedModelId`).
 */
export interface LibraryState extends Omit<LibraryInputs, "fpDbId" | "region"> {
  schemaVersion: number;
  /** The library id; also the resource id. */
  fpDbId: string;
  /** True when the stack adopted an existing library (`fpDbId` input) rather than creating it. */
  adopted: boolean;
  /** Region resolved at create and pinned for the library's life. */
  region: string;
  status: string;
  reportedName?: string;
  reportedModelId?: number;
  purgeJobId?: string;
  purgeJobStatus?: string;
  purgeRequestId?: string;
  purgedAt?: string;
  jobHistory: JobRecord[];
  /**
   * Key of the tag this resource's jobs carry in `UserData` when `userData` is unset (jobs/job-tag.ts); schema 3
   * and later. Random, made at create (or at the first job of older state), and kept for the resource's life.
   */
  jobTagKey?: string;
  /**
   * The deletion policy and protection in force, written with every state (schema 2) besides the recorded inputs,
   * whose absence means "not set". Destroy receives only the state: this is what lets it tell a removed
   * `deletionPolicy: "Retain"` or `deletionProtection: true` (a damaged state, refused) from one never set.
   */
  deletion?: DeletionRecord;
  /** When this state was written (provider clock, ISO 8601 with milliseconds); dates the jobs it does not know. */
  recordedAt?: string;
}
