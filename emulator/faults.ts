import { ApiError, defaultMessageFor } from "./api-error";
import { validateFaultRule } from "./fault-rules";
import { createPrng } from "./prng";
import type { JobFailure } from "./store/model";
import type { EmulatorDelType, FaultRule, FaultView } from "./types";

/** What to do before executing a request. */
export type PreFault = { kind: "drop" } | { kind: "error"; error: ApiError } | undefined;

/** What to do with the answer of an executed request. */
export interface PostFault {
  latencyMs: number;
  commitThenFail?: "error" | "drop";
}

interface Installed {
  rule: FaultRule;
  fired: number;
  /** job-fail only: libraries this rule already failed a job of. */
  failedLibraries: Set<string>;
}

/**
 * Fault injection. Rules are checked in order; a rule fires when it matches, has count left and wins its rate
 * roll. Rolls come from a seeded PRNG and are drawn only for matching rules, so runs are reproducible.
 */
export class FaultEngine {
  private rules: Installed[] = [];
  private random: () => number;

  constructor(seed: number) {
    this.random = createPrng(seed);
  }

  set(rules: readonly FaultRule[]): void {
    const checked = rules.map(validateFaultRule);
    this.rules = checked.map((rule) => ({ rule, fired: 0, failedLibraries: new Set() }));
  }

  add(rule: FaultRule): void {
    this.rules.push({ rule: validateFaultRule(rule), fired: 0, failedLibraries: new Set() });
  }

  clear(): void {
    this.rules = [];
  }

  reseed(seed: number): void {
    this.random = createPrng(seed);
  }

  views(): FaultView[] {
    return this.rules.map(({ rule, fired }) => ({ rule, fired }));
  }

  /** The first drop or error rule that fires for this action. */
  before(action: string): PreFault {
    for (const installed of this.rules) {
      const { rule } = installed;
      if (rule.type !== "drop" && rule.type !== "error") continue;
      if (!matchesAction(rule.action, action) || !this.fire(installed)) continue;
      if (rule.type === "drop") return { kind: "drop" };
      return {
        kind: "error",
        error: new ApiError(rule.httpStatus, rule.code, rule.message ?? defaultMessageFor(rule.code)),
      };
    }
    return undefined;
  }

  /** Latency (summed over firing rules) and the first commit-then-fail that fires, for an executed request. */
  after(action: string): PostFault {
    const post: PostFault = { latencyMs: 0 };
    for (const installed of this.rules) {
      const { rule } = installed;
      if (rule.type === "latency" && matchesAction(rule.action, action) && this.fire(installed)) {
        post.latencyMs += rule.latencyMs;
      } else if (
        rule.type === "commit-then-fail" &&
        post.commitThenFail === undefined &&
        matchesAction(rule.action, action) &&
        this.fire(installed)
      ) {
        post.commitThenFail = rule.mode;
      }
    }
    return post;
  }

  /** Whether a job being submitted now will fail, and how. */
  jobFailure(fpDbId: string, delType: EmulatorDelType): JobFailure | undefined {
    for (const installed of this.rules) {
      const { rule } = installed;
      if (rule.type !== "job-fail") continue;
      if (rule.delType !== undefined && rule.delType !== delType) continue;
      if (rule.fpDbIds !== undefined && !rule.fpDbIds.includes(fpDbId)) continue;
      if (installed.failedLibraries.has(fpDbId) || !this.fire(installed)) continue;
      installed.failedLibraries.add(fpDbId);
      const code = rule.code ?? "ServiceUnavailable";
      return { code, message: rule.message ?? defaultMessageFor(code) };
    }
    return undefined;
  }

  private fire(installed: Installed): boolean {
    const { rule } = installed;
    if (rule.count !== undefined && installed.fired >= rule.count) return false;
    const rate = rule.rate ?? 1;
    if (rate <= 0) return false;
    if (rate < 1 && this.random() >= rate) return false;
    installed.fired += 1;
    return true;
  }
}

function matchesAction(ruleAction: string, action: string): boolean {
  return ruleAction === "*" || ruleAction === action;
}
