import * as pulumi from "@pulumi/pulumi";
import { INPUTS, SCHEMA, type SameKeys } from "../core/schema";
import { shimProvider } from "./shim";
import type { DeletionPolicy, EndpointType, JobRecord, PurgeStrategy } from "../core/types";

/** Inputs of a {@link FingerprintLibrary}. See the README's input reference for the full rules. */
export interface FingerprintLibraryArgs {
  /** Adopt this existing library instead of creating one. A different id replaces the resource. */
  fpDbId?: pulumi.Input<string>;
  /** Library name when creating (create-only). Defaults to the resource's logical name. */
  libraryName?: pulumi.Input<string>;
  /**
   * 11 text, 12 video, 13 audio, 14 image (create-only). Every documented ModelId makes the library Delete-only:
   * Purge works only on libraries created without a ModelId.
   */
  modelId?: pulumi.Input<number>;
  /** Library description (create-only). */
  description?: pulumi.Input<string>;
  /** Custom configuration as JSON text (create-only). */
  config?: pulumi.Input<string>;
  /** Region; defaults to stack config `alicloud:region` or the environment. Resolved once at create and pinned. */
  region?: pulumi.Input<string>;
  /**
   * Any JSON value. Setting or changing it submits a Purge job (an in-place update); removing it does not. Not
   * used on create. Compared as canonical JSON.
   */
  purgeTrigger?: pulumi.Input<unknown>;
  /**
   * `"purge"` (default) submits a Purge job; `"recreate"` empties a Delete-only library by replacing it (Delete
   * job, then a new library with a new id).
   */
  purgeStrategy?: pulumi.Input<PurgeStrategy>;
  /**
   * What destroy (and the old side of a replacement) does: `"Delete"` submits a Delete job, `"Purge"` purges and
   * forgets, `"Retain"` forgets. Defaults to Delete for created libraries and Retain for adopted ones.
   */
  deletionPolicy?: pulumi.Input<DeletionPolicy>;
  /** When true, destroy and replacement fail before any API call. */
  deletionProtection?: pulumi.Input<boolean>;
  /** MPS pipeline passed to every job; MPS sends job notifications through it. */
  pipelineId?: pulumi.Input<string>;
  /** Passed to every job; at most 128 UTF-8 bytes. */
  userData?: pulumi.Input<string>;
  /** Create waits for `active`, a purge for `Success` (default true). Destroy always waits. */
  waitForCompletion?: pulumi.Input<boolean>;
  /** Bound on one wait, in seconds (default 1800). Pulumi's customTimeouts do not reach dynamic providers. */
  jobTimeoutSeconds?: pulumi.Input<number>;
  /**
   * Seconds before a wait's first look, and the shortest gap between two looks (default 1). Later looks follow
   * the time already waited (about a tenth of it), up to the `maxPollIntervalMs` setting.
   */
  pollIntervalSeconds?: pulumi.Input<number>;
  /** MPS endpoint; defaults to `mts.<region>.aliyuncs.com`. `http://` only for loopback hosts. */
  endpoint?: pulumi.Input<string>;
  /** `"public"` (default) or `"vpc"` (`mts-vpc.<region>.aliyuncs.com`). */
  endpointType?: pulumi.Input<EndpointType>;
  /** A named credentials profile for this resource (not a secret). */
  profile?: pulumi.Input<string>;
}

// Output-only properties must be present (as undefined) when the resource registers, or Pulumi does not
// create Output objects for them.
const OUTPUT_ONLY_PROPERTIES = SCHEMA.outputOnly;

// The documented args must name exactly the schema's inputs: one added to either alone fails to compile here.
const argsMatchSchema: SameKeys<FingerprintLibraryArgs, typeof INPUTS> = true;
void argsMatchSchema;

/**
 * An Alibaba Cloud MPS media fingerprint (DNA) library, created by the stack or adopted by id. Changing
 * `purgeTrigger` empties it with a Purge job; destroying it submits a Delete job and waits until the library is
 * gone. Every JobId is recorded in outputs or logs.
 */
export class FingerprintLibrary extends pulumi.dynamic.Resource {
  /** The library id (FpDBId); also the resource id. */
  declare readonly fpDbId: pulumi.Output<string>;
  /** True when the stack adopted an existing library rather than creating it. */
  declare readonly adopted: pulumi.Output<boolean>;
  /** The region the library lives in, pinned at create. */
  declare readonly region: pulumi.Output<string>;
  /** Library status as the service reports it: `offline`, `active`, `paused` or `deleted`. */
  declare readonly status: pulumi.Output<string>;
  /** The library name as the service reports it (differs from `libraryName` for adopted libraries). */
  declare readonly reportedName: pulumi.Output<string | undefined>;
  /** The ModelId as the service reports it, if any. */
  declare readonly reportedModelId: pulumi.Output<number | undefined>;
  /** The library name this stack asked for (recorded input). */
  declare readonly libraryName: pulumi.Output<string | undefined>;
  /** The ModelId this stack asked for (recorded input). */
  declare readonly modelId: pulumi.Output<number | undefined>;
  /** The recorded purge trigger. */
  declare readonly purgeTrigger: pulumi.Output<unknown>;
  /** JobId of the latest Purge job. */
  declare readonly purgeJobId: pulumi.Output<string | undefined>;
  /** Last status seen for the latest Purge job. */
  declare readonly purgeJobStatus: pulumi.Output<string | undefined>;
  /** RequestId of the latest Purge submit (absent when an unfinished job was resumed). */
  declare readonly purgeRequestId: pulumi.Output<string | undefined>;
  /** FinishTime of the latest Purge job. */
  declare readonly purgedAt: pulumi.Output<string | undefined>;
  /** The last 10 jobs this resource submitted or resumed that succeeded. */
  declare readonly jobHistory: pulumi.Output<JobRecord[]>;
  /** Layout version of these outputs. */
  declare readonly schemaVersion: pulumi.Output<number>;

  /**
   * @param name The logical name; also the library name when creating without `libraryName`.
   * @param args Inputs; see {@link FingerprintLibraryArgs}.
   * @param opts Resource options. `import` does not work with dynamic providers: adopt with `fpDbId` instead.
   */
  constructor(name: string, args: FingerprintLibraryArgs = {}, opts?: pulumi.CustomResourceOptions) {
    const props: Record<string, unknown> = { ...args, resourceName: name };
    for (const key of OUTPUT_ONLY_PROPERTIES) props[key] = undefined;
    if (!("fpDbId" in args)) props.fpDbId = undefined;
    if (!("region" in args)) props.region = undefined;
    const secrets = [...(opts?.additionalSecretOutputs ?? []), ...SCHEMA.secretOutputs];
    super(
      shimProvider,
      name,
      props,
      { ...opts, additionalSecretOutputs: secrets },
      "mps",
      "FingerprintLibrary",
    );
  }

  /**
   * Looks up an existing library by id without managing it (a Read; Pulumi never deletes such a resource).
   */
  static get(
    name: string,
    id: pulumi.Input<string>,
    opts?: pulumi.CustomResourceOptions,
  ): FingerprintLibrary {
    return new FingerprintLibrary(name, {}, { ...opts, id });
  }
}
