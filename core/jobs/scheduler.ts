import type { Clock } from "../clock";
import { MAX_IDS_PER_CALL } from "../client/types";
import { MpsApiError } from "../errors";
import { fetchAccounted, type BatchSubject, type FetchBatch, type IdOutcome } from "./batched-lookup";
import {
  batchSlackMs,
  ClassLearning,
  LEADERS,
  nextLookAt,
  POLL_SHARE,
  type WaitBounds,
} from "./scheduler-rule";

/** The service's per-action limit when the settings do not say otherwise. */
export const DEFAULT_REQUESTS_PER_SECOND = 100;

/**
 * One-off lookups arriving in a burst (another came within `LOOKUP_BURST_MS`) are held up to `LOOKUP_HOLD_MS` so
 * the burst fills calls of 10: a destroy of 1000 libraries asks "already gone?" from 1000 steps started over a few
 * hundred milliseconds. A lookup with no other one just before it goes out at the next turn of the event loop.
 */
export const LOOKUP_BURST_MS = 50;
export const LOOKUP_HOLD_MS = 10;

/** Options of the process's {@link WaitScheduler}. */
export interface SchedulerOptions {
  clock: Clock;
  /** The per-account, per-action limit the client paces itself under (default 100). */
  requestsPerSecond?: number;
  /** Share of `requestsPerSecond` polling may take (default `POLL_SHARE`, a fifth). */
  pollShare?: number;
}

/** One look's verdict on a wait, as the watcher reads the answer. */
export interface LookVerdict<T> {
  done: boolean;
  /** The status to report (and to quote if the wait times out). */
  status: string;
  value: T;
  /** The wait's learning class, once the answer tells it (a job's DelType). */
  classKey?: string;
}

/** A wait as a watcher registers it. Durations in milliseconds. */
export interface WatchRequest<V, T> extends WaitBounds {
  id: string;
  /** Waits of one class learn from each other (rule 2 and 3 of scheduler-rule.ts). */
  classKey: string;
  /** When what is waited for began (default: now). */
  startedAt?: number;
  timeoutMs: number;
  /** What is waited for, for messages. */
  describe: string;
  /** Reads one answer (`undefined`: the service lists the id in NonExistIds); may throw to end the wait. */
  interpret(value: V | undefined): LookVerdict<T>;
  onTimeout(lastStatus: string, waitedMs: number): Error;
  onPoll?: (status: string, elapsedMs: number) => void;
  onPollError?: (error: MpsApiError, elapsedMs: number) => void;
}

/**
 * One wait scheduler per provider process: every wait (a job, a library becoming active or gone) registers its
 * id, and the scheduler decides when each id is next looked at (the rule in scheduler-rule.ts) and sends due ids
 * together, 10 per call. Lanes separate what cannot share a call (endpoint, identity, action); budgets are per
 * endpoint and action, the way the service meters requests.
 */
export class WaitScheduler {
  readonly clock: Clock;
  private readonly pollCallsPerSecond: number;
  private readonly budgets = new Map<string, PollBudget>();

  constructor(options: SchedulerOptions) {
    this.clock = options.clock;
    const share = options.pollShare ?? POLL_SHARE;
    this.pollCallsPerSecond = (options.requestsPerSecond ?? DEFAULT_REQUESTS_PER_SECOND) * share;
  }

  /** A lane for one kind of id on one endpoint; `budgetKey` names the endpoint and action its polls count against. */
  lane<V>(budgetKey: string, fetchBatch: FetchBatch<V>, subject: BatchSubject): Lane<V> {
    let budget = this.budgets.get(budgetKey);
    if (budget === undefined) {
      budget = new PollBudget(this.pollCallsPerSecond, this.clock);
      this.budgets.set(budgetKey, budget);
    }
    return new Lane(this.clock, budget, fetchBatch, subject);
  }
}

/**
 * Rule 4's budget: a token bucket of `rate` poll calls per second with a burst of a tenth of a second's worth
 * (at least one call), so any one-second window holds at most `1.1 x rate` poll calls.
 */
class PollBudget {
  private tokens: number;
  private last: number;
  private readonly capacity: number;

  constructor(
    private readonly rate: number,
    private readonly clock: Clock,
  ) {
    this.capacity = Math.max(1, rate / 10);
    this.tokens = this.capacity;
    this.last = clock.now();
  }

  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** When the next token will be there. */
  nextTokenAt(): number {
    this.refill();
    return this.last + Math.ceil(((1 - this.tokens) * 1000) / this.rate);
  }

