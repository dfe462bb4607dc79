/**
 * The reliability suite's bookkeeping: from what the emulator recorded (jobs, requests, libraries) and what the
 * harness returned (state, errors, host output), the list of broken promises of one phase. Each check returns
 * readable problems, so a failing test says which library broke which rule.
 */
import type { JobView } from "../../../emulator";
import type { RecordedRun } from "./fault-stack";
import type { Phase } from "./fault-cases";

/** A purge or destroy phase: the first run and, when it failed, the one re-run. */
export interface PhaseRecord {
  phase: Phase;
  /** The stack's library ids when the phase began. */
  ids: string[];
  /** Jobs that existed before the phase. */
  jobsBefore: ReadonlySet<string>;
  runs: RecordedRun[];
  /** How often the fault struck (rule firings, throttled requests or failed jobs). */
  fired: number;
  /** Slow-answer case: the first this-many accepted submits of the phase came back after the read timeout. */
  delayedSubmits?: number;
}

const SUBMIT = "SubmitFpDBDeleteJob";

function delTypeOf(phase: Phase): "Purge" | "Delete" {
  return phase === "purge" ? "Purge" : "Delete";
}

function lastRun(record: PhaseRecord): RecordedRun {
  return record.runs[record.runs.length - 1];
}

/** Jobs submitted during the phase, per library, oldest first. */
export function phaseJobs(record: PhaseRecord): Map<string, JobView[]> {
  const byLibrary = new Map<string, JobView[]>(record.ids.map((id) => [id, []]));
  for (const job of lastRun(record).after.jobs) {
    if (record.jobsBefore.has(job.jobId)) continue;
    const list = byLibrary.get(job.fpDbId);
    if (list) list.push(job);
    else byLibrary.set(job.fpDbId, [job]);
  }
  return byLibrary;
}

/** Jobs submitted during one run of the phase, per library. */
function runJobs(run: RecordedRun, before: ReadonlySet<string>): Map<string, JobView[]> {
  const byLibrary = new Map<string, JobView[]>();
  for (const job of run.after.jobs) {
    if (before.has(job.jobId)) continue;
    byLibrary.set(job.fpDbId, [...(byLibrary.get(job.fpDbId) ?? []), job]);
  }
  return byLibrary;
}

/**
 * The RequestIds of the phase's submits whose answer the provider cannot have read: 5xx answers and dropped
 * connections as the emulator logged them, plus (slow-answer case) the first accepted submits, which were
 * answered after the read timeout. A job created by one of these is one the provider may not know about.
 */
export function ambiguousSubmits(record: PhaseRecord): Set<string> {
  const ids = new Set<string>();
  let delayedLeft = record.delayedSubmits ?? 0;
  for (const r of record.runs.flatMap((run) => run.requests)) {
    if (r.action !== SUBMIT) continue;
    if (r.status >= 500 || r.code === "(dropped)") ids.add(r.requestId);
    else if (r.status === 200 && delayedLeft > 0) {
      delayedLeft -= 1;
      ids.add(r.requestId);
    }
  }
  return ids;
}

/**
 * The phase ended with every library where it should be: after a purge, every library still exists and is in
 * state with the new trigger and the JobId of one of its successful Purge jobs; after a destroy, every library is
 * deleted and the state is empty. At most one re-run was needed, and it succeeded.
 */
export function intendedStateProblems(record: PhaseRecord): string[] {
  const problems: string[] = [];
  const last = lastRun(record);
  if (record.runs.length > 2) problems.push(`${record.runs.length} runs; at most one re-run is allowed`);
  if (!last.result.ok) problems.push(`the re-run failed too: ${last.result.errors.join(" | ")}`);
  const libraries = new Map(last.after.libraries.map((lib) => [lib.fpDbId, lib]));
  const resources = new Map(last.result.state.resources.map((r) => [r.id, r]));
  const jobs = phaseJobs(record);
  for (const id of record.ids) {
    const lib = libraries.get(id);
    if (record.phase === "destroy") {
      if (!lib?.deleted) problems.push(`library ${id} still exists after the destroy`);
      continue;
    }
    if (!lib || lib.deleted) problems.push(`library ${id} was deleted by a purge`);
    const resource = resources.get(id);
    if (!resource) {
      problems.push(`library ${id} is missing from state after the purge`);
      continue;
    }
    const successes = (jobs.get(id) ?? []).filter((j) => j.delType === "Purge" && j.status === "Success");
    const outputs = resource.outputs;
    if (resource.inputs.purgeTrigger !== "r2") {
      problems.push(
        `library ${id} has purgeTrigger ${JSON.stringify(resource.inputs.purgeTrigger)} in state`,
      );
    }
    if (!successes.some((j) => j.jobId === outputs.purgeJobId) || outputs.purgeJobStatus !== "Success") {
      problems.push(
        `library ${id} records purge job ${String(outputs.purgeJobId)} (${String(outputs.purgeJobStatus)}), ` +
          `not one of its successful Purge jobs ${successes.map((j) => j.jobId).join(", ")}`,
      );
    }
  }
  if (record.phase === "destroy" && last.result.state.resources.length > 0) {
    problems.push(`${last.result.state.resources.length} resources left in state after the destroy`);
  }
  return problems;
}

