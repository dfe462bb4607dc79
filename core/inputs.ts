/**
 * Validation of FingerprintLibrary inputs for `check` (docs/design.md, 'Validation'): pure, one
 * `CheckFailure` per bad property, each naming the property, quoting the value (never a free-form one's, which
 * may be secret), and saying the problem and the fix. Unknown values (the preview sentinel) are skipped and never take part in
 * checks that combine properties.
 */
import { editDistance, regionFinding, unlistedRegionText } from "./config/regions";
import { DEFAULT_JOB_TIMEOUT_SECONDS, isFreeForm, quoteInput, SCHEMA } from "./schema";
import type { LibraryInputs } from "./types";
import { describeValue, isUnknown, joinAnd } from "./values";

export { describeValue, isUnknown, UNKNOWN } from "./values";

/** A refused property, as Pulumi's `check` reports it. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/**
 * The failures as the engine is to receive them. The engine prints the input value of a failure's named property
 * beside the reason (`property purgeTrigger value ... has a problem`), secret or not; a free-form property's
 * failure is therefore sent without the name, which its reason already gives.
 */
export function forEngine(failures: readonly CheckFailure[]): CheckFailure[] {
  return failures.map((f) => (isFreeForm(f.property) ? { property: "", reason: f.reason } : f));
}

/** The serialized provider, which the host adds to the inputs and `check` must hand back untouched. */
export const PROVIDER_KEY = "__provider";

type InputName = Exclude<keyof LibraryInputs, "resourceName">;

const VALIDATORS = SCHEMA.validators as Record<
  InputName,
  (value: unknown, name: string) => string | undefined
>;

/** Every input name the resource accepts, in the order of docs/design.md, 'Inputs'. */
export const INPUT_NAMES: readonly InputName[] = Object.keys(VALIDATORS) as InputName[];

/**
 * Validates raw inputs from the host. Returns the inputs to hand back (valid and unknown values, `__provider`
 * untouched, `libraryName` defaulted to the resource name when creating; never an `undefined` value) and one
 * failure per bad property. `null` counts as not set.
 */
export function checkInputs(news: Record<string, unknown>): {
  inputs: LibraryInputs;
  failures: CheckFailure[];
  /** Accepted values that are probably wrong (a region without documented fingerprint libraries). */
  warnings: string[];
} {
  const failures: CheckFailure[] = [];
  const inputs: Record<string, unknown> = {};
  // Values that are set, valid and known: the only ones the combined checks look at.
  const known: Partial<Record<InputName, unknown>> = {};
  // Every input that is set, whether valid, invalid or unknown.
  const given = new Set<InputName>();

  for (const [key, value] of Object.entries(news)) {
    if (key === PROVIDER_KEY) {
      inputs[key] = value;
      continue;
    }
    if (value === undefined || value === null) continue;
    if (key === "resourceName") continue;
    if (!isInputName(key)) {
      failures.push({ property: key, reason: unknownPropertyReason(key) });
      continue;
    }
    given.add(key);
    if (isUnknown(value)) {
      inputs[key] = value;
      continue;
    }
    const reason = VALIDATORS[key](value, key);
    if (reason) {
      failures.push({ property: key, reason });
      continue;
    }
    inputs[key] = value;
    known[key] = value;
  }

  const resourceName = news.resourceName;
  if (typeof resourceName === "string" && resourceName !== "" && !isUnknown(resourceName)) {
    inputs.resourceName = resourceName;
  } else {
    failures.push({
      property: "resourceName",
      reason:
        `\`resourceName\` must be the resource's logical name, got ${describeValue(resourceName)}. It is set by ` +
        "the FingerprintLibrary class: create the resource with `new FingerprintLibrary(name, args)`.",
    });
  }

  failures.push(...combinedFailures(known, given));

  if (!given.has("fpDbId") && inputs.libraryName === undefined && typeof inputs.resourceName === "string") {
    inputs.libraryName = inputs.resourceName;
  }
  const warnings: string[] = [];
  if (typeof known.region === "string") {
    const finding = regionFinding(known.region);
    if (finding) warnings.push(unlistedRegionText("`region`", known.region, finding));
  }
  return { inputs: inputs as unknown as LibraryInputs, failures, warnings };
}

