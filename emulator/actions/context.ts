import type { FaultEngine } from "../faults";
import type { Store } from "../store/store";
import type { EmulatorSettings } from "../types";

/** Everything an action handler needs for one verified, admitted request. */
export interface ActionContext {
  /** The account of the AccessKey that signed the request. */
  accountId: string;
  /** Business parameters: the query, plus a form body's fields. */
  params: ReadonlyMap<string, string>;
  /** Emulator clock time of the request. */
  now: number;
  requestId: string;
  store: Store;
  settings: Readonly<EmulatorSettings>;
  faults: FaultEngine;
  /** The seeded stream that duration distributions draw from. */
  durationRandom: () => number;
}

/** Runs one action and returns its JSON body without `RequestId`; throws `ApiError` for error answers. */
export type ActionHandler = (ctx: ActionContext) => Record<string, unknown>;

/** A parameter's value; an empty string counts as absent, as the SDK never sends one on purpose. */
export function param(ctx: ActionContext, name: string): string | undefined {
  const value = ctx.params.get(name);
  return value === undefined || value === "" ? undefined : value;
}

/** The non-empty, trimmed, distinct entries of a comma-separated list parameter, in order. */
export function idList(ctx: ActionContext, name: string): { ids: string[]; given: number } {
  const entries = (param(ctx, name) ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return { ids: [...new Set(entries)], given: entries.length };
}

/** `{ String: [...] }` for NonExistIds, or nothing when empty (the service omits it then). */
export function nonExistIds(ids: readonly string[]): { NonExistIds?: { String: string[] } } {
  return ids.length > 0 ? { NonExistIds: { String: [...ids] } } : {};
}
