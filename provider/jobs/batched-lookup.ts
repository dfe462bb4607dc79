import type { Clock } from "../clock";
import { MAX_IDS_PER_CALL } from "../client/types";
import { MpsApiError } from "../errors";

/** How long a lookup waits for company before its (partial) batch is sent, in milliseconds. */
export const DEFAULT_COALESCE_WINDOW_MS = 250;

/**
 * What one batched call said about its ids: the items it listed, keyed by the id as asked, and the ids it listed
 * in `NonExistIds`. An id in neither is one the answer does not account for.
 */
export interface BatchAnswer<V> {
  found: Map<string, V>;
  gone: Set<string>;
}

/** Fetches one batch of at most `MAX_IDS_PER_CALL` ids. Throws when the whole call failed. */
export type FetchBatch<V> = (ids: string[]) => Promise<BatchAnswer<V>>;

/** The outcome for one id of a batch: its value (`undefined` = the service says it does not exist), or an error. */
export type IdOutcome<V> = { ok: true; value: V | undefined } | { ok: false; error: unknown };

/** What a batch is about, for the messages of errors that concern one id. */
export interface BatchSubject {
  /** The action, e.g. `ListFpShotDB`. */
  action: string;
  /** What one id names, e.g. `library`, `job`. */
  noun: string;
}

/**
 * Fetches `ids` and accounts for each one separately.
 *
 * - An id is gone (`undefined`) only when the answer lists it in `NonExistIds`; an id the answer neither lists
 *   nor reports missing is an error naming it, never "gone": MPS may spell an id differently from the way it
 *   was asked (it trims spaces), and treating that as gone would skip a delete and leave the library alive.
 * - A call refused with `InvalidParameter*` is refused for the sake of some id in it (one with a comma makes
 *   the call carry 11 ids), so the batch is split in halves and each half retried, down to single ids: the
 *   neighbours get their answers and only the offending id fails, with an error naming it. Other failures
 *   (auth, throttling, transport) concern the whole call and fail every id of the batch as they are.
 */
export async function fetchAccounted<V>(
  fetchBatch: FetchBatch<V>,
  ids: readonly string[],
  subject: BatchSubject,
): Promise<Map<string, IdOutcome<V>>> {
  const outcomes = new Map<string, IdOutcome<V>>();
  let answer: BatchAnswer<V>;
  try {
    answer = await fetchBatch([...ids]);
  } catch (error) {
    if (!refusedForOneId(error)) {
      for (const id of ids) outcomes.set(id, { ok: false, error });
      return outcomes;
    }
    if (ids.length === 1) {
      outcomes.set(ids[0], { ok: false, error: namingId(error, ids[0], subject) });
      return outcomes;
    }
    const middle = Math.ceil(ids.length / 2);
    const halves = await Promise.all([
      fetchAccounted(fetchBatch, ids.slice(0, middle), subject),
      fetchAccounted(fetchBatch, ids.slice(middle), subject),
    ]);
    for (const half of halves) for (const [id, outcome] of half) outcomes.set(id, outcome);
    return outcomes;
  }
  for (const id of ids) {
    const value = answer.found.get(id);
    if (value !== undefined) outcomes.set(id, { ok: true, value });
    else if (answer.gone.has(id)) outcomes.set(id, { ok: true, value: undefined });
    else outcomes.set(id, { ok: false, error: unaccounted(id, subject) });
  }
  return outcomes;
}

function refusedForOneId(error: unknown): error is MpsApiError {
  return (
    error instanceof MpsApiError &&
    error.kind === "fatal" &&
    /^(InvalidParameter|MissingParameter)/.test(error.code)
  );
}

function namingId(error: MpsApiError, id: string, subject: BatchSubject): MpsApiError {
  return new MpsApiError(
    `${subject.action} refused ${subject.noun} id ${JSON.stringify(id)} (asked alone after a batch with it was ` +
      `refused; the other ids of the batch were answered): ${error.message} Check the id: MPS ids carry no ` +
      `spaces or commas.`,
    error.action,
    error.code,
    error.kind,
    error.statusCode,
    error.requestId,
  );
}

function unaccounted(id: string, subject: BatchSubject): MpsApiError {
  return new MpsApiError(
    `${subject.action} did not account for ${subject.noun} id ${JSON.stringify(id)}: the answer neither lists it ` +
      `nor names it in NonExistIds, so it is not known to be gone and nothing was treated as gone. MPS may spell ` +
      `the id differently (surrounding spaces, another case): check the id recorded for this ${subject.noun} ` +
      `against the MPS console and correct it, then run the operation again.`,
    subject.action,
    "UnaccountedId",
    "fatal",
  );
}

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
 * Callers asking for the same id before its batch is sent share one answer; each id is accounted for on its own
 * ({@link fetchAccounted}).
 */
export class BatchedLookup<V> {
  private pending = new Map<string, Pending<V | undefined>>();
  /** The window in progress, if any; a full batch ends it, so the next id waits a whole window for company. */
  private window?: object;

  constructor(
    private readonly fetchBatch: FetchBatch<V>,
    private readonly clock: Clock,
    private readonly subject: BatchSubject,
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
    const outcomes = await fetchAccounted(
      this.fetchBatch,
      chunk.map(([id]) => id),
      this.subject,
    );
    for (const [id, entry] of chunk) {
      const outcome = outcomes.get(id)!;
      if (outcome.ok) entry.resolve(outcome.value);
      else entry.reject(outcome.error);
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
