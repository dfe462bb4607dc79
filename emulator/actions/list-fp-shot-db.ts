import { errors } from "../api-error";
import { libraryStatus } from "../store/model";
import { idList, nonExistIds, type ActionContext } from "./context";

/** Most ids one ListFpShotDB call takes (docs/mps-api.md, 'ListFpShotDB'). */
export const MAX_LIBRARY_IDS = 10;

/**
 * ListFpShotDB: the account's libraries among `FpDBIds`, in the order asked; ids that are unknown, deleted or
 * another account's are reported in `NonExistIds`. No ids: an empty list (there is no list-all operation).
 */
export function listFpShotDb(ctx: ActionContext): Record<string, unknown> {
  const { ids, given } = idList(ctx, "FpDBIds");
  if (given > MAX_LIBRARY_IDS) {
    throw errors.invalidParameter(
      "FpDBIds",
      `at most ${MAX_LIBRARY_IDS} ids are allowed per call, got ${given}`,
    );
  }
  const found: Record<string, unknown>[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const lib = ctx.store.liveLibrary(ctx.accountId, id);
    if (!lib) {
      missing.push(id);
      continue;
    }
    const item: Record<string, unknown> = { FpDBId: lib.fpDbId, Name: lib.name };
    if (lib.description !== undefined) item.Description = lib.description;
    if (lib.modelId !== undefined) item.ModelId = lib.modelId;
    item.Status = libraryStatus(lib, ctx.now);
    found.push(item);
  }
  return { FpShotDBList: { FpShotDB: found }, ...nonExistIds(missing) };
}
