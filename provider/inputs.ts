/**
 * Validation of FingerprintLibrary inputs for `check` (design section 3): pure, one `CheckFailure` per bad
 * property, each naming the property, quoting the value, and saying the problem and the fix. Unknown values (the
 * preview sentinel) are skipped and never take part in checks that combine properties.
 */
import { parseEndpoint } from "./config/endpoint";
import { findJsonSyntaxError } from "./config/json-text";
import { editDistance, misspeltRegionText, regionFinding, unlistedRegionText } from "./config/regions";
import {
  DOCUMENTED_MODEL_IDS,
  type DeletionPolicy,
  type EndpointType,
  type LibraryInputs,
  type PurgeStrategy,
} from "./types";

/** Pulumi's stand-in for a value not known yet during preview (`rpc.unknownValue`). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A refused property, as Pulumi's `check` reports it. */
export interface CheckFailure {
  property: string;
  reason: string;
}

/** MPS refuses longer `UserData` on jobs. */
export const USER_DATA_MAX_BYTES = 128;
/** Upper bound of `jobTimeoutSeconds`: one day. Longer is a mistake (minutes instead of seconds, or a loop). */
export const MAX_JOB_TIMEOUT_SECONDS = 86_400;
/** Upper bound of `pollIntervalSeconds`: one hour. */
export const MAX_POLL_INTERVAL_SECONDS = 3_600;
/** `jobTimeoutSeconds` when unset (design section 3). */
export const DEFAULT_JOB_TIMEOUT_SECONDS = 1_800;
/** Longest quoted value in a message; longer ones are cut with an ellipsis. */
export const MAX_QUOTED_LENGTH = 60;

export const PURGE_STRATEGIES: readonly PurgeStrategy[] = ["purge", "recreate"];
export const DELETION_POLICIES: readonly DeletionPolicy[] = ["Delete", "Purge", "Retain"];
export const ENDPOINT_TYPES: readonly EndpointType[] = ["public", "vpc"];

/** Inputs that only a new library can take (MPS has no update API for them); `fpDbId` refuses these. */
export const ADOPTION_REFUSED_INPUTS = ["libraryName", "modelId", "description", "config"] as const;

/** The serialized provider, which the host adds to the inputs and `check` must hand back untouched. */
export const PROVIDER_KEY = "__provider";

/** True for the unknown sentinel, also when it sits anywhere inside an array or object (e.g. `purgeTrigger`). */
export function isUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(isUnknown);
  if (v !== null && typeof v === "object") return Object.values(v).some(isUnknown);
  return false;
}

/** A value as messages quote it: JSON, cut to `MAX_QUOTED_LENGTH` characters. */
export function describeValue(v: unknown): string {
  let text: string;
  if (v === undefined) text = "undefined";
  else if (typeof v === "function") text = "a function";
  else if (typeof v === "bigint") text = `${v}n`;
  else if (typeof v === "symbol") text = v.toString();
  else if (typeof v === "number" && !Number.isFinite(v)) text = String(v);
  else text = JSON.stringify(v) ?? String(v);
  return text.length > MAX_QUOTED_LENGTH ? `${text.slice(0, MAX_QUOTED_LENGTH - 1)}…` : text;
}

type InputName = Exclude<keyof LibraryInputs, "resourceName">;

/** A validator returns the reason a value is refused, or undefined when it is fine. */
type Validator = (value: unknown, name: string) => string | undefined;

