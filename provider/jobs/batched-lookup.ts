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
}

/**
 * Coalesces lookups by id from many concurrent callers into batched calls: ids requested within a short window
 * share calls of at most 10 ids, a batch is sent as soon as it is full, and batches go out in parallel (the
 * client's rate limiter paces them). A thousand waiters therefore cost about a hundred calls per round.
 * Callers asking for the same id before its batch is sent share one answer.
 */
export class BatchedLookup<V> {
  private pending = new Map<string, Pending<V | undefined>>();
  private windowArmed = false;

  constructor(
    private readonly fetchBatch: FetchBatch<V>,
    private readonly clock: Clock,
    private readonly windowMs: number = DEFAULT_COALESCE_WINDOW_MS,
    private readonly maxIdsPerCall: number = MAX_IDS_PER_CALL,
  ) {}

  /** Looks up `ids` (duplicates allowed); each maps to its value or `undefined` when it does not exist. */
  async lookup(ids: readonly string[]): Promise<Map<string, V | undefined>> {
    const unique = [...new Set(ids)];
    const values = await Promise.all(unique.map((id) => this.request(id)));
    return new Map(unique.map((id, index) => [id, values[index]]));
  }

  private request(id: string): Promise<V | undefined> {
    const existing = this.pending.get(id);
    if (existing !== undefined) return existing.promise;
    const entry = deferred<V | undefined>();
    this.pending.set(id, entry);
    if (this.pending.size >= this.maxIdsPerCall) this.dispatch();
    else this.armWindow();
    return entry.promise;
  }

  private armWindow(): void {
    if (this.windowArmed) return;
    this.windowArmed = true;
    void this.clock.sleep(this.windowMs).then(() => {
      this.windowArmed = false;
      this.dispatch();
    });
  }

  private dispatch(): void {
    const batch = [...this.pending];
    this.pending = new Map();
    for (let start = 0; start < batch.length; start += this.maxIdsPerCall) {
      void this.send(batch.slice(start, start + this.maxIdsPerCall));
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

function deferred<T>(): Pending<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