  private refill(): void {
    const now = this.clock.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) * this.rate) / 1000);
    this.last = now;
  }
}

interface Watch<V> {
  request: WatchRequest<V, unknown>;
  classKey: string;
  startedAt: number;
  deadline: number;
  lastLookAt: number;
  nextAt: number;
  /** Rule 5: from when the wait may ride along in a call that goes anyway. */
  rideFrom: number;
  lastStatus: string;
  inFlight: boolean;
  /** The look in flight is the one at the deadline: if it does not end the wait, the wait times out. */
  final: boolean;
  /** Rule 3: a younger wait of its class was seen done at this time, so this one is looked at then. */
  hurryAt?: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

interface WaitClass<V> {
  learning: ClassLearning;
  /** Unfinished waits of the class, oldest first. */
  members: Watch<V>[];
}

interface LookupWaiter<V> {
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

/** The waits and lookups of one kind of id on one endpoint and identity. */
export class Lane<V> {
  private readonly watches = new Set<Watch<V>>();
  private readonly classes = new Map<string, WaitClass<V>>();
  private lookups = new Map<string, LookupWaiter<V>[]>();
  private lastLookupAt = -Infinity;
  private wakeAt = Infinity;
  private timer = 0;

  constructor(
    private readonly clock: Clock,
    private readonly budget: PollBudget,
    private readonly fetchBatch: FetchBatch<V>,
    private readonly subject: BatchSubject,
  ) {}

  /**
   * Looks up `ids` once (not a poll: no budget, no schedule). Lookups made in the same turn of the event loop
   * share calls; each id maps to its value, or `undefined` when the service lists it in NonExistIds.
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
            const waiters = this.lookups.get(id) ?? [];
            waiters.push({ resolve, reject });
            this.lookups.set(id, waiters);
            const full = this.lookups.size >= MAX_IDS_PER_CALL;
            this.arm(inBurst && !full ? now + LOOKUP_HOLD_MS : now);
          }),
      ),
    );
    return new Map(unique.map((id, index) => [id, values[index]]));
  }

  /** Registers a wait; resolves with the verdict's value once it is done (see {@link WatchRequest}). */
  wait<T>(request: WatchRequest<V, T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const startedAt = request.startedAt ?? this.clock.now();
      const watch: Watch<V> = {
        request: request as WatchRequest<V, unknown>,
        classKey: request.classKey,
        startedAt,
        deadline: startedAt + request.timeoutMs,
        lastLookAt: startedAt,
        nextAt: startedAt,
        rideFrom: startedAt,
        lastStatus: "unknown (not polled yet)",
        inFlight: false,
        final: false,
        resolve: resolve as (value: unknown) => void,
        reject,
      };
      this.watches.add(watch);
      this.join(watch, watch.classKey);
      this.plan(watch);
      this.arm(watch.nextAt);
    });
  }

  /** Ids registered in waits right now (for tests and diagnostics). */
  get waiting(): number {
    return this.watches.size;
  }

  private classOf(key: string): WaitClass<V> {
    let entry = this.classes.get(key);
    if (entry === undefined) {
      entry = { learning: new ClassLearning(), members: [] };
      this.classes.set(key, entry);
    }
    return entry;
  }

  private join(watch: Watch<V>, key: string): void {
    watch.classKey = key;
    const members = this.classOf(key).members;
    let at = members.length;
    while (at > 0 && members[at - 1].startedAt > watch.startedAt) at -= 1;
    members.splice(at, 0, watch);
  }

  private leave(watch: Watch<V>): void {
    const members = this.classOf(watch.classKey).members;
    const at = members.indexOf(watch);
    if (at >= 0) members.splice(at, 1);
  }

  /** Sets `watch.nextAt` by the rule, never past its deadline. `rank`: its place among its class's members. */
  private plan(watch: Watch<V>, rank?: number): void {
    const entry = this.classOf(watch.classKey);
    const at = rank ?? entry.members.indexOf(watch);
    const shadowed = entry.learning.inOrder() && at >= LEADERS;
    const youngest = entry.members[entry.members.length - 1];
    const younger = {
      count: entry.members.length - 1 - at,
      spanMs: youngest === undefined ? 0 : youngest.startedAt - watch.startedAt,
    };
    const planned = nextLookAt(
      {
        startedAt: watch.startedAt,
        lastLookAt: watch.lastLookAt,
        floorMs: watch.request.floorMs,
        capMs: watch.request.capMs,
        shadowed,
      },
      entry.learning.expectedMs(younger),
    );
    watch.nextAt = Math.min(planned.at, watch.hurryAt ?? Infinity, watch.deadline);
    watch.rideFrom = Math.min(planned.rideFrom, watch.nextAt);
  }

