import type { ProviderContext } from "../context";
import { effectiveDeletionPolicy, isDeleteOnly } from "../deletion-rules";
import { ConfigError, DeletionProtectedError, JobFailedError } from "../errors";
import { waitBounds, type WaitTiming } from "../jobs/poll";
import { libraryIsGone } from "../jobs/resume";
import type { LibraryState } from "../types";
import { openCall, type CallOptions, type LibraryCall } from "./call";
import { namingLibrary } from "./common";
import { purgeLibrary, runJob, tagKeyOf, type JobRun } from "./purge";

/**
 * Destroy (and the old side of a replacement). Protection fails first, before any API call; then the deletion
 * policy decides: Retain forgets, Purge purges and forgets, Delete submits exactly one Delete job (resuming one
 * already under way), always waits for it, and confirms the library is gone. Throwing keeps the resource in state.
 */
export async function deleteLibrary(
  ctx: ProviderContext,
  state: LibraryState,
  options: CallOptions = {},
): Promise<void> {
  const call = openCall(ctx, state, options);
  const { describe } = call;
  if (state.deletionProtection === true) {
    throw new DeletionProtectedError(
      `${describe} has \`deletionProtection\` enabled, so it was not deleted. To delete it, set ` +
        "`deletionProtection: false`, run `pulumi up`, then retry.",
      state.fpDbId,
    );
  }
  const policy = effectiveDeletionPolicy(state);
  switch (policy) {
    case "Retain":
      call.log.info(
        `Retained ${describe}: deletionPolicy is Retain${state.adopted && state.deletionPolicy === undefined ? " (the default for adopted libraries)" : ""}; ` +
          "the library is removed from the stack and kept in MPS",
      );
      return;
    case "Purge":
      if (isDeleteOnly(state.reportedModelId ?? state.modelId)) {
        throw new ConfigError(
          `${describe} has a ModelId that only accepts Delete jobs, so \`deletionPolicy: "Purge"\` cannot work. ` +
            'Set `deletionPolicy` to "Delete" or "Retain", run `pulumi up`, then retry.',
        );
      }
      await purgeLibrary(call, state, { wait: true, rerun: "pulumi destroy", purpose: "destroy" });
      call.log.info(
        `Purged ${describe} and removed it from the stack (deletionPolicy Purge); the library is kept`,
      );
      return;
    case "Delete":
      return deleteForReal(call, state);
  }
}

async function deleteForReal(call: LibraryCall, state: LibraryState): Promise<void> {
  const { describe } = call;
  const services = await call.services();
  // No "already gone?" lookup before the submit: it would cost a ListFpShotDB call on every destroy to save one
  // on the rare destroy of a library that is gone. Resume-or-submit finds that out instead, from a finished
  // Delete job in the newest jobs or from the submit's refusal, and always confirms it through ListFpShotDB.
  const isGone = (): Promise<boolean> =>
    libraryIsGone(services, state.fpDbId).catch((err: unknown) => {
      throw namingLibrary(err, describe);
    });
  let run: JobRun | undefined;
  try {
    run = await runJob(call, state, "Delete", {
      wait: true,
      rerun: "pulumi destroy",
      purpose: "destroy",
      tagKey: tagKeyOf(state),
    });
  } catch (err) {
    // Without a look before the submit, a library MPS still lists as `deleted` may get a Delete job; should that
    // job fail, the library is gone all the same, and failing would fail every re-run the same way.
    if (err instanceof JobFailedError && (await isGone())) {
      call.log.warn(
        `${describe} is gone (ListFpShotDB reports it deleted), although its Delete job ${err.jobId} failed; ` +
          "nothing is left to delete, so the destroy succeeds",
      );
      return;
    }
    throw err;
  }
  if (!run) {
    call.log.info(`${describe} is already gone; nothing to delete`);
    return;
  }
  // A successful Delete job is confirmed through ListFpShotDB before the resource leaves the state. The library
  // is normally gone the moment its job succeeds, so look once before settling into a poll schedule.
  if (!(await isGone())) {
    await services.libraries.waitFor(state.fpDbId, (lib) => !lib || lib.status === "deleted", {
      ...confirmationTiming(call.timing),
      describe,
    });
  }
  call.log.info(`Deleted ${describe}: Delete job ${run.jobId} succeeded`);
}

/**
 * The confirmation's poll interval (its first look's delay and the shortest gap) is at most this. A library is
 * normally listed as gone the moment its Delete job succeeds, so when the first look still lists it, it is a
 * matter of moments: a stack's longer `pollIntervalSeconds`, sized for jobs that take minutes, would hold every
 * such destroy up by a whole interval.
 */
export const CONFIRMATION_INTERVAL_MAX_MS = 1000;

/** The wait for a deleted library to be listed as gone: the call's bounds, with the interval at most 1 s. */
function confirmationTiming(timing: WaitTiming): WaitTiming {
  return {
    ...timing,
    intervalMs: Math.min(timing.intervalMs, CONFIRMATION_INTERVAL_MAX_MS),
    // The cap the call's other waits have (never below the call's interval), not one lowered with the interval.
    maxIntervalMs: waitBounds(timing).capMs,
  };
}
