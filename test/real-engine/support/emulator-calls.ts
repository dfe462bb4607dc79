import type { RequestCounts, RunningEmulator } from "../../../emulator";

/** The MPS actions that change something; every other action the provider calls only reads. */
export const WRITE_ACTIONS = ["CreateFpShotDB", "SubmitFpDBDeleteJob"];

/** Requests per action since `before` (a snapshot from `emulator.admin.counts()`). */
export function callsSince(emulator: RunningEmulator, before: RequestCounts): Record<string, number> {
  const now = emulator.admin.counts().byAction;
  const calls: Record<string, number> = {};
  for (const [action, counts] of Object.entries(now)) {
    const delta = counts.total - (before.byAction[action]?.total ?? 0);
    if (delta > 0) calls[action] = delta;
  }
  return calls;
}

/** The write calls among `calls`. */
export function writesIn(calls: Record<string, number>): Record<string, number> {
  return Object.fromEntries(Object.entries(calls).filter(([action]) => WRITE_ACTIONS.includes(action)));
}
