import type { FpShotDb } from "../client/types";
import { resolveRegion } from "../config/credentials";
import { misspeltRegionText, regionFinding, unlistedRegionText } from "../config/regions";
import type { ProviderContext } from "../context";
import { refuseDeleteOnlyAdoption } from "../deletion-rules";
import {
  ConfigError,
  LibraryGoneError,
  MpsApiError,
  UnknownOutcomeCreateError,
  WaitTimeoutError,
} from "../errors";
import { formatDuration, timeoutAdvice } from "../jobs/poll";
import type { LibraryInputs, LibraryState } from "../types";
import { openUnnamedCall, type CallOptions, type LibraryCall, type UnnamedCall } from "./call";
import { initialState, withLibraryFacts } from "./common";
import { ResourceInitFailure } from "./init-failure";
import { clauseOf } from "../text";

/**
 * Creates a library, or adopts the one named by `fpDbId`, and waits for it to be `active` when asked. Once a
 * library exists, every failure is thrown as a {@link ResourceInitFailure} carrying its id, so Pulumi records it
 * and a later destroy can remove it: nothing is leaked.
 */
export async function createOrAdopt(
  ctx: ProviderContext,
  inputs: LibraryInputs,
  options: CallOptions = {},
): Promise<LibraryState> {
  const region = resolveRegion(inputs.region, ctx.config, ctx.env);
  const opened = openUnnamedCall(ctx, { ...inputs, region }, options);
  // A `region` input was already checked by `check`; one from stack config or the environment is checked here,
  // before the library is created and the region pinned in state for its life.
  if (inputs.region === undefined) checkConfiguredRegion(opened, region);
  const services = await opened.services();

  if (inputs.fpDbId !== undefined) {
    const library = (await services.libraries.lookup([inputs.fpDbId])).get(inputs.fpDbId);
    if (!library || library.status === "deleted") {
      throw new ConfigError(
        `library ${inputs.fpDbId} not found in region ${region} (endpoint ${services.endpoint}). Check \`fpDbId\` ` +
          `and \`region\`, or remove \`fpDbId\` to create a new library.`,
      );
    }
    refuseDeleteOnlyAdoption(
      { fpDbId: library.fpDbId, resourceName: inputs.resourceName, modelId: library.modelId },
      { purge: inputs.purgeTrigger !== undefined, deletionPolicy: inputs.deletionPolicy },
    );
    const call = opened.about(library.fpDbId);
    call.log.info(`Adopted ${call.describe}: ${library.status}`);
    const state = initialState(
      inputs,
      { fpDbId: library.fpDbId, adopted: true, region, library },
      call.clock.now(),
    );
    return waitUntilActive(call, state);
  }

  const name = inputs.libraryName ?? inputs.resourceName;
  // Said before the call: if the run dies before MPS answers, the library may exist with an id nobody learned
  // (CreateFpShotDB has no idempotency token and MPS no lookup by name), and this line is what names it.
  opened.log.info(
    `Creating library "${name}" (${inputs.resourceName}) in region ${region}; if this run stops before MPS ` +
      "answers, look for a library of that name in the MPS console",
  );
  let created: FpShotDb;
  try {
    ({ library: created } = await services.api.createFpShotDb({
      name,
      modelId: inputs.modelId,
      description: inputs.description,
      config: inputs.config,
    }));
  } catch (err) {
    if (err instanceof MpsApiError && err.kind === "ambiguous") {
      // MPS has no idempotency token and no way to list libraries by name, so a lost answer cannot be resolved.
      throw new UnknownOutcomeCreateError(
        `CreateFpShotDB for \`${inputs.resourceName}\` had an unknown outcome (${err.code}): a library named ` +
          `"${name}" may have been created in region ${region}. Look for it in the MPS console; if it exists, ` +
          `adopt it by setting \`fpDbId\` (or delete it there), then run \`pulumi up\` again.`,
        name,
        { cause: err },
      );
    }
    throw err;
  }
  const call = opened.about(created.fpDbId);
  call.log.info(`Created ${call.describe}: ${created.status}`);
  const state = initialState(
    inputs,
    { fpDbId: created.fpDbId, adopted: false, region, library: created },
    call.clock.now(),
  );
  return waitUntilActive(call, state);
}

/**
 * Waits until a library is `active` (unless `waitForCompletion` is false). A library that does not get there is
 * thrown as a {@link ResourceInitFailure}, so Pulumi keeps it in the stack and the next `up` waits again.
 */
export async function waitUntilActive(call: LibraryCall, state: LibraryState): Promise<LibraryState> {
  if (state.waitForCompletion === false || state.status === "active") return state;
  const { describe } = call;
  // Read once: the timeout left of the call's deadline when this wait begins, and what set it.
  const timing = call.timing;
  const wait = call.progress.begin({
    kind: "Create",
    fpDbId: state.fpDbId,
    resourceName: state.resourceName,
  });
  try {
    const services = await call.services();
    const library = await services.libraries.waitFor(
      state.fpDbId,
      (lib) => !lib || lib.status !== "offline",
      {
        ...timing,
        describe,
        onPoll: (status) => wait.update(status),
      },
    );
    if (!library || library.status === "deleted") {
      throw new LibraryGoneError(
        `${describe} disappeared while waiting for it to become active`,
        state.fpDbId,
      );
    }
    wait.end(true);
    return withLibraryFacts(state, library);
  } catch (err) {
    wait.end(false);
    const source = timing.timeoutSource ?? "jobTimeoutSeconds";
    const why =
      err instanceof WaitTimeoutError
        ? `is still ${err.lastStatus} after ${formatDuration(err.waitedMs)} (${source})`
        : `did not become active: ${clauseOf(err)}`;
    throw new ResourceInitFailure(
      `${describe} was created but ${why}. It is recorded in the stack: run \`pulumi up\` again to keep ` +
        `waiting (${timeoutAdvice(timing)} for a longer wait), or \`pulumi destroy\` to remove it.`,
      state,
    );
  }
}

function checkConfiguredRegion(call: UnnamedCall, region: string): void {
  const { resourceName } = call;
  const finding = regionFinding(region);
  if (!finding) return;
  const source =
    "The region from stack config or the environment (`alicloud:region`, ALIBABA_CLOUD_REGION or ALICLOUD_REGION)";
  if (finding.kind === "misspelt") {
    throw new ConfigError(
      `${misspeltRegionText(source, region, finding.suggestion)} Nothing was created for \`${resourceName}\`. ` +
        "Fix the setting, or set the `region` input.",
    );
  }
  call.log.warn(`${resourceName}: ${unlistedRegionText(source, region, finding)}`);
}