const VALIDATORS: Record<InputName, Validator> = {
  fpDbId: (v, name) => {
    const fix =
      "Set it to the id of an existing library (FpDBId) to adopt it, or remove it to create a new library.";
    const empty = nonEmptyString(fix)(v, name);
    if (empty) return empty;
    const problem = libraryIdProblem(v as string);
    return problem ? `\`fpDbId\` ${describeValue(v)} ${problem}. ${fix}` : undefined;
  },
  libraryName: nonEmptyString("Set a name, or remove it to use the resource's name."),
  modelId: (v) => {
    if (typeof v === "number" && Number.isInteger(v) && DOCUMENTED_MODEL_IDS.includes(v)) return undefined;
    return (
      `\`modelId\` must be one of 11 (text), 12 (video), 13 (audio) or 14 (image), got ${describeValue(v)}. ` +
      "Use one of these, or remove `modelId` to create a library without a ModelId (which also accepts Purge jobs)."
    );
  },
  description: plainString("Pass text."),
  config: (v) => {
    if (typeof v !== "string") {
      return `\`config\` must be JSON text (a string), got ${describeValue(v)}. Pass JSON.stringify(yourSettings).`;
    }
    const error = findJsonSyntaxError(v);
    if (!error) return undefined;
    return (
      `\`config\` must be JSON text, got ${describeValue(v)}: ${error.problem} at line ${error.line}, ` +
      `column ${error.column}. Pass valid JSON, e.g. JSON.stringify(yourSettings).`
    );
  },
  region: (v, name) => {
    const fix = "to use `alicloud:region` or ALIBABA_CLOUD_REGION.";
    const empty = nonEmptyString(`Set a region id such as "cn-shanghai", or remove it ${fix}`)(v, name);
    if (empty) return empty;
    const finding = regionFinding(v as string);
    if (finding?.kind !== "misspelt") return undefined;
    return `${misspeltRegionText("`region`", v as string, finding.suggestion)} Fix the spelling, or remove \`region\` ${fix}`;
  },
  purgeTrigger: (v) => {
    const problem = jsonValueProblem(v, "");
    if (!problem) return undefined;
    return (
      "`purgeTrigger` must be a JSON value (string, number, boolean, null, array or object), but " +
      `${problem}. Use a plain value such as a release tag or a date.`
    );
  },
  purgeStrategy: oneOf(PURGE_STRATEGIES),
  deletionPolicy: oneOf(DELETION_POLICIES),
  deletionProtection: booleanValue(),
  pipelineId: nonEmptyString("Set it to an MPS pipeline id, or remove it."),
  userData: (v) => {
    if (typeof v !== "string") return `\`userData\` must be a string, got ${describeValue(v)}. Pass text.`;
    const bytes = Buffer.byteLength(v, "utf8");
    if (bytes <= USER_DATA_MAX_BYTES) return undefined;
    return (
      `\`userData\` must be at most ${USER_DATA_MAX_BYTES} UTF-8 bytes, got ${bytes} bytes: ${describeValue(v)}. ` +
      "Shorten it (characters outside ASCII take 2 to 4 bytes each)."
    );
  },
  waitForCompletion: booleanValue(),
  jobTimeoutSeconds: seconds(MAX_JOB_TIMEOUT_SECONDS, "one day"),
  pollIntervalSeconds: seconds(MAX_POLL_INTERVAL_SECONDS, "one hour"),
  endpoint: (v) => {
    if (typeof v !== "string" || v.trim() === "") {
      return (
        `\`endpoint\` must be a non-empty string, got ${describeValue(v)}. Set a host, host:port or https:// ` +
        "URL, or remove it to use mts.<region>.aliyuncs.com."
      );
    }
    const parsed = parseEndpoint(v);
    if (parsed.ok) return undefined;
    return (
      `\`endpoint\` ${describeValue(v)} ${parsed.problem}. Set a host, host:port or https:// URL, or remove it ` +
      "to use mts.<region>.aliyuncs.com."
    );
  },
  endpointType: oneOf(ENDPOINT_TYPES),
  profile: nonEmptyString(
    "Set the name of a credentials profile, or remove it to use the default credentials.",
  ),
};

/** Longest `fpDbId` accepted. MPS documents no id form; its ids are 32 hex characters, so this is generous. */
export const MAX_LIBRARY_ID_LENGTH = 128;

/**
 * Why a library id cannot be one MPS issued, or undefined. MPS documents no id form, so only what would break a
 * call is refused: ids travel comma-separated in batched lookups (a comma turns one id into two and fails the
 * whole batch), and whitespace or control characters make an id that differs from the service's spelling.
 */
