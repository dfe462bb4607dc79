/**
 * Values as the provider host hands them over: Pulumi's unknown sentinel, quoting for messages, and the
 * validator building blocks the property schema (schema.ts) is declared with.
 */
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";

/** Pulumi's stand-in for a value not known yet during preview. */
export const UNKNOWN: string = unknownValue;

/** Longest quoted value in a message; longer ones are cut with an ellipsis. */
export const MAX_QUOTED_LENGTH = 60;

/** True for the unknown sentinel, also when it sits anywhere inside an array or object (e.g. `purgeTrigger`). */
export function isUnknown(v: unknown): boolean {
  if (v === UNKNOWN) return true;
  if (Array.isArray(v)) return v.some(isUnknown);
  if (v !== null && typeof v === "object") return Object.values(v).some(isUnknown);
  return false;
}

/** JSON with object keys sorted at every level, for deep comparison. `undefined` (top level) is `"undefined"`. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v)) ?? "undefined";
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v === null || typeof v !== "object") return v;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(v).sort()) sorted[key] = sortKeys((v as Record<string, unknown>)[key]);
  return sorted;
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

/** The kind of a value, for messages that must not quote it: "a string", "an object", ... */
export function shapeOf(v: unknown): string {
  if (v === null) return "null";
  if (Array.isArray(v)) return "an array";
  const kind = typeof v;
  return kind === "object" || kind === "undefined" ? `an ${kind}` : `a ${kind}`;
}

/** A validator returns the reason a value is refused (naming the property and the fix), or undefined. */
export type Validator = (value: unknown, name: string) => string | undefined;

/** A string validator for free text, which may be secret: a refused value is described by its kind only. */
export function plainString(fix: string): Validator {
  return (v, name) =>
    typeof v === "string" ? undefined : `\`${name}\` must be a string, got ${shapeOf(v)}. ${fix}`;
}

export function nonEmptyString(fix: string): Validator {
  return (v, name) => {
    if (typeof v === "string" && v.trim() !== "") return undefined;
    const what = typeof v === "string" ? "must not be empty" : "must be a non-empty string";
    return `\`${name}\` ${what}, got ${describeValue(v)}. ${fix}`.trimEnd();
  };
}

export function booleanValue(): Validator {
  return (v, name) =>
    typeof v === "boolean"
      ? undefined
      : `\`${name}\` must be true or false, got ${describeValue(v)}. Pass a boolean.`;
}

export function oneOf(values: readonly string[]): Validator {
  return (v, name) => {
    if (typeof v === "string" && values.includes(v)) return undefined;
    const listed = joinOr(values.map((x) => JSON.stringify(x)));
    const near =
      typeof v === "string" ? values.find((x) => x.toLowerCase() === v.trim().toLowerCase()) : undefined;
    const fix = near ? `Did you mean ${JSON.stringify(near)}?` : "Use one of these values.";
    return `\`${name}\` must be ${listed}, got ${describeValue(v)}. ${fix}`;
  };
}

export function seconds(max: number, maxText: string): Validator {
  return (v, name) => {
    if (typeof v === "number" && Number.isFinite(v) && v > 0 && v <= max) return undefined;
    return (
      `\`${name}\` must be a number of seconds above 0 and at most ${max} (${maxText}), got ${describeValue(v)}. ` +
      "Set a value in that range, or remove it to use the default."
    );
  };
}

/** Why a value is not plain JSON data, or undefined when it is. `path` locates nested problems. */
export function jsonValueProblem(v: unknown, path: string): string | undefined {
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

export function joinOr(items: string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} or ${items[items.length - 1]}`;
}

export function joinAnd(items: string[]): string {
  return items.length <= 1
    ? items.join("")
    : `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}