  private replanClass(key: string): void {
    const members = this.classOf(key).members;
    for (let rank = 0; rank < members.length; rank++)
      if (!members[rank].inFlight) this.plan(members[rank], rank);
  }

  /** Makes sure the lane wakes up at `at` (or earlier). */
  private arm(at: number): void {
    if (at >= this.wakeAt) return;
    this.wakeAt = at;
    const timer = ++this.timer;
    void this.clock.sleep(Math.max(0, at - this.clock.now())).then(() => {
      if (timer !== this.timer) return;
      this.wakeAt = Infinity;
      this.tick();
    });
  }

  private tick(): void {
    const now = this.clock.now();
    const ready = [...this.watches].filter((w) => !w.inFlight).sort((a, b) => a.nextAt - b.nextAt);
    const taken = new Set<Watch<V>>();
    // Rule 5: holding looks back and taking them along early only pay when more waits run than one call holds;
    // with fewer, every wait is looked at exactly on its own schedule.
    const crowded = this.watches.size > MAX_IDS_PER_CALL;

    // One-off lookups go at once; due polls (and those within their slack) ride along for free.
    if (this.lookups.size > 0) {
      const lookups = this.lookups;
      this.lookups = new Map();
      const ids = [...lookups.keys()];
      const riders = crowded ? ready.filter((w) => w.rideFrom <= now) : [];
      const calls = chunk(ids, MAX_IDS_PER_CALL);
      const last = calls[calls.length - 1];
      for (const rider of riders) {
        if (last.length >= MAX_IDS_PER_CALL) break;
        if (!last.includes(rider.request.id)) last.push(rider.request.id);
      }
      for (const call of calls) {
        const riding = riders.filter((w) => call.includes(w.request.id) && !taken.has(w));
        for (const w of riding) taken.add(w);
        const waiters = new Map(
          call.flatMap((id) => (lookups.has(id) ? [[id, lookups.get(id)!] as const] : [])),
        );
        void this.send(call, riding, waiters);
      }
    }

    const pending = ready.filter((w) => !taken.has(w));
    while (pending.length > 0) {
      const first = pending[0];
      if (first.nextAt > now) {
        this.arm(first.nextAt);
        break;
      }
      // Rule 5: the group is the due ids plus those due within the first one's slack, up to 10 ids. Every id
      // already due belongs to it, whatever its slack: after a wait for a poll token (rule 4), ids that came due
      // meanwhile would otherwise each wait for a token of their own, and the last waits of a bulk run, a few
      // milliseconds apart, would be seen a token interval later each.
      const slackEnd = Math.max(now, first.nextAt + (crowded ? slackOf(first, first.nextAt) : 0));
      const ids: string[] = [];
      let sendAt = first.nextAt;
      let members = 0;
      for (const w of pending) {
        if (w.nextAt > slackEnd) break;
        if (!ids.includes(w.request.id)) {
          if (ids.length >= MAX_IDS_PER_CALL) break;
          ids.push(w.request.id);
        }
        sendAt = Math.max(sendAt, w.nextAt);
        members += 1;
      }
      if (sendAt > now) {
        this.arm(sendAt);
        break;
      }
      if (!this.budget.tryTake()) {
        this.arm(this.budget.nextTokenAt());
        break;
      }
      const group = pending.splice(0, members);
      // Rule 5: room left in the call goes to waits past half their gap, soonest due first.
      for (let i = 0; crowded && i < pending.length && ids.length < MAX_IDS_PER_CALL;) {
        const rider = pending[i];
        if (rider.rideFrom <= now) {
          if (!ids.includes(rider.request.id)) ids.push(rider.request.id);
          group.push(rider);
          pending.splice(i, 1);
        } else i += 1;
      }
      void this.send(ids, group, new Map());
    }
  }