function libraryIdProblem(id: string): string | undefined {
  if (id.includes(",")) return "contains a comma, which MPS reads as a separator between two ids";
  if (/\s/.test(id)) return "contains whitespace (check for a trailing space or newline)";
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(id)) return "contains a control character";
  if (id.length > MAX_LIBRARY_ID_LENGTH) {
    return `is ${id.length} characters long; library ids are at most ${MAX_LIBRARY_ID_LENGTH} characters`;
  }
  return undefined;
}

/** Every input name the resource accepts, in the order of design section 3. */
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
    for (const name of ADOPTION_REFUSED_INPUTS) {
      if (!(name in known)) continue;
      failures.push({
        property: name,
        reason:
          `\`${name}\` ${describeValue(known[name])} cannot be used with \`fpDbId\`: an adopted library keeps ` +
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
    failures.push(deleteOnlyTrigger(known.purgeTrigger, modelId));
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

function deleteOnlyTrigger(trigger: unknown, modelId: number | undefined): CheckFailure {
  return {
    property: "purgeTrigger",
    reason:
      `\`purgeTrigger\` ${describeValue(trigger)} cannot empty a library with \`modelId\` ${modelId}: such ` +
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

function plainString(fix: string): Validator {
  return (v, name) =>
    typeof v === "string" ? undefined : `\`${name}\` must be a string, got ${describeValue(v)}. ${fix}`;
}

function nonEmptyString(fix: string): Validator {
  return (v, name) => {
    if (typeof v === "string" && v.trim() !== "") return undefined;
    const what = typeof v === "string" ? "must not be empty" : "must be a non-empty string";
    return `\`${name}\` ${what}, got ${describeValue(v)}. ${fix}`.trimEnd();
  };
}

function booleanValue(): Validator {
  return (v, name) =>
    typeof v === "boolean"
      ? undefined
      : `\`${name}\` must be true or false, got ${describeValue(v)}. Pass a boolean.`;
}

function oneOf(values: readonly string[]): Validator {
  return (v, name) => {
    if (typeof v === "string" && values.includes(v)) return undefined;
    const listed = joinOr(values.map((x) => JSON.stringify(x)));
    const near =
      typeof v === "string" ? values.find((x) => x.toLowerCase() === v.trim().toLowerCase()) : undefined;
    const fix = near ? `Did you mean ${JSON.stringify(near)}?` : "Use one of these values.";
    return `\`${name}\` must be ${listed}, got ${describeValue(v)}. ${fix}`;
  };
}

function seconds(max: number, maxText: string): Validator {
  return (v, name) => {
    if (typeof v === "number" && Number.isFinite(v) && v > 0 && v <= max) return undefined;
    return (
      `\`${name}\` must be a number of seconds above 0 and at most ${max} (${maxText}), got ${describeValue(v)}. ` +
      "Set a value in that range, or remove it to use the default."
    );
  };
}

/** Why a value is not plain JSON data, or undefined when it is. `path` locates nested problems. */
function jsonValueProblem(v: unknown, path: string): string | undefined {
  const found = (what: string) => (path === "" ? `it is ${what}` : `it contains ${what} at ${path}`);
  switch (typeof v) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(v) ? undefined : found(`the non-finite number ${v}`);
    case "object": {
      if (v === null) return undefined;
      const entries: [string, unknown][] = Array.isArray(v)
        ? v.map((item, i) => [`${path}[${i}]`, item])
        : Object.entries(v).map(([k, item]) => [path === "" ? k : `${path}.${k}`, item]);
      for (const [childPath, item] of entries) {
        // An undefined member is dropped by every JSON encoder; an undefined array item would become null.
        if (item === undefined && !Array.isArray(v)) continue;
        const problem =
          item === undefined ? `it contains undefined at ${childPath}` : jsonValueProblem(item, childPath);
        if (problem) return problem;
      }
      return undefined;
    }
    case "undefined":
      return found("undefined");
    default:
      return found(typeof v === "function" ? "a function" : `a ${typeof v}`);
  }
}

function joinOr(items: string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

function joinAnd(items: string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
