import { errors } from "../api-error";
import { sampleMs } from "../durations";
import { newResourceId } from "../ids";
import type { EmulatorDelType } from "../types";
import { param, type ActionContext } from "./context";
import { MODEL_IDS } from "./create-fp-shot-db";

/** Most UTF-8 bytes UserData may carry (docs/mps-api.md, 'SubmitFpDBDeleteJob'). */
export const MAX_USER_DATA_BYTES = 128;
const DEL_TYPES: readonly EmulatorDelType[] = ["Purge", "Delete"];

/**
 * SubmitFpDBDeleteJob: queues a Purge (the API default) or Delete job on one of the account's
 * libraries (docs/mps-api.md, 'SubmitFpDBDeleteJob', and its 'Conventions': 404 for an unknown
 * library, Purge refused on ModelId 11-14, one unfinished job per library). A job-fail fault decides
 * here whether the job will end in Fail.
 */
export function submitFpDbDeleteJob(ctx: ActionContext): Record<string, unknown> {
  const fpDbId = param(ctx, "FpDBId");
  if (fpDbId === undefined) throw errors.missingParameter("FpDBId");
  const delType = (param(ctx, "DelType") ?? "Purge") as EmulatorDelType;
  if (!DEL_TYPES.includes(delType)) {
    throw errors.invalidParameter("DelType", `"${delType}" is not one of ${DEL_TYPES.join(", ")}`);
  }
  const pipelineId = param(ctx, "PipelineId");
  const userData = param(ctx, "UserData");
  if (userData !== undefined && Buffer.byteLength(userData, "utf8") > MAX_USER_DATA_BYTES) {
    throw errors.invalidParameter(
      "UserData",
      `${Buffer.byteLength(userData, "utf8")} UTF-8 bytes exceed the limit of ${MAX_USER_DATA_BYTES}`,
    );
  }
  const lib = ctx.store.liveLibrary(ctx.accountId, fpDbId);
  if (!lib) throw errors.libraryNotFound(fpDbId);
  if (delType === "Purge" && lib.modelId !== undefined && MODEL_IDS.includes(lib.modelId)) {
    throw errors.purgeNotSupported(fpDbId, lib.modelId);
  }
  if (ctx.store.unfinishedJob(lib, ctx.now)) throw errors.unfinishedJob(fpDbId);

  const job = ctx.store.addJob(
    lib,
    {
      jobId: newResourceId(),
      delType,
      pipelineId,
      userData,
      durationMs: sampleMs(
        (delType === "Purge" ? ctx.settings.purgeSeconds : ctx.settings.deleteSeconds) ??
          ctx.settings.jobSeconds,
        ctx.durationRandom,
      ),
      failure: ctx.faults.jobFailure(fpDbId, delType),
      requestId: ctx.requestId,
    },
    ctx.now,
  );
  return { JobId: job.jobId };
}
