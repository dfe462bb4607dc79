/**
 * The diff rules of docs/design.md, 'Inputs', as pure functions. New inputs are compared with the inputs
 * recorded in the state at the last create or update, never with what the service reports, so an adopted
 * library's real name or a changed environment never looks like a change.
 */
import { effectiveDeletionPolicy, isDeleteOnly, refuseDeleteOnlyAdoption } from "./deletion-rules";
import { ConfigError, DeletionProtectedError } from "./errors";
import { describeValue, isUnknown } from "./inputs";
import { isFreeForm, SCHEMA } from "./schema";
import { canonicalJson, joinAnd } from "./values";
import { BEHAVIOUR_INPUTS, CREATE_ONLY_INPUTS, type LibraryInputs, type LibraryState } from "./types";

/** What `diff` tells Pulumi, plus what `update` must do about the purge trigger. */
export interface DiffDecision {
  changes: boolean;
  /** Inputs that force a new library (possibly, when a value is unknown during preview). */
  replaces: string[];
  deleteBeforeReplace: boolean;
  /** `submit`: run a Purge job in the update; `unknown`: the trigger is not known yet (preview). */
  purge: "none" | "submit" | "unknown";
  /** Every input whose value changed (or may change), for messages. */
  changed: string[];
}

const CREATE_ONLY: readonly (keyof LibraryInputs)[] = CREATE_ONLY_INPUTS;

/** Inputs whose change is an in-place update that only records them (the logical name included). */
const MUTABLE: readonly (keyof LibraryInputs)[] = ["resourceName", ...BEHAVIOUR_INPUTS];

/** One replacement cause: which input, and whether it is certain or only possible (an unknown value). */
interface Replacement {
  key: string;
  certain: boolean;
  detail: string;
}

/**
 * Decides what an `up` does to one library. Throws `ConfigError` when the change cannot be made: a certain
 * replacement while `deletionProtection` is on (stored or new) or together with a change to what deletes the old
 * library, or a Purge on an adopted library that the service reports as Delete-only. A replacement caused only by a value unknown during preview is reported but not
 * refused: the update's own diff sees the real value and refuses it then if it is a real change.
 */
export function diffLibrary(
  olds: LibraryState,
  news: LibraryInputs,
  opts: { providerChanged: boolean },
): DiffDecision {
  const replacements: Replacement[] = [];
  const changed = new Set<string>();
  const replace = (key: string, oldValue: unknown, newValue: unknown) => {
    const certain = !isUnknown(newValue);
    replacements.push({ key, certain, detail: changeText(key, oldValue, newValue) });
    changed.add(key);
  };

  const sameLibrary = identityRule(olds, news, replace, changed);
  // Create-only inputs only matter while both sides describe a library this stack creates; when adopting, the
  // fpDbId rule decides (and check refuses create-only inputs next to fpDbId).
  const comparable = sameLibrary && !olds.adopted && news.fpDbId === undefined;
  for (const key of CREATE_ONLY) {
    if (!differs(olds[key], news[key])) continue;
    if (comparable && !(key === "libraryName" && renamedWithDefaultName(olds, news))) {
      replace(key, olds[key], news[key]);
    } else {
      changed.add(key);
    }
  }
  if (news.region !== undefined && (isUnknown(news.region) || news.region !== olds.region)) {
    replace("region", olds.region, news.region);
  }

  let purge = triggerRule(olds.purgeTrigger, news.purgeTrigger);
  if (purge !== "none" || differs(olds.purgeTrigger, news.purgeTrigger)) changed.add("purgeTrigger");
  if (purge !== "none" && news.purgeStrategy === "recreate" && isDeleteOnly(existingModelId(olds))) {
    // A Delete-only library is emptied by replacing it (purgeStrategy "recreate"), not by a Purge job.
    replacements.push({
      key: "purgeTrigger",
      certain: purge === "submit",
      detail: `${changeText("purgeTrigger", olds.purgeTrigger, news.purgeTrigger)} with \`purgeStrategy: "recreate"\``,
    });
    purge = "none";
  }

  for (const key of MUTABLE) if (differs(olds[key], news[key])) changed.add(key);

  if (sameLibrary && olds.adopted) {
    refuseDeleteOnlyAdoption(
      { fpDbId: olds.fpDbId, resourceName: olds.resourceName, modelId: olds.reportedModelId },
      { purge: purge === "submit", deletionPolicy: news.deletionPolicy },
    );
  }
  // A replacement caused only by a value unknown during preview is not refused: the update's diff sees the value.
  const certain = replacements.filter((r) => r.certain);
  if (certain.length > 0) {
    refuseProtectedReplacement(olds, news, certain);
    refuseUnseenDestroySettings(olds, news, certain);
  }

  const replaces = [...new Set(replacements.map((r) => r.key))];
  // A removed purgeTrigger submits nothing, but still counts as a change so the outputs drop the old trigger.
  // A changed serialized provider counts too: the Update stores the new code, which Delete and Read later run.
  return {
    changes: changed.size > 0 || opts.providerChanged,
    replaces,
    deleteBeforeReplace: replaces.length > 0,
    purge: replaces.length > 0 ? "none" : purge,
    changed: [...changed],
  };
}

/**
 * The `fpDbId` rules. Returns true when the new inputs still mean the same library (so create-only inputs and
 * Delete-only facts of the old one apply).
 */
