import type { ActionCounts, RequestCounts } from "./types";

/** How a request ended, for the tallies. */
export type Outcome =
  { kind: "ok" } | { kind: "throttled" } | { kind: "dropped" } | { kind: "error"; code: string };

/** Request tallies per action and overall (admin calls excluded). */
export class RequestCounter {
  private byAction = new Map<string, ActionCounts>();
  private overall = emptyCounts();

  record(action: string, outcome: Outcome): void {
    let counts = this.byAction.get(action);
    if (!counts) {
      counts = emptyCounts();
      this.byAction.set(action, counts);
    }
    add(counts, outcome);
    add(this.overall, outcome);
  }

  snapshot(): RequestCounts {
    const byAction: Record<string, ActionCounts> = {};
    for (const [action, counts] of this.byAction) byAction[action] = copy(counts);
    return { byAction, overall: copy(this.overall) };
  }

  clear(): void {
    this.byAction = new Map();
    this.overall = emptyCounts();
  }
}

function emptyCounts(): ActionCounts {
  return { total: 0, ok: 0, throttled: 0, dropped: 0, errors: {} };
}

function add(counts: ActionCounts, outcome: Outcome): void {
  counts.total += 1;
  if (outcome.kind === "error") counts.errors[outcome.code] = (counts.errors[outcome.code] ?? 0) + 1;
  else counts[outcome.kind] += 1;
}

function copy(counts: ActionCounts): ActionCounts {
  return { ...counts, errors: { ...counts.errors } };
}
