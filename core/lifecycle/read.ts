import { resolveRegion } from "../config/credentials";
import type { ProviderContext } from "../context";
import { LibraryGoneError } from "../errors";
import { readState } from "../state";
import { SCHEMA_VERSION, type LibraryState } from "../types";
import { openUnnamedCall, type CallOptions } from "./call";
import { namingLibrary, withLibraryFacts } from "./common";

/**
 * Refresh: the library as the service reports it now, or undefined when it is gone (Pulumi then drops the
 * resource). Also serves a lookup by id (`FingerprintLibrary.get(name, id)`, and the plugin's `pulumi import`),
 * whose properties hold no state yet: such a library is treated as adopted and retained. The message for an id
 * the region does not have names neither front end's API, since both send it.
 */
export async function readLibrary(
  ctx: ProviderContext,
  id: string,
  props: Record<string, unknown>,
  options: CallOptions = {},
): Promise<LibraryState | undefined> {
  const getting = props.schemaVersion === undefined && props.fpDbId === undefined;
  const state = getting ? stateForGet(ctx, id, props) : readState(props);
  // About `id`, the library the engine asks for and the lookup below names.
  const call = openUnnamedCall(ctx, state, options).about(id);
  const services = await call.services();
  const library = await services.libraries.lookup([id]).then(
    (found) => found.get(id),
    (err: unknown) => {
      throw namingLibrary(err, call.describe);
    },
  );
  if (!library || library.status === "deleted") {
    // Under the real engine a read that returns no id still succeeds for `get()`, leaving a resource with
    // undefined outputs: a program would go on with a library that does not exist. Say so instead.
    if (getting) {
      throw new LibraryGoneError(
        `Library ${id} (${state.resourceName}) was not found in region ${state.region} (endpoint ` +
          `${services.endpoint}), so it cannot be looked up or imported by that id. Check the id and the region ` +
          "(stack config `alicloud:region`, or `region` in the lookup's state argument), or create the library " +
          "rather than look it up.",
        id,
      );
    }
    return undefined;
  }
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