function identityRule(
  olds: LibraryState,
  news: LibraryInputs,
  replace: (key: string, oldValue: unknown, newValue: unknown) => void,
  changed: Set<string>,
): boolean {
  const next = news.fpDbId;
  if (next !== undefined && isUnknown(next)) {
    replace("fpDbId", olds.adopted ? olds.fpDbId : undefined, next);
    return false;
  }
  if (olds.adopted) {
    // Removing fpDbId switches to creating a new library; a different id adopts another one.
    if (next !== olds.fpDbId) {
      replace("fpDbId", olds.fpDbId, next);
      return false;
    }
    return true;
  }
  if (next === undefined) return true;
  if (next === olds.fpDbId) {
    // Naming the library this stack created as if adopting it: the same library, nothing to replace (replacing
    // would delete the very library the new inputs point at).
    changed.add("fpDbId");
    return true;
  }
  replace("fpDbId", undefined, next);
  return false;
}

/**
 * True when `libraryName` only changed because the resource was renamed (an alias) while the name was left to
 * default: the library is the same, and replacing it would delete its fingerprints for a cosmetic change.
 */
function renamedWithDefaultName(olds: LibraryState, news: LibraryInputs): boolean {
  return (
    olds.resourceName !== news.resourceName &&
    olds.libraryName === olds.resourceName &&
    news.libraryName === news.resourceName
  );
}

function triggerRule(oldTrigger: unknown, newTrigger: unknown): DiffDecision["purge"] {
  if (newTrigger === undefined) return "none";
  if (isUnknown(newTrigger)) return "unknown";
  return differs(oldTrigger, newTrigger) ? "submit" : "none";
}

/** The ModelId of the library as it exists: the recorded input for a created one, the service's for an adopted one. */
function existingModelId(olds: LibraryState): number | undefined {
  return olds.adopted ? olds.reportedModelId : (olds.modelId ?? olds.reportedModelId);
}

/** "`a` (x → y), `b` (changed) force a replacement". */
function forcing(certain: Replacement[]): string {
  const causes = certain.map((r) => r.detail).join(", ");
  return `${causes} ${certain.length === 1 ? "forces" : "force"} a replacement`;
}

function refuseProtectedReplacement(olds: LibraryState, news: LibraryInputs, certain: Replacement[]): void {
  if (olds.deletionProtection !== true && news.deletionProtection !== true) return;
  const what =
    `Cannot replace library ${olds.fpDbId} (${olds.resourceName}): ${forcing(certain)}, which deletes the ` +
    "library and its fingerprints";
  // Protection is read from both sides, so switching it off in the same update as the replacing change cannot
  // work: say that it takes an update of its own, which is not what the usual advice says.
  const fix =
    olds.deletionProtection === true && news.deletionProtection !== true
      ? ", and the stored `deletionProtection` is still true: switching it off takes an update of its own. Undo " +
        "the change that forces the replacement, keep `deletionProtection: false`, run `pulumi up`, then make the " +
        "change again."
      : ", and `deletionProtection` is true. To allow it, set `deletionProtection` to false, run `pulumi up`, then " +
        "retry.";
  throw new DeletionProtectedError(what + fix, olds.fpDbId);
}

/**
 * Refuses a certain replacement that changes, in the same update, an input the old library's deletion acts on.
 * The engine deletes the replaced library with the state stored at the last update, so such a change would show
 * in the preview and never reach the old library: a `deletionPolicy: "Retain"` set together with a replacing
 * change would still delete it. `deletionProtection` has its own rule (both sides count). Values unknown during
 * preview are left to the update's own diff, which sees them and refuses then.
 */
function refuseUnseenDestroySettings(olds: LibraryState, news: LibraryInputs, certain: Replacement[]): void {
  const unseen: { key: string; text: string }[] = [];
  for (const key of SCHEMA.destroyUses as (keyof LibraryInputs)[]) {
    if (key === "deletionProtection" || isUnknown(news[key])) continue;
    if (key === "deletionPolicy") {
      // Compared as what happens to the old library: an unset policy means that library's default.
      const stored = effectiveDeletionPolicy(olds);
      const asked = news.deletionPolicy ?? effectiveDeletionPolicy({ adopted: olds.adopted });
      if (stored !== asked) unseen.push({ key, text: `\`deletionPolicy\` (${stored} → ${asked})` });
    } else if (differs(olds[key], news[key])) {
      unseen.push({ key, text: changeText(key, olds[key], news[key]) });
    }
  }
  if (unseen.length === 0) return;
  const names = joinAnd(unseen.map((u) => `\`${u.key}\``));
  throw new ConfigError(
    `Cannot replace library ${olds.fpDbId} (${olds.resourceName}) in this update: ${forcing(certain)}, and the ` +
      `same update changes ${joinAnd(unseen.map((u) => u.text))}. ` +
      "Pulumi deletes the replaced library with the settings stored at the last update, so the new " +
      `${unseen.length === 1 ? "value" : "values"} would not apply to it. Change ${names} in an update of ` +
      "its own first (undo the change that forces the replacement and run `pulumi up`), then make that change " +
      "again.",
  );
}

function differs(a: unknown, b: unknown): boolean {
  if (isUnknown(b)) return true;
  return canonicalJson(a) !== canonicalJson(b);
}

/** "`key` (old → new)"; a free-form input, whose value may be secret, only says how it changed. */
function changeText(key: string, oldValue: unknown, newValue: unknown): string {
  if (isFreeForm(key)) {
    const how =
      oldValue === undefined
        ? "set"
        : newValue === undefined
          ? "removed"
          : isUnknown(newValue)
            ? "may change"
            : "changed";
    return `\`${key}\` (${how})`;
  }
  const show = (v: unknown) => (v === undefined ? "unset" : isUnknown(v) ? "unknown" : describeValue(v));
  return `\`${key}\` (${show(oldValue)} → ${show(newValue)})`;
}
