import { toOutputs } from "../state";
import type { LibraryState } from "../types";

/**
 * Thrown when a library exists but the operation could not finish. Pulumi's provider host turns an error with
 * `id` and `properties` into ErrorResourceInitFailed, so the engine records the library in state (and a later
 * destroy removes it) instead of leaking it. `properties` must hold no `undefined` anywhere (the host would never
 * answer) and must carry `__provider`, which the provider adds before rethrowing.
 */
export class ResourceInitFailure extends Error {
  readonly id: string;
  properties: Record<string, unknown>;
  readonly reasons: string[];

  constructor(message: string, state: LibraryState) {
    super(message);
    this.name = "ResourceInitFailure";
    this.id = state.fpDbId;
    this.properties = toOutputs(state);
    this.reasons = [message];
  }
}
