/**
 * CLI-like text for engine events and results: the `+ create`, `~ update`, `+- replace`, `- delete` rows,
 * diagnostics, outputs and the resource summary, in the spirit of `pulumi up`'s non-interactive output.
 */
import type { EngineEvent, Operation, RunResult, StepOp, StepResult } from "./events";
import { UNKNOWN } from "./wire";

const SYMBOL: Record<StepOp, string> = {
  create: "+ ",
  same: "  ",
  update: "~ ",
  replace: "+-",
  delete: "- ",
  read: "> ",
  refresh: "~ ",
  import: "= ",
  discard: "< ",
};

const PAST: Record<StepOp, string> = {
  create: "created",
  same: "unchanged",
  update: "updated",
  replace: "replaced",
  delete: "deleted",
  read: "read",
  refresh: "refreshed",
  import: "imported",
  discard: "discarded",
};

const PRESENT: Record<StepOp, string> = {
  create: "creating",
  same: "",
  update: "updating",
  replace: "replacing",
  delete: "deleting",
  read: "reading",
  refresh: "refreshing",
  import: "importing",
  discard: "discarding",
};

/** The heading the CLI prints before an operation. */
export function heading(op: Operation, stack: string): string {
  const verb = { preview: "Previewing update", up: "Updating", refresh: "Refreshing", destroy: "Destroying" }[
    op
  ];
  return `${verb} (${stack}):`;
}

/** One line for an event, or undefined when the CLI would print nothing for it. */
export function formatEvent(op: Operation, e: EngineEvent): string | undefined {
  switch (e.kind) {
    case "plan":
      if (op !== "preview" || e.op === "same") return undefined;
      return ` ${SYMBOL[e.op]} ${e.type} ${e.name} ${e.op}${replaceDetail(e.replaces, e.deleteBeforeReplace)}`;
    case "step-start":
      return ` ${SYMBOL[e.op]} ${e.type} ${e.name} ${PRESENT[e.op]}...`;
    case "step-done":
      return formatStep(e.step);
    case "diagnostic":
      return `    ${e.source === "host" ? "[provider]" : "[program]"} ${e.line}`;
    case "engine-log":
      return `    [engine ${e.record.severity}${e.record.urn ? ` ${e.record.urn.split("::").pop()}` : ""}] ${e.record.message}`;
    case "warning":
      return `warning: ${e.message}`;
    case "host-started":
    case "checkpoint":
      return undefined;
  }
}

function formatStep(s: StepResult): string | undefined {
  const row = ` ${SYMBOL[s.op]} ${s.type} ${s.name}`;
  if (!s.ok) return `${row} **${PRESENT[s.op] || s.op} failed** error: ${s.error}`;
  if (s.op === "same" || s.preview) return undefined;
  const detail =
    s.op === "refresh" && s.refresh !== "unchanged"
      ? s.refresh === "gone"
        ? " (gone, dropped from state)"
        : " (outputs changed)"
      : s.retained
        ? " (retained, not deleted)"
        : s.replaced
          ? " (replaced copy)"
          : replaceDetail(s.replaces, s.deleteBeforeReplace);
  return `${row} ${PAST[s.op]}${detail} (${(s.durationMs / 1000).toFixed(2)}s)`;
}

function replaceDetail(replaces?: string[], deleteBeforeReplace?: boolean): string {
  if (!replaces || replaces.length === 0) return "";
  return ` [diff: ${replaces.join(", ")}${deleteBeforeReplace ? "; delete before replace" : ""}]`;
}

/** The closing lines: errors, outputs, resource counts and duration. */
export function formatSummary(op: Operation, result: RunResult, durationMs: number): string[] {
  const lines: string[] = [];
  if (result.errors.length > 0) {
    lines.push("", "Errors:");
    for (const e of result.errors) lines.push(`    error: ${e}`);
  }
  const keys = Object.keys(result.outputs);
  if (keys.length > 0) {
    lines.push("", "Outputs:");
    for (const k of keys) {
      const v = result.secretOutputs.includes(k) ? "[secret]" : JSON.stringify(result.outputs[k]);
      lines.push(`    ${k}: ${v.split(JSON.stringify(UNKNOWN)).join("output<string>")}`);
    }
  }
  lines.push("", "Resources:");
  const counts = new Map<string, number>();
  for (const s of result.steps) {
    if (!s.ok || s.replaced) continue;
    const label = s.op === "refresh" ? `refresh:${s.refresh}` : s.op;
    counts.set(label, (counts.get(label) ?? 0) + 1);
  }
  const preview = op === "preview";
  const row = (label: string, text: string) => {
    const n = counts.get(label);
    if (n) lines.push(`    ${text.replace("#", String(n))}`);
  };
  row("create", preview ? "+ # to create" : "+ # created");
  row("update", preview ? "~ # to update" : "~ # updated");
  row("replace", preview ? "+-# to replace" : "+-# replaced");
  row("delete", preview ? "- # to delete" : "- # deleted");
  row("read", "> # read");
  row("discard", "< # discarded");
  row("refresh:changed", "~ # changed on refresh");
  row("refresh:gone", "- # gone on refresh");
  row("refresh:unchanged", "# unchanged on refresh");
  row("same", "# unchanged");
  const failed = result.steps.filter((s) => !s.ok).length;
  if (failed) lines.push(`    # failed`.replace("#", String(failed)));
  lines.push("", `Duration: ${(durationMs / 1000).toFixed(1)}s`);
  return lines;
}
