import type { ProviderContext } from "../context";
import type { DiffDecision } from "../diff";
import type { LibraryInputs, LibraryState } from "../types";
import { openCall, type CallOptions, type LibraryCall } from "./call";
import { namingLibrary, stamped, withLibraryFacts, withRecordedInputs } from "./common";
import { waitUntilActive } from "./create";
import { purgeLibrary } from "./purge";

/**
 * An in-place update: records the new inputs and, when the purge trigger was set or changed, runs a Purge job. A
 * failed purge throws a plain error, so Pulumi keeps the old state (and the old trigger) and the next `up`
 * retries; resume-or-submit then picks up a job that is still running instead of submitting another.
 *
 * A library that was not `active` at the last run (a create that gave up waiting, which Pulumi records with init
 * errors and updates on the next `up` even when nothing changed) is waited for again first.
 */
export async function updateLibrary(
  ctx: ProviderContext,
  olds: LibraryState,
  news: LibraryInputs,
  decision: DiffDecision,
  options: CallOptions = {},
): Promise<LibraryState> {
  let state = withRecordedInputs(olds, news);
  // Made from the new inputs: the endpoint, identity and wait bounds this update asks for.
  const call = openCall(ctx, state, options);
  if (state.status === "offline" && state.waitForCompletion !== false) {
    call.log.info(
      `${call.describe} is offline; waiting for it to become active (it was not active at the end of the last run)`,
    );
    state = await waitUntilActive(call, state);
  }
  if (decision.purge === "submit") {
    const waiting = state.waitForCompletion !== false;
    const purged = await purgeLibrary(call, state, {
      wait: waiting,
      purpose: { trigger: state.purgeTrigger },
    });
    // Without the wait nothing else looked at the library in this update: refresh its status too.
    return stamped(waiting ? purged : await withCurrentFacts(call, purged), call.clock.now());
  }
  return stamped(await withCurrentFacts(call, state), call.clock.now());
}

/** The state with the library as ListFpShotDB reports it now. */
async function withCurrentFacts(call: LibraryCall, state: LibraryState): Promise<LibraryState> {
  const services = await call.services();
  const library = await services.libraries.lookup([state.fpDbId]).then(
    (found) => found.get(state.fpDbId),
    (err: unknown) => {
      throw namingLibrary(err, call.describe);
    },
  );
  return withLibraryFacts(state, library);
}
