import type { Clock } from "../clock";
import { MAX_IDS_PER_CALL } from "../client/types";
import { MpsApiError } from "../errors";
import type { RateShare } from "../resilience/rate-limiter";
import type { IdOutcome } from "./batched-lookup";
import { batchSlackMs, ClassLearning, LEADERS, nextLookAt, type WaitBounds } from "./scheduler-rule";

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

/** A registered wait and where it stands. Times in epoch milliseconds of the planner's clock. */
export interface Watch<V> {
  readonly request: WatchRequest<V, unknown>;
  classKey: string;
  readonly startedAt: number;
  readonly deadline: number;
  lastLookAt: number;
  /** When the rule wants it looked at (rules 1 to 3), never past the deadline. */
  nextAt: number;
  /** Rule 6: from when a look may come sooner, where the budget is idle. */
  spareAt: number;
  /** Rule 5: from when the wait may ride along in a call that goes anyway. */
  rideFrom: number;
  lastStatus: string;
  inFlight: boolean;
  /** The look in flight is the one at the deadline: if it does not end the wait, the wait times out. */
  final: boolean;
  /** Rule 3: a younger wait of its class was seen done at this time, so this one is looked at then. */
  hurryAt?: number;
  /** Rule 3: whether it was shadowed when last planned, and when it stopped being (the cap counts from then). */
  shadowed: boolean;
  promotedAt: number;
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Waits to look at in one call that only polls. */
export interface PollCall<V> {
  ids: string[];
  watches: Watch<V>[];
}

interface WaitClass<V> {
  learning: ClassLearning;
  /** Unfinished waits of the class, oldest first. */
  members: Watch<V>[];
  /** Rule 3: when a sample of the class's shadowed waits was last looked at. */
  sampledAt: number;
}

/**
 * The planning half of a lane: which wait is looked at when, by the rule in scheduler-rule.ts. It keeps the waits
 * and their classes, says which are due (and when to ask again), and learns from the answers; it sends nothing
 * and sets no timer, so it can be driven step by step on a fake clock. Calls that only poll are spaced by `share`,
 * the polls' share of the endpoint and action's one request budget (rule 4).
 */
export class PollPlanner<V> {
  private readonly watches = new Set<Watch<V>>();
  private readonly classes = new Map<string, WaitClass<V>>();

  constructor(
    private readonly clock: Clock,
    private readonly share: RateShare,
  ) {}

  /** Registers a wait; `resolve` and `reject` settle it when it ends. */
  add<T>(request: WatchRequest<V, T>, resolve: (value: T) => void, reject: (error: unknown) => void): void {
    const startedAt = request.startedAt ?? this.clock.now();
    const watch: Watch<V> = {
      request: request as WatchRequest<V, unknown>,
      classKey: request.classKey,
      startedAt,
      deadline: startedAt + request.timeoutMs,
      lastLookAt: startedAt,
      nextAt: startedAt,
      spareAt: startedAt,
      rideFrom: startedAt,
      lastStatus: "unknown (not polled yet)",
      inFlight: false,
      final: false,
      shadowed: false,
      promotedAt: startedAt,
      resolve: resolve as (value: unknown) => void,
      reject,
    };
    this.watches.add(watch);
    this.join(watch, watch.classKey);
    this.plan(watch);
  }

  /** Unfinished waits. */
  get size(): number {
    return this.watches.size;
  }

  /**
   * More waits than one call holds. Rules 3's sample and 5 apply to a crowded lane only, rule 6 to one that is
   * not: with few waits the calls are few, every wait is looked at on its own schedule, and idle budget is spent.
   */
  get crowded(): boolean {
    return this.watches.size > MAX_IDS_PER_CALL;
  }

  /** Rule 5: waits that may ride along now in a call that goes anyway (none unless crowded), soonest due first. */
  riders(now: number): Watch<V>[] {
    if (!this.crowded) return [];
    return this.ready()
      .filter((w) => w.rideFrom <= now)
      .sort((a, b) => a.nextAt - b.nextAt);
  }

  /**
   * The calls that only poll to send now (rules 1 to 6), and when to ask again (`Infinity`: when a wait is added
   * or a look answered). Each call returned has taken its turn of the share; mark its waits {@link sent}.
   */
  due(now: number): { calls: PollCall<V>[]; wakeAt: number } {
    const dueAt = this.dueTimes(now);
    const at = (w: Watch<V>): number => dueAt.get(w) ?? w.nextAt;
    const pending = this.ready().sort((a, b) => at(a) - at(b));
    const crowded = this.crowded;
    const calls: PollCall<V>[] = [];
    while (pending.length > 0) {
      const first = pending[0];
      const firstAt = at(first);
      if (firstAt > now) return { calls, wakeAt: firstAt };
      // Rule 5: the group is the due ids plus those due within the first one's slack, up to 10 ids. Every id
      // already due belongs to it, whatever its slack: after a wait for the share's turn (rule 4), ids that came
      // due meanwhile would otherwise each wait for a turn of their own, and the last waits of a bulk run, a few
      // milliseconds apart, would be seen a turn later each.
      const slackEnd = Math.max(now, firstAt + (crowded ? slackOf(first, firstAt) : 0));
      const ids: string[] = [];
      let sendAt = firstAt;
      let members = 0;
      for (const w of pending) {
        if (at(w) > slackEnd) break;
        if (!ids.includes(w.request.id)) {
          if (ids.length >= MAX_IDS_PER_CALL) break;
          ids.push(w.request.id);
        }
        sendAt = Math.max(sendAt, at(w));
        members += 1;
      }
      if (sendAt > now) return { calls, wakeAt: sendAt };
      const turn = this.share.availableAt();
      if (turn > now) return { calls, wakeAt: turn };
      this.share.take();
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
      calls.push({ ids, watches: group });
    }
    return { calls, wakeAt: Infinity };
  }