/**
 * Job accounting of the phase. Destroy: exactly one Delete job per library, one more when the first ended in
 * `Fail`. Purge: one successful Purge job per library, the one its state records, plus duplicates only where a
 * submit was ambiguous: every other successful Purge job was created by a submit whose answer was lost (so at
 * most one duplicate per ambiguous submit), and a host warning containing "duplicate" names the library. A
 * `Fail` only as the library's first job; no job of the other type, none unfinished.
 */
export function jobCountProblems(record: PhaseRecord): string[] {
  const problems: string[] = [];
  const delType = delTypeOf(record.phase);
  const ambiguous = ambiguousSubmits(record);
  const recorded = new Map(lastRun(record).result.state.resources.map((r) => [r.id, r.outputs.purgeJobId]));
  const warnings = record.runs
    .flatMap((run) => run.result.diagnostics)
    .filter((line) => line.includes("duplicate"));
  for (const [id, jobs] of phaseJobs(record)) {
    const label = `library ${id}: ${jobs.map((j) => `${j.delType} ${j.status}`).join(", ") || "no jobs"}`;
    if (!record.ids.includes(id)) {
      problems.push(`${label}: jobs for a library that is not in the stack`);
      continue;
    }
    if (jobs.some((j) => j.delType !== delType)) problems.push(`${label}: a job of the wrong type`);
    const statuses = jobs.map((j) => j.status);
    const failed = statuses.filter((s) => s === "Fail").length;
    const successes = jobs.filter((j) => j.status === "Success");
    if (failed + successes.length !== jobs.length) problems.push(`${label}: unfinished jobs`);
    if (failed > 1 || (failed === 1 && statuses[0] !== "Fail")) {
      problems.push(`${label}: only the first job of a library may fail`);
    }
    if (successes.length === 0) problems.push(`${label}: no successful ${delType} job`);
    if (record.phase === "destroy") {
      if (successes.length > 1) problems.push(`${label}: more than one successful Delete job`);
      continue;
    }
    const kept = recorded.get(id);
    const duplicates = successes.filter((j) => j.jobId !== kept);
    if (duplicates.length === 0) continue;
    const unexplained = duplicates.filter((j) => !ambiguous.has(j.requestId));
    if (unexplained.length > 0) {
      problems.push(
        `${label}: duplicate(s) ${unexplained.map((j) => j.jobId).join(", ")} created by a submit whose answer ` +
          `the provider read; its story: ${story(record, id, jobs).join(" | ")}`,
      );
    }
    if (!warnings.some((w) => w.includes(id))) {
      problems.push(
        `${label}: ${duplicates.length} duplicate(s) but no "duplicate" warning names the library; ` +
          `its story: ${story(record, id, jobs).join(" | ")}`,
      );
    }
  }
  return problems;
}

/**
 * No run dropped a resource from state while its library still existed (checked against the emulator right
 * after each run, failed runs included).
 */
export function droppedFromStateProblems(record: PhaseRecord): string[] {
  const problems: string[] = [];
  for (const run of record.runs) {
    const kept = new Set(run.result.state.resources.map((r) => r.id));
    const deleted = new Set(run.after.libraries.filter((lib) => lib.deleted).map((lib) => lib.fpDbId));
    for (const resource of run.before) {
      if (!kept.has(resource.id) && !deleted.has(resource.id)) {
        problems.push(
          `${run.label}: ${resource.urn} (library ${resource.id}) left the state but still exists`,
        );
      }
    }
  }
  return problems;
}

/**
 * Every error of every run names its library by id, and when the library's job of that run ended in `Fail`,
 * the error carries that JobId and the job's Code.
 */
