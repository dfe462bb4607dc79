import { systemClock, type Clock, type Random } from "../clock";
import { isWriteAction } from "../resilience/classify";
import { processRateLimiters, type RateLimiterRegistry } from "../resilience/rate-limiter-registry";
import { DEFAULT_RETRY_OPTIONS, RetryStrategy, type RetryCall, type RetryOptions } from "../resilience/retry";
import {
  parseCreateFpShotDb,
  parseListFpShotDb,
  parseQueryFpDbDeleteJobList,
  parseSubmitFpDbDeleteJob,
} from "./parse";
import { createTransport, type Transport, type TransportFactory, type TransportOptions } from "./transport";
import {
  MAX_IDS_PER_CALL,
  type CreateFpShotDbRequest,
  type CreateFpShotDbResult,
  type ListFpShotDbResult,
  type MpsApi,
  type ReadOptions,
  type WriteOptions,
  type QueryFpDbDeleteJobListResult,
  type SubmitFpDbDeleteJobRequest,
  type SubmitFpDbDeleteJobResult,
} from "./types";

/** Client tuning as the settings module passes it. Durations in milliseconds. */
export interface ClientTuning {
  /** The service's per-action limit the client paces itself under (default 100). */
  requestsPerSecond?: number;
  /** Backoff base for transient failures (default 200). */
  retryBaseMs?: number;
  /** Backoff base for throttling (default 1000). */
  retryThrottleBaseMs?: number;
  /** Cap on one backoff delay (default 20000). */
  retryMaxDelayMs?: number;
  /** Attempts per call including the first (default 8). */
  maxAttempts?: number;
}

/** Options of {@link MpsClient}. */
export interface MpsClientOptions {
  transport: Transport;
  /** Where the per-action buckets live; default: the process-wide registry of `clock`. */
  limiters?: RateLimiterRegistry;
  /** Limit asked of the buckets (default: the registry's, 100). */
  requestsPerSecond?: number;
  retry?: Partial<RetryOptions>;
  clock?: Clock;
  random?: Random;
  /** Told about each retry, for logging. */
  onRetry?: RetryCall["onRetry"];
}

/**
 * The typed MPS client: one method per action, each paced by the shared per-action bucket and retried by the
 * one retry layer (reads on throttling and transient failures; writes only when certainly rejected; an
 * ambiguous write failure is thrown as `MpsApiError` with `kind: "ambiguous"`).
 */
export class MpsClient implements MpsApi {
  private readonly transport: Transport;
  private readonly limiters: RateLimiterRegistry;
  private readonly requestsPerSecond?: number;
  private readonly retry: RetryStrategy;
  private readonly onRetry?: RetryCall["onRetry"];

  constructor(options: MpsClientOptions) {
    const clock = options.clock ?? systemClock;
    this.transport = options.transport;
    this.limiters = options.limiters ?? processRateLimiters(clock);
    this.requestsPerSecond = options.requestsPerSecond;
    const retryOptions = { ...DEFAULT_RETRY_OPTIONS, ...definedOnly(options.retry ?? {}) };
    if (!Number.isInteger(retryOptions.maxAttempts) || retryOptions.maxAttempts < 1) {
      throw new RangeError(
        `maxAttempts must be a whole number of at least 1, got ${retryOptions.maxAttempts}`,
      );
    }
    this.retry = new RetryStrategy(retryOptions, clock, options.random ?? Math.random);
    this.onRetry = options.onRetry;
  }

  async createFpShotDb(request: CreateFpShotDbRequest): Promise<CreateFpShotDbResult> {
    return this.send(
      "CreateFpShotDB",
      definedOnly({
        Name: request.name,
        ModelId: request.modelId !== undefined ? String(request.modelId) : undefined,
        Description: request.description,
        Config: request.config,
      }),
      parseCreateFpShotDb,
    );
  }

  /** With no ids, answers with empty lists without calling (the service's behaviour there is undocumented). */
  async listFpShotDb(fpDbIds: readonly string[], options: ReadOptions = {}): Promise<ListFpShotDbResult> {
    checkIdCount("ListFpShotDB", fpDbIds);
    if (fpDbIds.length === 0) return { requestId: "", libraries: [], nonExistIds: [] };
    return this.send("ListFpShotDB", { FpDBIds: fpDbIds.join(",") }, parseListFpShotDb, options);
  }

  /** `DelType` is always sent, because the service's default (Purge) must never be chosen by omission. */
  async submitFpDbDeleteJob(
    request: SubmitFpDbDeleteJobRequest,
    options: WriteOptions = {},
  ): Promise<SubmitFpDbDeleteJobResult> {
    return this.send(
      "SubmitFpDBDeleteJob",
      definedOnly({
        FpDBId: request.fpDbId,
        DelType: request.delType,
        PipelineId: request.pipelineId,
        UserData: request.userData,
      }),
      parseSubmitFpDbDeleteJob,
      { onSend: options.onSent },
    );
  }

  /** No ids (or an empty list) asks for the service's 20 newest jobs. */
  async queryFpDbDeleteJobList(
    jobIds?: readonly string[],
    options: ReadOptions = {},
  ): Promise<QueryFpDbDeleteJobListResult> {
    checkIdCount("QueryFpDBDeleteJobList", jobIds ?? []);
    const query: Record<string, string> =
      jobIds !== undefined && jobIds.length > 0 ? { JobIds: jobIds.join(",") } : {};
    return this.send("QueryFpDBDeleteJobList", query, parseQueryFpDbDeleteJobList, options);
  }

  private send<T>(
    action: string,
    query: Record<string, string>,
    parse: (body: Record<string, unknown>) => T,
    options: Pick<RetryCall, "retryUntil" | "onSend"> = {},
  ): Promise<T> {
    const limiter = this.limiters.limiterFor(this.transport.endpointHost, action, this.requestsPerSecond);
    const call: RetryCall = {
      action,
      write: isWriteAction(action),
      limiter,
      onRetry: this.onRetry,
      retryUntil: options.retryUntil,
      onSend: options.onSend,
    };
    return this.retry.run(call, async () => parse(await this.transport.call(action, query)));
  }
}

/** Builds the transport and the client in one go, with tuning as the settings module names it. */
export function createMpsClient(
  options: TransportOptions &
    ClientTuning & {
      clock?: Clock;
      random?: Random;
      limiters?: RateLimiterRegistry;
      onRetry?: RetryCall["onRetry"];
      /** Builds the transport; the real network unless a front end or a test gives its own. */
      transportFactory?: TransportFactory;
    },
): MpsClient {
  // Read from the module at call time, so that a test replacing `createTransport` still takes effect.
  const transportFactory = options.transportFactory ?? createTransport;
  return new MpsClient({
    transport: transportFactory(options),
    limiters: options.limiters,
    requestsPerSecond: options.requestsPerSecond,
    retry: {
      maxAttempts: options.maxAttempts,
      baseMs: options.retryBaseMs,
      throttleBaseMs: options.retryThrottleBaseMs,
      maxDelayMs: options.retryMaxDelayMs,
    },
    clock: options.clock,
    random: options.random,
    onRetry: options.onRetry,
  });
}

function checkIdCount(action: string, ids: readonly string[]): void {
  if (ids.length > MAX_IDS_PER_CALL) {
    throw new RangeError(`${action} takes at most ${MAX_IDS_PER_CALL} ids per call, got ${ids.length}`);
  }
}

/** Drops undefined values, so defaults apply and no `undefined` reaches the wire. */
function definedOnly<T extends object>(record: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}
