import { errors } from "../api-error";
import { sampleMs } from "../durations";
import { newResourceId } from "../ids";
import { libraryStatus } from "../store/model";
import { param, type ActionContext } from "./context";

/** ModelIds the API documents: 11 text, 12 video, 13 audio, 14 image. */
export const MODEL_IDS: readonly number[] = [11, 12, 13, 14];

/**
 * CreateFpShotDB: a new library, `offline` until activateSeconds have passed
 * (docs/mps-api.md, 'CreateFpShotDB').
 */
export function createFpShotDb(ctx: ActionContext): Record<string, unknown> {
  const name = param(ctx, "Name");
  if (name === undefined) throw errors.missingParameter("Name");
  const modelId = parseModelId(param(ctx, "ModelId"));
  const description = param(ctx, "Description");
  const config = param(ctx, "Config");
  if (ctx.store.liveLibraryCount(ctx.accountId) >= ctx.settings.quota)
    throw errors.quotaExceeded(ctx.settings.quota);

  const lib = ctx.store.addLibrary(
    ctx.accountId,
    { fpDbId: newResourceId(), name, description, modelId, config },
    ctx.now,
    sampleMs(ctx.settings.activateSeconds, ctx.durationRandom),
  );
  const body: Record<string, unknown> = { FpDBId: lib.fpDbId, Name: lib.name };
  if (lib.description !== undefined) body.Description = lib.description;
  if (lib.modelId !== undefined) body.ModelId = lib.modelId;
  if (lib.config !== undefined) body.Config = lib.config;
  body.State = libraryStatus(lib, ctx.now);
  return { FpShotDB: body };
}

function parseModelId(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const value = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!MODEL_IDS.includes(value)) {
    throw errors.invalidParameter("ModelId", `"${raw}" is not one of ${MODEL_IDS.join(", ")}`);
  }
  return value;
}