export function failureMessageProblems(record: PhaseRecord): string[] {
  const problems: string[] = [];
  let before = record.jobsBefore;
  for (const run of record.runs) {
    const idOfUrn = new Map(run.before.map((r) => [r.urn, r.id]));
    const jobs = runJobs(run, before);
    for (const error of run.result.errors) {
      const urn = [...idOfUrn.keys()].find((u) => error.startsWith(`${u}: `));
      if (urn === undefined) {
        problems.push(`${run.label}: an error not tied to a library: ${error}`);
        continue;
      }
      const id = idOfUrn.get(urn)!;
      const message = error.slice(urn.length + 2);
      if (!message.includes(id))
        problems.push(`${run.label}: the error does not name library ${id}: ${message}`);
      for (const job of (jobs.get(id) ?? []).filter((j) => j.status === "Fail")) {
        if (!message.includes(job.jobId) || !message.includes(job.code ?? "(no code)")) {
          problems.push(
            `${run.label}: the error for library ${id} lacks JobId ${job.jobId} or Code ${job.code}: ${message}`,
          );
        }
      }
    }
    before = new Set(run.after.jobs.map((j) => j.jobId));
  }
  return problems;
}

/** What happened to one library in the phase, for failure messages: its host lines, submits and jobs. */
function story(record: PhaseRecord, id: string, jobs: JobView[]): string[] {
  return [
    ...record.runs.flatMap((run) => [
      ...run.result.diagnostics.filter((line) => line.includes(id)).map((line) => `${run.label}: ${line}`),
      ...run.requests
        .filter((r) => r.action === SUBMIT && r.query.FpDBId === id)
        .map((r) => `${run.label}: submit at ${r.time} answered ${r.status} ${r.code ?? ""}`.trim()),
    ]),
    ...jobs.map((j) => `job ${j.jobId} created ${j.creationTime} by request ${j.requestId}: ${j.status}`),
  ];
}

/**
 * Every library of the account that exists (not deleted) after the runs is either in the final state or named in
 * a line some run's provider host wrote: a library the stack created but lost track of (a killed create, an
 * ambiguous create) must at least be reported. By its id, or, for a create whose answer never arrived (the id
 * was never known to anyone but MPS), by its name in the line the provider writes before every create.
 * `foreign` libraries (not the stack's) are left out.
 */
export function untrackedLibraryProblems(
  runs: readonly RecordedRun[],
  foreign: readonly string[] = [],
): string[] {
  const last = runs[runs.length - 1];
  const tracked = new Set(last.result.state.resources.map((r) => r.id));
  const lines = runs.flatMap((run) => run.result.diagnostics);
  return last.after.libraries
    .filter((lib) => !lib.deleted && !tracked.has(lib.fpDbId) && !foreign.includes(lib.fpDbId))
    .filter(
      (lib) =>
        !lines.some((line) => line.includes(lib.fpDbId) || line.includes(`Creating library "${lib.name}"`)),
    )
    .map(
      (lib) => `library ${lib.fpDbId} ("${lib.name}") exists, is not in the state, and no host line names it`,
    );
}

/**
 * Libraries the stack does not own (seeded next to it in the same account) were neither deleted nor purged, and
 * no job was submitted for them.
 */
export function foreignLibraryProblems(run: RecordedRun, foreign: readonly string[]): string[] {
  const problems: string[] = [];
  for (const id of foreign) {
    const lib = run.after.libraries.find((l) => l.fpDbId === id);
    if (!lib) problems.push(`foreign library ${id} is missing from the emulator`);
    else if (lib.deleted) problems.push(`foreign library ${id} was deleted`);
    const jobs = run.after.jobs.filter((j) => j.fpDbId === id);
    if (jobs.length > 0) {
      problems.push(
        `foreign library ${id} got jobs: ${jobs.map((j) => `${j.delType} ${j.jobId}`).join(", ")}`,
      );
    }
  }
  return problems;
}

/** Jobs (any type) submitted during the runs, for the suite's ledger lines. */
export function ledgerLine(label: string, record: PhaseRecord, foreign: readonly string[] = []): string {
  const jobs = [...phaseJobs(record).entries()].filter(([id]) => !foreign.includes(id));
  const count = (type: string) =>
    jobs.reduce((n, [, list]) => n + list.filter((j) => j.delType === type).length, 0);
  const failed = jobs.reduce((n, [, list]) => n + list.filter((j) => j.status === "Fail").length, 0);
  const duplicates = record.runs
    .flatMap((run) => run.result.diagnostics)
    .filter((line) => line.includes("duplicate")).length;
  return (
    `${label}: ${record.ids.length} libraries, ${count("Delete")} Delete and ${count("Purge")} Purge jobs ` +
    `(${failed} failed), ${duplicates} duplicate warnings, ${record.runs.length} runs`
  );
}