  private async send(
    ids: string[],
    riding: Watch<V>[],
    lookups: Map<string, LookupWaiter<V>[]>,
  ): Promise<void> {
    const sentAt = this.clock.now();
    for (const w of riding) {
      w.inFlight = true;
      w.final = sentAt >= w.deadline;
      w.hurryAt = undefined;
    }
    // A look never outlasts the bound of a wait riding on it: retries stop at the earliest deadline, and a wait
    // whose look then failed plans another look or, at its deadline, times out.
    const retryUntil = Math.min(...riding.map((w) => w.deadline));
    const outcomes = await fetchAccounted(this.fetchBatch, ids, this.subject, {
      retryUntil: Number.isFinite(retryUntil) ? retryUntil : undefined,
    });
    const answeredAt = this.clock.now();
    for (const [id, waiters] of lookups) {
      const outcome = outcomes.get(id);
      for (const waiter of waiters) {
        if (outcome?.ok) waiter.resolve(outcome.value);
        else waiter.reject(outcome?.error);
      }
    }
    const touched = new Set<string>();
    for (const w of riding) {
      const outcome = outcomes.get(w.request.id);
      if (outcome !== undefined) this.settle(w, outcome, { sentAt, answeredAt }, touched);
    }
    for (const key of touched) this.replanClass(key);
    let earliest = Infinity;
    for (const w of this.watches) if (!w.inFlight) earliest = Math.min(earliest, w.nextAt);
    if (earliest < Infinity) this.arm(earliest);
  }

  /**
   * Applies one look's outcome to a wait. `touched` collects the classes that learned something. A wait seen done
   * learns its duration up to the answer, not the send: the call may wait for a send token and travel before
   * the service looks, so a duration measured to the send can be shorter than the job, and looks planned from it
   * would come before the next jobs end and miss them by a whole gap.
   */
  private settle(
    w: Watch<V>,
    outcome: IdOutcome<V>,
    { sentAt, answeredAt }: { sentAt: number; answeredAt: number },
    touched: Set<string>,
  ): void {
    w.inFlight = false;
    const request = w.request;
    const elapsed = (): number => this.clock.now() - w.startedAt;
    if (!outcome.ok) {
      const error = outcome.error;
      if (!(error instanceof MpsApiError)) return this.finish(w, touched, () => w.reject(error));
      if (error.kind === "fatal")
        return this.finish(w, touched, () => w.reject(whileWaiting(error, request.describe)));
      request.onPollError?.(error, elapsed());
      return this.again(w, sentAt, touched);
    }
    let verdict: LookVerdict<unknown>;
    try {
      verdict = request.interpret(outcome.value);
    } catch (error) {
      return this.finish(w, touched, () => w.reject(error));
    }
    w.lastStatus = verdict.status;
    request.onPoll?.(verdict.status, elapsed());
    if (verdict.classKey !== undefined && verdict.classKey !== w.classKey) {
      // Both classes' oldest waits may change: replan them.
      touched.add(w.classKey);
      this.leave(w);
      this.join(w, verdict.classKey);
      touched.add(w.classKey);
    }
    const entry = this.classOf(w.classKey);
    if (verdict.done) {
      entry.learning.done(w.startedAt, answeredAt);
      touched.add(w.classKey);
      this.finish(w, touched, () => w.resolve(verdict.value));
      // Rule 3: in a class that finishes in order, the waits older than this one are probably done too.
      if (entry.learning.inOrder()) {
        const now = this.clock.now();
        for (const older of entry.members) {
          if (older.startedAt >= w.startedAt) break;
          if (!older.inFlight) older.hurryAt = Math.min(older.hurryAt ?? Infinity, now);
        }
      }
      return;
    }
    const wasInOrder = entry.learning.inOrder();
    entry.learning.running(w.startedAt, sentAt);
    if (wasInOrder && !entry.learning.inOrder()) touched.add(w.classKey);
    this.again(w, sentAt, touched);
  }

  private again(w: Watch<V>, sentAt: number, touched: Set<string>): void {
    if (w.final) {
      const waitedMs = this.clock.now() - w.startedAt;
      this.finish(w, touched, () => w.reject(w.request.onTimeout(w.lastStatus, waitedMs)));
      return;
    }
    w.lastLookAt = sentAt;
    this.plan(w);
  }

  private finish(w: Watch<V>, touched: Set<string>, settle: () => void): void {
    // A leader leaving makes the next oldest wait of its class a leader, with an earlier look due.
    if (this.classOf(w.classKey).members.indexOf(w) < LEADERS) touched.add(w.classKey);
    this.watches.delete(w);
    this.leave(w);
    settle();
  }
}

function slackOf(w: Watch<unknown>, at: number): number {
  return batchSlackMs({ startedAt: w.startedAt, capMs: w.request.capMs }, at);
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out.length > 0 ? out : [[]];
}

/** A fatal error seen while waiting, with what was waited for in front. */
export function whileWaiting(error: MpsApiError, describe: string): MpsApiError {
  return new MpsApiError(
    `While waiting for ${describe}: ${error.message}`,
    error.action,
    error.code,
    error.kind,
    error.statusCode,
    error.requestId,
  );
}
