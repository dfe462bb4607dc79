import type { ProviderContext } from "../context";
import { effectiveDeletionPolicy, isDeleteOnly } from "../deletion-rules";
import { ConfigError, DeletionProtectedError, JobFailedError } from "../errors";
import { libraryIsGone } from "../jobs/resume";
import type { LibraryState } from "../types";
import { describeLibrary, namingLibrary, targetOf } from "./common";
import { purgeLibrary, runJob, tagKeyOf, type JobRun } from "./purge";

/**
 * Destroy (and the old side of a replacement). Protection fails first, before any API call; then the deletion
 * policy decides: Retain forgets, Purge purges and forgets, Delete submits exactly one Delete job (resuming one
 * already under way), always waits for it, and confirms the library is gone. Throwing keeps the resource in state.
 */
export async function deleteLibrary(ctx: ProviderContext, state: LibraryState): Promise<void> {
  const describe = describeLibrary(state.fpDbId, state.resourceName);
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
      ctx.log.info(
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
      await purgeLibrary(ctx, state, { wait: true, rerun: "pulumi destroy", purpose: "destroy" });
      ctx.log.info(
        `Purged ${describe} and removed it from the stack (deletionPolicy Purge); the library is kept`,
      );
      return;
    case "Delete":
      return deleteForReal(ctx, state);
  }
}

async function deleteForReal(ctx: ProviderContext, state: LibraryState): Promise<void> {
  const describe = describeLibrary(state.fpDbId, state.resourceName);
  const services = await ctx.servicesFor(targetOf(state));
  // No "already gone?" lookup before the submit: it would cost a ListFpShotDB call on every destroy to save one
  // on the rare destroy of a library that is gone. Resume-or-submit finds that out instead, from a finished
  // Delete job in the newest jobs or from the submit's refusal, and always confirms it through ListFpShotDB.
  const isGone = (): Promise<boolean> =>
    libraryIsGone(services, state.fpDbId).catch((err: unknown) => {
      throw namingLibrary(err, describe);
    });
  let run: JobRun | undefined;
  try {
    run = await runJob(ctx, services, state, "Delete", {
      wait: true,
      rerun: "pulumi destroy",
      purpose: "destroy",
      tagKey: tagKeyOf(state),
    });
  } catch (err) {
    // Without a look before the submit, a library MPS still lists as `deleted` may get a Delete job; should that
    // job fail, the library is gone all the same, and failing would fail every re-run the same way.
    if (err instanceof JobFailedError && (await isGone())) {
      ctx.log.warn(
        `${describe} is gone (ListFpShotDB reports it deleted), although its Delete job ${err.jobId} failed; ` +
          "nothing is left to delete, so the destroy succeeds",
      );
      return;
    }
    throw err;
  }
  if (!run) {
    ctx.log.info(`${describe} is already gone; nothing to delete`);
    return;
  }
  // A successful Delete job is confirmed through ListFpShotDB before the resource leaves the state. The library
  // is normally gone the moment its job succeeds, so look once before settling into a poll schedule.
  if (!(await isGone())) {
    const timing = ctx.waitTiming(state);
    await services.libraries.waitFor(state.fpDbId, (lib) => !lib || lib.status === "deleted", {
      ...timing,
      intervalMs: Math.min(timing.intervalMs, 1000),
      describe,
    });
  }
  ctx.log.info(`Deleted ${describe}: Delete job ${run.jobId} succeeded`);
}