  /** When the earliest wait not in flight is due (Infinity when none is). */
  nextDueAt(now: number): number {
    const dueAt = this.dueTimes(now);
    let earliest = Infinity;
    for (const w of this.ready()) earliest = Math.min(earliest, dueAt.get(w) ?? w.nextAt);
    return earliest;
  }

  /** A look at `watches` was sent now. */
  sent(watches: readonly Watch<V>[]): void {
    const now = this.clock.now();
    for (const w of watches) {
      w.inFlight = true;
      w.final = now >= w.deadline;
      w.hurryAt = undefined;
      const entry = this.classOf(w.classKey);
      if (this.shadowed(entry, w)) entry.sampledAt = now;
    }
  }

  /**
   * Applies one call's answer to the waits that rode in it. A wait seen done learns its duration up to the
   * answer, not the send: the call may wait for a send token and travel before the service looks, so a duration
   * measured to the send can be shorter than the job, and looks planned from it would come before the next jobs
   * end and miss them by a whole gap.
   */
  answered(
    watches: readonly Watch<V>[],
    outcomes: Map<string, IdOutcome<V>>,
    times: { sentAt: number; answeredAt: number },
  ): void {
    const touched = new Set<string>();
    for (const w of watches) {
      const outcome = outcomes.get(w.request.id);
      if (outcome !== undefined) this.settle(w, outcome, times, touched);
    }
    for (const key of touched) this.replanClass(key);
  }

  private ready(): Watch<V>[] {
    return [...this.watches].filter((w) => !w.inFlight);
  }

  /**
   * Where a wait is due sooner than its own plan: rule 6's spare looks while the budget is idle, and rule 3's
   * sample of each class's shadowed waits, one call's worth per cap.
   */
  private dueTimes(now: number): Map<Watch<V>, number> {
    const due = new Map<Watch<V>, number>();
    if (!this.crowded) {
      // Rule 6. Not idle yet: ask again once it may be, at the polls' pace at the soonest (a look the rule wants
      // sooner still comes then).
      const idleAt = this.share.limiter.idleAt();
      const askAt = idleAt > now ? Math.max(idleAt, now + 1000 / this.share.rate()) : now;
      for (const w of this.watches) {
        const spare = Math.max(w.spareAt, askAt);
        if (!w.inFlight && spare < w.nextAt) due.set(w, spare);
      }
      return due;
    }
    for (const entry of this.classes.values()) {
      if (!entry.learning.inOrder() || entry.members.length <= LEADERS) continue;
      const candidates = entry.members
        .slice(LEADERS)
        .filter((w) => !w.inFlight && w.nextAt > w.lastLookAt + w.request.capMs)
        .sort((a, b) => a.lastLookAt - b.lastLookAt || a.startedAt - b.startedAt)
        .slice(0, LEADERS);
      if (candidates.length === 0) continue;
      const oldest = candidates[0];
      const sampleAt = Math.max(entry.sampledAt, oldest.lastLookAt) + oldest.request.capMs;
      for (const w of candidates) if (sampleAt < w.nextAt) due.set(w, sampleAt);
    }
    return due;
  }

  private classOf(key: string): WaitClass<V> {
    let entry = this.classes.get(key);
    if (entry === undefined) {
      entry = { learning: new ClassLearning(), members: [], sampledAt: this.clock.now() };
      this.classes.set(key, entry);
    }
    return entry;
  }

  /** Rule 3: the class finishes in order and the wait is not among its `LEADERS` oldest unfinished. */
  private shadowed(entry: WaitClass<V>, w: Watch<V>, rank = entry.members.indexOf(w)): boolean {
    return entry.learning.inOrder() && rank >= LEADERS;
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

  /** Plans the wait's next look by the rule, never past its deadline. `rank`: its place among its class's members. */
  private plan(watch: Watch<V>, rank?: number): void {
    const entry = this.classOf(watch.classKey);
    const at = rank ?? entry.members.indexOf(watch);
    const youngest = entry.members[entry.members.length - 1];
    const younger = {
      count: entry.members.length - 1 - at,
      spanMs: youngest === undefined ? 0 : youngest.startedAt - watch.startedAt,
    };
    const shadowed = this.shadowed(entry, watch, at);
    // A wait that leaves the shadow was looked after by rule 3's sample until now: its cap starts here, or it
    // would be looked at at once, however soon its class expects it done.
    if (watch.shadowed && !shadowed) watch.promotedAt = this.clock.now();
    watch.shadowed = shadowed;
    const planned = nextLookAt(
      {
        startedAt: watch.startedAt,
        lastLookAt: watch.lastLookAt,
        capFrom: Math.max(watch.lastLookAt, watch.promotedAt),
        floorMs: watch.request.floorMs,
        capMs: watch.request.capMs,
        shadowed,
      },
      entry.learning.expectedMs(younger),
    );
    watch.nextAt = Math.min(planned.at, watch.hurryAt ?? Infinity, watch.deadline);
    watch.spareAt = Math.min(planned.spareFrom, watch.nextAt);
    watch.rideFrom = Math.min(planned.rideFrom, watch.nextAt);
  }

  private replanClass(key: string): void {
    const members = this.classOf(key).members;
    for (let rank = 0; rank < members.length; rank++)
      if (!members[rank].inFlight) this.plan(members[rank], rank);
  }

  /** Applies one look's outcome to a wait. `touched` collects the classes that learned something. */
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
