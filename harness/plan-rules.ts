/**
 * Pure rules the engine applies between Check and the mutating call: ignoreChanges, the input comparison behind
 * DIFF_UNKNOWN, replaceOnChanges and the replacement order.
 */
import type { DiffResult } from "./host-client";
import { canonicalJson, type Props } from "./wire";

/** What a registration of an existing resource turns into. */
export interface StepDecision {
  kind: "same" | "update" | "replace";
  replaces: string[];
  deleteBeforeReplace: boolean;
}

/**
 * Keeps the old value (or absence) of every ignored property. Paths are reduced to their top-level key: the
 * harness does not edit nested values.
 */
export function applyIgnoreChanges(news: Props, olds: Props, ignoreChanges: readonly string[]): Props {
  const out: Props = { ...news };
  for (const p of ignoreChanges) {
    const key = topLevelKey(p);
    if (key in olds) out[key] = olds[key];
    else delete out[key];
  }
  return out;
}

/** Top-level keys whose values differ (canonical JSON), sorted. */
export function changedKeys(olds: Props, news: Props): string[] {
  const keys = new Set([...Object.keys(olds), ...Object.keys(news)]);
  return [...keys].filter((k) => canonicalJson(olds[k]) !== canonicalJson(news[k])).sort();
}

/**
 * Decides same / update / replace like the engine's diffResource and applyReplaceOnChanges: DIFF_UNKNOWN means
 * "compare old and new inputs" (including `__provider`), and only then does the engine know changed keys, so only
 * then can `replaceOnChanges` turn a change into a replacement (the dynamic provider host never reports changed
 * keys). A partially created resource with no changes is updated; the deleteBeforeReplace resource option, when
 * set, overrides the provider's choice.
 */
export function decideStep(
  diff: DiffResult,
  oldInputs: Props,
  newInputs: Props,
  o: { replaceOnChanges: readonly string[]; deleteBeforeReplace?: boolean; partial: boolean },
): StepDecision {
  let changes: "none" | "some" = diff.changes === "some" ? "some" : "none";
  const changed: string[] = [];
  if (diff.changes === "unknown") {
    changed.push(...changedKeys(oldInputs, newInputs));
    changes = changed.length > 0 ? "some" : "none";
  }
  const replaces = changes === "some" ? [...diff.replaces] : [];
  const wanted = new Set(o.replaceOnChanges.map(topLevelKey));
  for (const key of changed) {
    if ((wanted.has("*") || wanted.has(key)) && !replaces.includes(key)) replaces.push(key);
  }
  const deleteBeforeReplace = o.deleteBeforeReplace ?? diff.deleteBeforeReplace;
  if (changes === "none") {
    return o.partial
      ? { kind: "update", replaces: [], deleteBeforeReplace: false }
      : { kind: "same", replaces: [], deleteBeforeReplace: false };
  }
  if (replaces.length > 0) return { kind: "replace", replaces, deleteBeforeReplace };
  return { kind: "update", replaces: [], deleteBeforeReplace: false };
}

function topLevelKey(path: string): string {
  const m = /^([^.[]+)/.exec(path.replace(/^\["([^"]+)"\]/, "$1"));
  return m ? m[1] : path;
}
