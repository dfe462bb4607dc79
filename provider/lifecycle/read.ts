import { resolveRegion } from "../config/credentials";
import type { ProviderContext } from "../context";
import { readState } from "../state";
import { SCHEMA_VERSION, type LibraryState } from "../types";
import { describeLibrary, namingLibrary, targetOf, withLibraryFacts } from "./common";

/**
 * Refresh: the library as the service reports it now, or undefined when it is gone (Pulumi then drops the
 * resource). Also serves `FingerprintLibrary.get(name, id)`, whose properties hold no state yet: such a library
 * is treated as adopted and retained.
 */
export async function readLibrary(
  ctx: ProviderContext,
  id: string,
  props: Record<string, unknown>,
): Promise<LibraryState | undefined> {
  const state =
    props.schemaVersion === undefined && props.fpDbId === undefined
      ? stateForGet(ctx, id, props)
      : readState(props);
  const services = await ctx.servicesFor(targetOf(state));
  const library = await services.libraries.lookup([id]).then(
    (found) => found.get(id),
    (err: unknown) => {
      throw namingLibrary(err, describeLibrary(id, state.resourceName));
    },
  );
  if (!library || library.status === "deleted") return undefined;
  return withLibraryFacts(state, library);
}

function stateForGet(ctx: ProviderContext, id: string, props: Record<string, unknown>): LibraryState {
  const str = (key: string) => (typeof props[key] === "string" ? (props[key] as string) : undefined);
  const state: LibraryState = {
    schemaVersion: SCHEMA_VERSION,
    resourceName: str("resourceName") ?? id,
    fpDbId: id,
    adopted: true,
    region: resolveRegion(str("region"), ctx.config, ctx.env),
    status: "offline",
    jobHistory: [],
  };
  const endpoint = str("endpoint");
  if (endpoint) state.endpoint = endpoint;
  const profile = str("profile");
  if (profile) state.profile = profile;
  return state;
}
