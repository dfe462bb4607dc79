import type { Clock } from "../clock";
import { MAX_IDS_PER_CALL } from "../client/types";

/** How long a lookup waits for company before its (partial) batch is sent, in milliseconds. */
export const DEFAULT_COALESCE_WINDOW_MS = 250;

/** Fetches one batch of at most `MAX_IDS_PER_CALL` ids; an id missing from the map means "does not exist". */
export type FetchBatch<V> = (ids: string[]) => Promise<Map<string, V | undefined>>;

interface Pending<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
  /** The earliest time (this lookup's clock) the id's call may go out. */
  notBefore?: number;
}

/** Options of one {@link BatchedLookup.lookup}. */
export interface LookupOptions {
  /**
   * When the answer is due (epoch ms of the lookup's clock), for a poll asked for up to one coalescing window
   * ahead of its due time so that it can share a call without being late: a call never goes out before every
   * id in it is due, whether its batch filled up or its window ended.
   */
  notBefore?: number;
}

/**
 * Coalesces lookups by id from many concurrent callers into batched calls: ids requested within a short window
 * share calls of at most 10 ids, a batch is sent as soon as it is full (a poll's, once every id in it is due),
 * and batches go out in parallel (the client's rate limiter paces them). A thousand waiters therefore cost about a hundred calls per round.
 * Callers asking for the same id before its batch is sent share one answer.
 */
export class BatchedLookup<V> {
  private pending = new Map<string, Pending<V | undefined>>();
  /** The window in progress, if any; a full batch ends it, so the next id waits a whole window for company. */
  private window?: object;

  constructor(
    private readonly fetchBatch: FetchBatch<V>,
    private readonly clock: Clock,
    private readonly windowMs: number = DEFAULT_COALESCE_WINDOW_MS,
    private readonly maxIdsPerCall: number = MAX_IDS_PER_CALL,
  ) {}

  /** Looks up `ids` (duplicates allowed); each maps to its value or `undefined` when it does not exist. */
  async lookup(ids: readonly string[], options: LookupOptions = {}): Promise<Map<string, V | undefined>> {
    const unique = [...new Set(ids)];
    const values = await Promise.all(unique.map((id) => this.request(id, options.notBefore)));
    return new Map(unique.map((id, index) => [id, values[index]]));
  }

  private request(id: string, notBefore: number | undefined): Promise<V | undefined> {
    const existing = this.pending.get(id);
    if (existing !== undefined) return existing.promise;
    const entry: Pending<V | undefined> = { ...deferred<V | undefined>(), notBefore };
    this.pending.set(id, entry);
    if (this.pending.size >= this.maxIdsPerCall) this.dispatchFull();
    else this.armWindow();
    return entry.promise;
  }

  /** A full batch ends the window: it goes out at once (or once its last id is due). */
  private dispatchFull(): void {
    this.window = undefined;
    this.dispatch();
  }

  private armWindow(): void {
    if (this.window !== undefined) return;
    const window = {};
    this.window = window;
    void this.clock.sleep(this.windowMs).then(() => {
      if (this.window !== window) return;
      this.window = undefined;
      this.dispatch();
    });
  }

  /** Sends everything pending, in calls of at most `maxIdsPerCall` ids, each once all of its ids are due. */
  private dispatch(): void {
    const batch = [...this.pending];
    this.pending = new Map();
    for (let start = 0; start < batch.length; start += this.maxIdsPerCall) {
      const chunk = batch.slice(start, start + this.maxIdsPerCall);
      const waitMs = Math.max(...chunk.map(([, entry]) => entry.notBefore ?? -Infinity)) - this.clock.now();
      if (waitMs > 0) void this.clock.sleep(waitMs).then(() => this.send(chunk));
      else void this.send(chunk);
    }
  }

  private async send(chunk: [string, Pending<V | undefined>][]): Promise<void> {
    try {
      const found = await this.fetchBatch(chunk.map(([id]) => id));
      for (const [id, entry] of chunk) entry.resolve(found.get(id));
    } catch (error) {
      for (const [, entry] of chunk) entry.reject(error);
    }
  }
}

function deferred<T>(): Omit<Pending<T>, "notBefore"> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