/**
 * Checks that combine properties. They only look at set, valid, known values: an unknown one may turn out fine,
 * and an invalid one already has its own failure.
 */
function combinedFailures(known: Partial<Record<InputName, unknown>>, given: Set<InputName>): CheckFailure[] {
  const failures: CheckFailure[] = [];
  const adopting = typeof known.fpDbId === "string";

  if (adopting) {
    // Only a new library can take the create-only inputs (MPS has no update API for them).
    for (const name of SCHEMA.createOnly as InputName[]) {
      if (!(name in known)) continue;
      failures.push({
        property: name,
        reason:
          `\`${name}\` ${quoteInput(name, known[name])} cannot be used with \`fpDbId\`: an adopted library keeps ` +
          `what it was created with (MPS cannot change it). Remove \`${name}\`, or remove \`fpDbId\` to create a ` +
          "new library.",
      });
    }
  }

  const modelId = known.modelId as number | undefined;
  const deleteOnly = !given.has("fpDbId") && modelId !== undefined;
  if (deleteOnly && known.deletionPolicy === "Purge") {
    failures.push({
      property: "deletionPolicy",
      reason:
        `\`deletionPolicy\` "Purge" cannot work with \`modelId\` ${modelId}: libraries with a ModelId accept only ` +
        'Delete jobs. Use "Delete" or "Retain", or create the library without `modelId`.',
    });
  }
  const strategy = given.has("purgeStrategy") ? known.purgeStrategy : "purge";
  if (deleteOnly && "purgeTrigger" in known && strategy === "purge") {
    failures.push(deleteOnlyTrigger(modelId));
  }

  if (known.purgeStrategy === "recreate") {
    const conflicts: string[] = [];
    if (adopting) conflicts.push("`fpDbId` (an adopted library is not the stack's to delete)");
    if (known.deletionPolicy === "Retain") {
      conflicts.push('`deletionPolicy: "Retain"` (the old library would be kept, not emptied)');
    }
    if (known.deletionProtection === true)
      conflicts.push("`deletionProtection: true` (it blocks the replacement)");
    if (conflicts.length > 0) {
      failures.push({
        property: "purgeStrategy",
        reason:
          '`purgeStrategy` "recreate" empties a library by deleting it and creating a new one, so it cannot be ' +
          `used with ${joinAnd(conflicts)}. Use \`purgeStrategy: "purge"\`, or change those settings.`,
      });
    }
  }

  const poll = known.pollIntervalSeconds as number | undefined;
  if (poll !== undefined && (!given.has("jobTimeoutSeconds") || "jobTimeoutSeconds" in known)) {
    const timeout = (known.jobTimeoutSeconds as number | undefined) ?? DEFAULT_JOB_TIMEOUT_SECONDS;
    if (poll > timeout) {
      const which =
        known.jobTimeoutSeconds === undefined ? "the default `jobTimeoutSeconds`" : "`jobTimeoutSeconds`";
      failures.push({
        property: "pollIntervalSeconds",
        reason:
          `\`pollIntervalSeconds\` must not exceed ${which} (${timeout}), got ${describeValue(poll)}. Lower it, ` +
          "or raise `jobTimeoutSeconds`.",
      });
    }
  }
  return failures;
}

function deleteOnlyTrigger(modelId: number | undefined): CheckFailure {
  return {
    property: "purgeTrigger",
    reason:
      `\`purgeTrigger\` cannot empty a library with \`modelId\` ${modelId}: such ` +
      'libraries accept only Delete jobs, so a Purge job would be refused. Set `purgeStrategy: "recreate"` to ' +
      "empty it by replacing the library (a new library with a new id), or create it without `modelId`.",
  };
}

function isInputName(key: string): key is InputName {
  return Object.prototype.hasOwnProperty.call(VALIDATORS, key);
}

function unknownPropertyReason(key: string): string {
  const suggestion = closestName(key);
  const fix = suggestion
    ? `Did you mean \`${suggestion}\`?`
    : `Remove it; the inputs are ${INPUT_NAMES.map((n) => `\`${n}\``).join(", ")}.`;
  return `\`${key}\` is not an input of FingerprintLibrary. ${fix}`;
}

/** The input name closest to a misspelt one, if any is close enough to be what was meant. */
function closestName(key: string): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of INPUT_NAMES) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
