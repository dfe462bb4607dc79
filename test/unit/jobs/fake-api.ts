import type { Clock } from "../../../core/clock";
import type {
  CreateFpShotDbRequest,
  CreateFpShotDbResult,
  FpDbDeleteJob,
  FpShotDb,
  ListFpShotDbResult,
  MpsApi,
  QueryFpDbDeleteJobListResult,
  SubmitFpDbDeleteJobRequest,
  SubmitFpDbDeleteJobResult,
} from "../../../core/client/types";

/** A scripted job: its status is a function of the time since it was added. */
export interface ScriptedJob {
  job: FpDbDeleteJob;
  /** Milliseconds until the job ends; never when undefined. */
  endsAfterMs?: number;
  /** How it ends (default Success). */
  outcome?: { status: "Success" } | { status: "Fail"; code: string; message: string };
}

/** One call the fake received. */
export interface FakeCall {
  action: string;
  ids: string[];
  at: number;
}

/**
 * An in-memory MpsApi whose jobs progress with the injected clock. Records every call; `failNext` makes the next
 * calls throw the given errors instead.
 */
export class FakeMpsApi implements MpsApi {
  readonly calls: FakeCall[] = [];
  readonly failures: unknown[] = [];
  readonly jobs = new Map<string, { script: ScriptedJob; addedAt: number }>();
  readonly libraries = new Map<string, FpShotDb>();
  /** Delay of every answer, in clock milliseconds. */
  latencyMs = 0;
  /** How long a job submitted through `submitFpDbDeleteJob` runs (default: forever). */
  jobDurationMs?: () => number;

  constructor(private readonly clock: Clock) {}

  addJob(script: ScriptedJob): void {
    this.jobs.set(script.job.jobId, { script, addedAt: this.clock.now() });
  }

  failNext(...errors: unknown[]): void {
    this.failures.push(...errors);
  }

  callsTo(action: string): FakeCall[] {
    return this.calls.filter((call) => call.action === action);
  }

  async createFpShotDb(request: CreateFpShotDbRequest): Promise<CreateFpShotDbResult> {
    await this.enter("CreateFpShotDB", []);
    const library: FpShotDb = {
      fpDbId: `lib-${this.libraries.size + 1}`,
      name: request.name,
      status: "offline",
    };
    this.libraries.set(library.fpDbId, library);
    return { requestId: "rid", library };
  }

  async listFpShotDb(fpDbIds: readonly string[]): Promise<ListFpShotDbResult> {
    await this.enter("ListFpShotDB", fpDbIds);
    const libraries = fpDbIds.flatMap((id) =>
      this.libraries.has(id) ? [{ ...this.libraries.get(id)! }] : [],
    );
    return { requestId: "rid", libraries, nonExistIds: fpDbIds.filter((id) => !this.libraries.has(id)) };
  }

  async submitFpDbDeleteJob(request: SubmitFpDbDeleteJobRequest): Promise<SubmitFpDbDeleteJobResult> {
    await this.enter("SubmitFpDBDeleteJob", [request.fpDbId]);
    const jobId = `job-${this.jobs.size + 1}`;
    this.addJob({
      job: { jobId, fpDbId: request.fpDbId, delType: request.delType, status: "Queuing" },
      endsAfterMs: this.jobDurationMs?.(),
    });
    return { requestId: "rid", jobId };
  }

  async queryFpDbDeleteJobList(jobIds?: readonly string[]): Promise<QueryFpDbDeleteJobListResult> {
    await this.enter("QueryFpDBDeleteJobList", jobIds ?? []);
    const ids = jobIds && jobIds.length > 0 ? jobIds : [...this.jobs.keys()].slice(-20);
    const jobs = ids.flatMap((id) => {
      const entry = this.jobs.get(id);
      return entry ? [this.view(entry.script, entry.addedAt)] : [];
    });
    return { requestId: "rid", jobs, nonExistIds: ids.filter((id) => !this.jobs.has(id)) };
  }

  private async enter(action: string, ids: readonly string[]): Promise<void> {
    this.calls.push({ action, ids: [...ids], at: this.clock.now() });
    if (this.latencyMs > 0) await this.clock.sleep(this.latencyMs);
    if (this.failures.length > 0) throw this.failures.shift();
  }

  private view(script: ScriptedJob, addedAt: number): FpDbDeleteJob {
    const elapsed = this.clock.now() - addedAt;
    if (script.endsAfterMs === undefined || elapsed < script.endsAfterMs) {
      return { ...script.job, status: elapsed > 0 ? "Analysing" : script.job.status };
    }
    const outcome = script.outcome ?? { status: "Success" };
    return outcome.status === "Success"
      ? { ...script.job, status: "Success", finishTime: "2026-11-24T00:10:00Z" }
      : { ...script.job, status: "Fail", code: outcome.code, message: outcome.message };
  }
}

/** A Delete job on library `lib-<n>` with id `job-<n>`. */
export function deleteJob(n: number): FpDbDeleteJob {
  return { jobId: `job-${n}`, fpDbId: `lib-${n}`, delType: "Delete", status: "Queuing" };
}
