/**
 * `mps-fpdb jobs`: the Purge and Delete jobs MPS knows for some libraries, so an operator can answer "what
 * happened to this library" without the console. Jobs are found the two ways MPS allows: by JobId (the ids a
 * stack's state records) and among the service's 20 newest jobs, filtered by library.
 */
import { parseArgs } from "node:util";
import { createMpsClient } from "../core/client/mps-client";
import { MAX_IDS_PER_CALL, type FpDbDeleteJob, type MpsApi } from "../core/client/types";
import { resolveCredentials } from "../core/config/credentials";
import { chooseRegion } from "../core/config/region";
import { clientTuning, resolveSettings, type Settings } from "../core/config/settings";
import { retryEvent, retryText } from "../core/log";
import { libraryEndpoint } from "../core/context";
import { describeJobTag } from "../core/jobs/job-tag";
import { messageOf } from "../core/text";
import { type CliIo, EXIT_FAILED, EXIT_OK, styleFor, UsageError } from "./io";
import { readStackExport, type StackLibrary } from "./stack-export";
import {
  NO_STACK_CONFIG,
  readStackConfig,
  TARGET_OPTIONS,
  TARGET_USAGE,
  targetFlags,
  type TargetFlags,
} from "./target";

export const JOBS_USAGE = `Usage: mps-fpdb jobs <fpDbId...> [options]
       mps-fpdb jobs --stack-export <file> [options]

Lists the Purge and Delete jobs MPS knows for the given libraries: JobId, DelType, status, created, finished,
and who submitted it where the job's UserData carries pulumi-mps-fpdb's tag. Jobs are looked up by the JobIds
a stack's state records (jobHistory, purgeJobId) and among the service's 20 newest jobs. MPS keeps no longer
history than that, so an old job of a library outside a stack export may not be found.

With --stack-export (the JSON of \`pulumi stack export --file <file>\`), every FingerprintLibrary in it is
listed with the region, endpoint and profile its state pins; ids given as arguments use the options below.

Options:
  --stack-export FILE     the libraries and JobIds of a stack's state
${TARGET_USAGE}  --json                  one JSON object on stdout: {"libraries": [{"fpDbId", "resourceName"?, "endpoint",
                          "jobs": [...], "missingJobIds": [...]}]}
  --help                  print this text
`;

/** One job as listed. */
export interface ListedJob {
  jobId: string;
  fpDbId: string;
  delType: string;
  status: string;
  createdAt?: string;
  finishedAt?: string;
  /** "pulumi-mps-fpdb" when the job's UserData carries the package's tag. */
  submittedBy?: string;
  /** The stack's state records this JobId. */
  inStackState: boolean;
  code?: string;
  message?: string;
}

export interface LibraryJobs {
  fpDbId: string;
  resourceName?: string;
  endpoint: string;
  jobs: ListedJob[];
  /** JobIds the state records that MPS no longer knows. */
  missingJobIds: string[];
  error?: string;
}

export async function jobs(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      ...TARGET_OPTIONS,
      "stack-export": { type: "string" },
      json: { type: "boolean" },
      help: { type: "boolean" },
    },
  });
  if (values.help) {
    io.stdout(JOBS_USAGE);
    return EXIT_OK;
  }
  const flags = targetFlags(values);
  const exportFile = values["stack-export"];
  if (positionals.length === 0 && exportFile === undefined) {
    throw new UsageError("Give library ids (fpDbId) as arguments, or --stack-export <file>.");
  }
  const fromState = exportFile !== undefined ? readStackExport(exportFile) : [];
  if (exportFile !== undefined && fromState.length === 0) {
    io.stderr(
      `No FingerprintLibrary in ${exportFile} (no resource has the outputs fpDbId and jobHistory).\n`,
    );
  }
  const config = flags.stack !== undefined ? await readStackConfig(flags.stack, io) : NO_STACK_CONFIG;
  const settings = resolveSettings(config, io.env);
  const fromArgs = positionals.map((fpDbId) => ({ fpDbId, knownJobIds: [] as string[] }));
  const libraries: StackLibrary[] = [...fromState, ...fromArgs];

  const groups = groupByConnection(libraries, flags, config, settings, io);
  const results: LibraryJobs[] = [];
  for (const group of groups.values()) results.push(...(await listGroup(group, settings, config, io)));
  const failed = results.some((r) => r.error !== undefined);
  if (values.json) io.stdout(`${JSON.stringify({ libraries: results }, null, 2)}\n`);
  else io.stdout(render(results, io));
  return failed ? EXIT_FAILED : EXIT_OK;
}

interface Group {
  endpoint: string;
  endpointSource: string;
  profile?: string;
  libraries: StackLibrary[];
}

/** Libraries by the endpoint and identity the provider would use for them, so each pair gets one client. */
function groupByConnection(
  libraries: StackLibrary[],
  flags: TargetFlags,
  config: typeof NO_STACK_CONFIG,
  settings: Settings,
  io: CliIo,
): Map<string, Group> {
  const groups = new Map<string, Group>();
  for (const library of libraries) {
    // A library from the state keeps the region and endpoint pinned there, as the provider's Read and Delete do.
    const region = library.region ?? chooseRegion(flags.region, config, io.env).region;
    const target = {
      region,
      endpoint: library.endpoint ?? flags.endpoint,
      endpointType: library.endpointType ?? flags.endpointType,
      profile: library.profile ?? flags.profile,
    };
    const choice = libraryEndpoint(settings, io.env, target);
    const key = `${choice.endpoint.url}\u0000${target.profile ?? ""}`;
    let group = groups.get(key);
    if (!group) {
      group = {
        endpoint: choice.endpoint.url,
        endpointSource: choice.source,
        profile: target.profile,
        libraries: [],
      };
      groups.set(key, group);
    }
    group.libraries.push(library);
  }
  return groups;
}

