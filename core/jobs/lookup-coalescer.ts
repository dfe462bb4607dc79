import type { Clock } from "../clock";
import { MAX_IDS_PER_CALL, type ReadOptions } from "../client/types";
import { fetchAccounted, type BatchSubject, type FetchBatch, type IdOutcome } from "./batched-lookup";

/**
 * One-off lookups arriving in a burst (another came within `LOOKUP_BURST_MS`) are held up to `LOOKUP_HOLD_MS` so
 * the burst fills calls of 10: a destroy of 1000 libraries asks "already gone?" from 1000 steps started over a few
 * hundred milliseconds. A lookup with no other one just before it goes out at the next turn of the event loop.
 */
export const LOOKUP_BURST_MS = 50;
export const LOOKUP_HOLD_MS = 10;

interface LookupWaiter<V> {
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

/** One call as the coalescer packs it: at most `MAX_IDS_PER_CALL` ids, and the lookups it answers. */
export interface PackedCall<V> {
  ids: string[];
  lookups: Map<string, LookupWaiter<V>[]>;
}

/**
 * The calling half of a lane: packs ids into calls of up to 10 and sends them. One-off lookups (not polls: no
 * schedule, no budget share) wait here until the lane flushes them, together with any ids the poll planner lets
 * ride along for free; a call's answer settles each lookup's callers and is handed back, id by id, for the waits
 * that rode in it. Duplicate ids share one slot.
 */
export class LookupCoalescer<V> {
  private pending = new Map<string, LookupWaiter<V>[]>();
  private lastLookupAt = -Infinity;

  /** `flushBy(at)`: the lane is asked to flush at `at` or earlier. */
  constructor(
    private readonly clock: Clock,
    private readonly fetchBatch: FetchBatch<V>,
    private readonly subject: BatchSubject,
    private readonly flushBy: (at: number) => void,
  ) {}

  /**
   * Looks up `ids` once. Lookups made in the same turn of the event loop, or in a burst, share calls; each id maps
   * to its value, or `undefined` when the service lists it in NonExistIds.
   */
  async lookup(ids: readonly string[]): Promise<Map<string, V | undefined>> {
    const unique = [...new Set(ids)];
    const now = this.clock.now();
    const inBurst = now - this.lastLookupAt < LOOKUP_BURST_MS;
    this.lastLookupAt = now;
    const values = await Promise.all(
      unique.map(
        (id) =>
          new Promise<V | undefined>((resolve, reject) => {
            const waiters = this.pending.get(id) ?? [];
            waiters.push({ resolve, reject });
            this.pending.set(id, waiters);
            const full = this.pending.size >= MAX_IDS_PER_CALL;
            this.flushBy(inBurst && !full ? now + LOOKUP_HOLD_MS : now);
          }),
      ),
    );
    return new Map(unique.map((id, index) => [id, values[index]]));
  }

  /** Whether lookups wait to be sent. */
  get hasPending(): boolean {
    return this.pending.size > 0;
  }

  /**
   * Packs the pending lookups into calls of up to 10 ids and gives the room left in the last one to `riders` (ids
   * whose looks may go along, best first): a rider already asked for by a lookup takes no room. Returns no call
   * when no lookup is pending: riders alone do not make a call.
   */
  take(riders: readonly string[]): PackedCall<V>[] {
    if (this.pending.size === 0) return [];
    const lookups = this.pending;
    this.pending = new Map();
    const calls: PackedCall<V>[] = [];
    for (const [id, waiters] of lookups) {
      let call = calls[calls.length - 1];
      if (call === undefined || call.ids.length >= MAX_IDS_PER_CALL) {
        call = { ids: [], lookups: new Map() };
        calls.push(call);
      }
      call.ids.push(id);
      call.lookups.set(id, waiters);
    }
    const last = calls[calls.length - 1];
    for (const id of riders) {
      if (last.ids.length >= MAX_IDS_PER_CALL) break;
      if (!lookups.has(id) && !last.ids.includes(id)) last.ids.push(id);
    }
    return calls;
  }

  /** Sends one call, settles the lookups it answers, and returns every id's outcome (for the waits riding in it). */
  async send(call: PackedCall<V>, options: ReadOptions = {}): Promise<Map<string, IdOutcome<V>>> {
    const outcomes = await fetchAccounted(this.fetchBatch, call.ids, this.subject, options);
    for (const [id, waiters] of call.lookups) {
      const outcome = outcomes.get(id);
      for (const waiter of waiters) {
        if (outcome?.ok) waiter.resolve(outcome.value);
        else waiter.reject(outcome?.error);
      }
    }
    return outcomes;
  }
}
