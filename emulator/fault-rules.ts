import { EmulatorInputError } from "./input-error";
import type { FaultRule } from "./types";

const TYPES = ["error", "commit-then-fail", "drop", "latency", "job-fail"] as const;

/**
 * Checks a fault rule that came from JSON (CLI, admin API) or code, and returns it typed. Throws
 * `EmulatorInputError` naming the rule's problem.
 */
export function validateFaultRule(input: unknown): FaultRule {
  if (typeof input !== "object" || input === null || Array.isArray(input)) {
    throw bad(input, "a fault rule must be a JSON object");
  }
  const rule = input as Record<string, unknown>;
  const type = rule.type;
  if (typeof type !== "string" || !(TYPES as readonly string[]).includes(type)) {
    throw bad(input, `\`type\` must be one of ${TYPES.join(", ")}`);
  }
  if (rule.rate !== undefined && !(typeof rule.rate === "number" && rule.rate >= 0 && rule.rate <= 1)) {
    throw bad(input, "`rate` must be a number from 0 to 1");
  }
  if (rule.count !== undefined && !(Number.isInteger(rule.count) && (rule.count as number) >= 0)) {
    throw bad(input, "`count` must be an integer >= 0");
  }
  if (type !== "job-fail" && !(typeof rule.action === "string" && rule.action.length > 0)) {
    throw bad(input, '`action` must be an action name or "*"');
  }
  switch (type) {
    case "error":
      if (typeof rule.code !== "string" || rule.code.length === 0)
        throw bad(input, "`code` must be a non-empty string");
      if (!(
        Number.isInteger(rule.httpStatus) &&
        (rule.httpStatus as number) >= 400 &&
        (rule.httpStatus as number) <= 599
      )) {
        throw bad(input, "`httpStatus` must be an HTTP error status (400-599)");
      }
      if (rule.message !== undefined && typeof rule.message !== "string")
        throw bad(input, "`message` must be a string");
      break;
    case "commit-then-fail":
      if (rule.mode !== "error" && rule.mode !== "drop") throw bad(input, '`mode` must be "error" or "drop"');
      break;
    case "latency":
      if (!(typeof rule.latencyMs === "number" && Number.isFinite(rule.latencyMs) && rule.latencyMs >= 0)) {
        throw bad(input, "`latencyMs` must be a number >= 0");
      }
      break;
    case "job-fail":
      if (rule.delType !== undefined && rule.delType !== "Purge" && rule.delType !== "Delete") {
        throw bad(input, '`delType` must be "Purge" or "Delete"');
      }
      if (rule.code !== undefined && typeof rule.code !== "string")
        throw bad(input, "`code` must be a string");
      if (rule.message !== undefined && typeof rule.message !== "string")
        throw bad(input, "`message` must be a string");
      if (
        rule.fpDbIds !== undefined &&
        !(Array.isArray(rule.fpDbIds) && rule.fpDbIds.every((id) => typeof id === "string"))
      ) {
        throw bad(input, "`fpDbIds` must be an array of strings");
      }
      break;
    case "drop":
      break;
  }
  return rule as unknown as FaultRule;
}

function bad(input: unknown, problem: string): EmulatorInputError {
  return new EmulatorInputError(`Invalid emulator fault rule ${JSON.stringify(input)}: ${problem}.`);
}
