/**
 * Pulumi URNs: `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, where the qualified type is the chain
 * of parent types joined with `$` (the root stack excluded).
 */

/** The parts of a URN. */
export interface ParsedUrn {
  stack: string;
  project: string;
  /** Parent types and the resource type joined with `$`. */
  qualifiedType: string;
  /** The resource's own type (the last element of the qualified type). */
  type: string;
  name: string;
}

/** Builds the URN the engine would assign; `parentUrn` is ignored for the root stack (no parent type). */
export function makeUrn(
  stack: string,
  project: string,
  type: string,
  name: string,
  parentUrn?: string,
): string {
  const parent = parentUrn ? parseUrn(parentUrn) : undefined;
  const qualified =
    parent && parent.type !== "pulumi:pulumi:Stack" ? `${parent.qualifiedType}$${type}` : type;
  return `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
}

/** Splits a URN. Throws on text that is not one. */
export function parseUrn(urn: string): ParsedUrn {
  const parts = urn.split("::");
  if (!urn.startsWith("urn:pulumi:") || parts.length < 4) {
    throw new Error(
      `not a Pulumi URN: ${JSON.stringify(urn)} (expected urn:pulumi:stack::project::type::name)`,
    );
  }
  const qualifiedType = parts[2];
  return {
    stack: parts[0].slice("urn:pulumi:".length),
    project: parts[1],
    qualifiedType,
    type: qualifiedType.split("$").pop()!,
    name: parts.slice(3).join("::"),
  };
}