async function listGroup(
  group: Group,
  settings: Settings,
  config: typeof NO_STACK_CONFIG,
  io: CliIo,
): Promise<LibraryJobs[]> {
  const known = [...new Set(group.libraries.flatMap((l) => l.knownJobIds))];
  const empty = (error?: string): LibraryJobs[] =>
    group.libraries.map((l) => ({
      fpDbId: l.fpDbId,
      resourceName: l.resourceName,
      endpoint: group.endpoint,
      jobs: [],
      missingJobIds: [],
      error,
    }));
  let api: MpsApi;
  try {
    const credentials = await resolveCredentials({ config, env: io.env, profile: group.profile });
    api = createMpsClient({
      endpoint: group.endpoint,
      credential: credentials.credential,
      ...clientTuning(settings),
      onRetry: (info) => io.stderr(`${retryText(group.endpoint, retryEvent(info, settings.maxAttempts))}\n`),
    });
    io.stderr(
      `Querying ${known.length} JobId(s) from the state and the 20 newest jobs at ${group.endpoint} ` +
        `(${group.endpointSource}), credentials from ${credentials.source}\n`,
    );
  } catch (e) {
    return empty(messageOf(e));
  }

  const found = new Map<string, FpDbDeleteJob>();
  const missing = new Set<string>();
  try {
    for (let i = 0; i < known.length; i += MAX_IDS_PER_CALL) {
      const answer = await api.queryFpDbDeleteJobList(known.slice(i, i + MAX_IDS_PER_CALL));
      for (const job of answer.jobs) found.set(job.jobId, job);
      for (const id of answer.nonExistIds) missing.add(id);
    }
    const ids = new Set(group.libraries.map((l) => l.fpDbId));
    const newest = await api.queryFpDbDeleteJobList();
    for (const job of newest.jobs) if (ids.has(job.fpDbId)) found.set(job.jobId, job);
  } catch (e) {
    return empty(messageOf(e));
  }

  const knownSet = new Set(known);
  return group.libraries.map((library) => ({
    fpDbId: library.fpDbId,
    resourceName: library.resourceName,
    endpoint: group.endpoint,
    jobs: [...found.values()]
      .filter((job) => job.fpDbId === library.fpDbId)
      .map((job) => listed(job, knownSet.has(job.jobId)))
      .sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? "") || a.jobId.localeCompare(b.jobId)),
    missingJobIds: library.knownJobIds.filter((id) => missing.has(id)),
  }));
}

function listed(job: FpDbDeleteJob, inStackState: boolean): ListedJob {
  const entry: ListedJob = {
    jobId: job.jobId,
    fpDbId: job.fpDbId,
    delType: job.delType,
    status: job.status,
    createdAt: job.creationTime,
    finishedAt: job.finishTime,
    submittedBy: describeJobTag(job.userData),
    inStackState,
    code: job.code,
    message: job.message,
  };
  return JSON.parse(JSON.stringify(entry)) as ListedJob;
}

function render(results: LibraryJobs[], io: CliIo): string {
  const style = styleFor(io);
  const out: string[] = [];
  for (const r of results) {
    out.push(
      style.bold(`${r.fpDbId}${r.resourceName ? ` (${r.resourceName})` : ""}`) +
        style.dim(` at ${r.endpoint}`),
    );
    if (r.error !== undefined) {
      out.push(`  ${style.fail("FAIL")} ${r.error}`, "");
      continue;
    }
    if (r.jobs.length === 0) out.push("  no jobs found (by the state's JobIds or among the 20 newest)");
    else {
      const rows = [
        ["JOB ID", "TYPE", "STATUS", "CREATED", "FINISHED", "SUBMITTED BY"],
        ...r.jobs.map((j) => [
          j.jobId,
          j.delType,
          j.status,
          j.createdAt ?? "-",
          j.finishedAt ?? "-",
          [j.submittedBy ?? "-", j.inStackState ? "(in stack state)" : ""].filter(Boolean).join(" "),
        ]),
      ];
      const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
      const paintStatus = (cell: string, raw: string): string =>
        raw === "Fail" ? style.fail(cell) : raw === "Success" ? style.ok(cell) : cell;
      rows.forEach((row, i) => {
        // Padded before painting: escape codes must not count towards a column's width.
        const cells = row.map((cell, c) => (c === row.length - 1 ? cell : cell.padEnd(widths[c])));
        if (i > 0) cells[2] = paintStatus(cells[2], row[2]);
        const line = cells.join("  ").trimEnd();
        out.push(`  ${i === 0 ? style.dim(line) : line}`);
      });
      for (const j of r.jobs.filter((job) => job.code !== undefined)) {
        out.push(`  ${j.jobId} failed: ${j.code}${j.message ? `: ${j.message}` : ""}`);
      }
    }
    for (const id of r.missingJobIds) out.push(`  ${id}: in the stack's state, but MPS no longer knows it`);
    out.push("");
  }
  return `${out.join("\n")}`;
}
