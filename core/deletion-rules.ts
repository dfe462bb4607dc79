/**
 * What deleting and emptying a library may do, read by diff (refusals before an update), by state (the deletion
 * record written with every state), by create (refusals at adoption) and by delete. These are destroy and
 * adoption rules, not diff rules: they live apart so that state and the lifecycle do not depend on the diff.
 */
import { ConfigError } from "./errors";
import { DOCUMENTED_MODEL_IDS, type DeletionPolicy } from "./schema";

/** True for libraries that accept only Delete jobs: every documented ModelId (11-14). */
export function isDeleteOnly(modelId: number | undefined): boolean {
  return modelId !== undefined && DOCUMENTED_MODEL_IDS.includes(modelId);
}

/** The deletion policy in force: the input, else Delete for a created library and Retain for an adopted one. */
export function effectiveDeletionPolicy(s: {
  adopted: boolean;
  deletionPolicy?: DeletionPolicy;
}): DeletionPolicy {
  return s.deletionPolicy ?? (s.adopted ? "Retain" : "Delete");
}

/**
 * Refuses a Purge (trigger or deletion policy) on an adopted library that MPS reports as Delete-only: at adoption
 * (create) with the ModelId just looked up, and in every later diff with the one recorded then.
 */
export function refuseDeleteOnlyAdoption(
  library: { fpDbId: string; resourceName: string; modelId: number | undefined },
  asks: { purge: boolean; deletionPolicy?: DeletionPolicy },
): void {
  if (!isDeleteOnly(library.modelId)) return;
  const problems: string[] = [];
  if (asks.purge) problems.push("`purgeTrigger` cannot empty it (a Purge job would be refused)");
  if (asks.deletionPolicy === "Purge") problems.push('`deletionPolicy` "Purge" cannot work on it');
  if (problems.length === 0) return;
  throw new ConfigError(
    `Library ${library.fpDbId} (${library.resourceName}) is adopted and MPS reports ModelId ${library.modelId} ` +
      `for it, so it accepts only Delete jobs: ${problems.join("; ")}. Remove \`purgeTrigger\` and use ` +
      '`deletionPolicy` "Retain" (the default for adopted libraries) or "Delete".',
  );
}
