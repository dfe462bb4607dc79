import type { ProviderContext } from "../context";
import type { DiffDecision } from "../diff";
import type { LibraryInputs, LibraryState } from "../types";
import { describeLibrary, namingLibrary, targetOf, withLibraryFacts, withRecordedInputs } from "./common";
import { purgeLibrary } from "./purge";

/**
 * An in-place update: records the new inputs and, when the purge trigger was set or changed, runs a Purge job. A
 * failed purge throws a plain error, so Pulumi keeps the old state (and the old trigger) and the next `up`
 * retries; resume-or-submit then picks up a job that is still running instead of submitting another.
 */
export async function updateLibrary(
  ctx: ProviderContext,
  olds: LibraryState,
  news: LibraryInputs,
  decision: DiffDecision,
): Promise<LibraryState> {
  let state = withRecordedInputs(olds, news);
  if (decision.purge === "submit") {
    return purgeLibrary(ctx, state, { wait: state.waitForCompletion !== false });
  }
  const services = await ctx.servicesFor(targetOf(state));
  const library = await services.libraries.lookup([state.fpDbId]).then(
    (found) => found.get(state.fpDbId),
    (err: unknown) => {
      throw namingLibrary(err, describeLibrary(state.fpDbId, state.resourceName));
    },
  );
  state = withLibraryFacts(state, library);
  return state;
}
