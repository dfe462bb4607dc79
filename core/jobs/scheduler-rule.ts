/**
 * The rule that decides when the wait scheduler next looks at a wait. Pure functions and the per-class learning,
 * so the rule can be read (and tested) apart from the planner that applies it (`poll-planner.ts`) and the calls
 * of `lookup-coalescer.ts`.
 *
 * THE RULE
 *
 * 1. Latency bound. A wait that has waited `e` is looked at again at most `max(floor, e / 15)` after its last
 *    look, and a look may be held back for company by at most `e / 30` (see `batchSlackMs`). So a job that ends
 *    after waiting `e` is seen at most `max(floor, e/15) + e/30` later: about a second at first (the floor,
 *    `pollIntervalSeconds`, default 1 s), at most a tenth of the time already waited later on, and looks are never
 *    more than the cap (`maxPollIntervalMs`, default 30 s) apart, plus at most a quarter of it for company (a
 *    shadowed wait aside, rule 3). Why relative: a 2 s job deserves a look every second, a 30-minute job one
 *    every few minutes; a fixed interval is either slow for the first or wasteful for the second, and a fixed
 *    backoff (x1.5) sees a 20 s job at 23.8 s. This is what a wait needs; rule 6 spends more where it is free.
 * 2. Learning. Waits are grouped in classes (DelType and endpoint for jobs; libraries separately). Once a class
 *    has seen waits finish, a wait is not expected to end before `start + shortest duration seen`, so its looks
 *    are deferred to that moment instead of sweeping it every round (never beyond the cap, but for a shadowed
 *    wait). The shortest, not a typical, duration: a job shorter than every one seen so far is the only one this
 *    can make late, and that lateness is bounded by the cap. The shortest duration seen is an upper bound: the
 *    first waits to end are seen by rule 1's sweep, up to a whole gap after they ended, and every later wait would
 *    inherit that lateness. So while the class finishes in order (rule 3), waits seen still running at an age
 *    below it give a lower bound, and the next waits are looked at halfway between the two: seen done, the upper
 *    bound comes down; seen running, the lower bound goes up, and the wait is looked at again as soon as a younger
 *    one is seen done. Only a wait with at least `LEADERS` younger waits in its class, started over at least half
 *    the gap between the bounds after it, probes so: younger waits ending later are what rescues it when it is
 *    seen running, whereas the youngest waits, every wait of a handful (a wave at the CLI's default parallelism)
 *    and waits started all at once would only be looked at again a whole gap later. Within a few calls the looks
 *    come within `PROBE_TOLERANCE` of the class's end. Out of order (durations that vary), the lower bound says
 *    nothing about other waits, and only the shortest duration counts.
 * 3. In order. Jobs submitted together tend to finish together and in order. Until the class shows otherwise,
 *    only its `LEADERS` oldest unfinished waits are swept by rule 1; the younger ones (shadowed) are looked at
 *    when the learned duration says they may be done (rule 2), however far off. Until the class has learned a
 *    duration, and to check that it still finishes in order, the shadowed waits are sampled: once per cap, one
 *    call looks at the `LEADERS` of them looked at longest ago (each at least a cap after its last look). Looking
 *    at each shadowed wait once per cap instead would cost a call per ten waits per cap: a destroy of 1000
 *    libraries on 2-minute jobs would spend 0.3 calls per library on looks that find what the leaders already
 *    show. When a wait is seen done, older waits of its class are looked at at once. A class in which a younger
 *    wait is seen done while an older one is seen still running (beyond a tolerance) is out of order: from then
 *    on every wait follows rules 1 and 2, cap included. A wait that stops being shadowed (a leader ended) counts
 *    its cap from then, not from its last look.
 * 4. Budget. Polls draw on the one request budget of their endpoint and action: the adaptive rate limiter every
 *    call of that action takes its send token from (core/resilience). Calls that only poll take at most
 *    `POLL_SHARE` of it (`requestsPerSecond`, scaled down while the limiter is cut back after throttling), so the
 *    rest stays free for one-off lookups and the account's other MPS traffic; when more ids are due, the longest
 *    overdue go first. One-off lookups (a destroy's "is it already gone?") are not polls: they go out at the next
 *    turn of the event loop, and due polls ride along in their calls for free.
 * 5. Company. Due ids go out together, 10 per call: every id due when the call goes, including those that came
 *    due while it waited for the polls' share (rule 4). When more waits run than one call holds, a due id waits
 *    for others due within its slack (`batchSlackMs`), never longer, and a call with room left takes ids that are
 *    past half of their rule-1 gap (`rideFrom`): a look that costs no call, and waits looked at together stay due
 *    together, so their later looks share calls too. An id deferred by rule 2 or 3 never rides early: a look
 *    before it can be done is wasted. With no more waits than one call holds, neither pays (the calls are few),
 *    and both would cost latency (a look taken early moves the next one earlier too): a lone wait, or one of a
 *    handful as at the CLI's default parallelism, is looked at exactly on its own schedule.
 * 6. Spare looks. Where the budget is idle (no caller waiting for a token, the burst refilled, the rate not cut
 *    back), a look the rule holds back costs nothing anyone else needs. So with no more waits than one call
 *    holds, each wait is looked at a floor after its last look (`spareFrom`), never before its class expects it
 *    done (rule 2): a lone wait on a 2-minute job sees its end within a floor (a second by default) instead of
 *    within a fifteenth of the time waited, at the cost of a call per floor that no other wait needed. A crowded
 *    lane spends nothing so: a floor-spaced look at each of its waits would cost a call per ten waits per floor.
 */

/** Rule 1: the gap between looks is at most this fraction of the time waited (before the batching slack). */
export const GAP_FRACTION = 1 / 15;
/** Rule 5: how long a due id may be held for company, as a fraction of the time waited. */
export const SLACK_FRACTION = 1 / 30;
/** Rules 1 and 5 together: a wait's end is seen within this fraction of the time waited (beyond the floor). */
export const LATENCY_FRACTION = GAP_FRACTION + SLACK_FRACTION;
/** Rule 3: waits per class swept by rule 1 while the class finishes in order (one call's worth). */
export const LEADERS = 10;
/** Rule 4: the share of `requestsPerSecond` that polling may take, per endpoint and action. */
export const POLL_SHARE = 1 / 5;
/** Rule 2: the halving stops when the bounds are this close (a fraction of the duration, at least 20 ms). */
export const PROBE_TOLERANCE = 1 / 100;
const PROBE_TOLERANCE_MIN_MS = 20;
/** Rule 2: how many recent durations a class remembers. */
const REMEMBERED_DURATIONS = 64;
/**
 * Rule 3: a younger wait seen done while an older one still runs counts as out of order only when the two
 * started more than this fraction of the younger's duration apart: jobs submitted a few milliseconds apart may
 * be answered in separate calls.
 */
const ORDER_TOLERANCE_FRACTION = 1 / 10;

/** Timing bounds of one wait, in milliseconds. */
export interface WaitBounds {
  /** Shortest gap between two looks, and the delay of the first look. */
  floorMs: number;
  /** Longest gap between two looks. */
  capMs: number;
}

/** What the rule needs to know about one wait. */
export interface WaitPosition extends WaitBounds {
  startedAt: number;
  /** Time of the last look, or `startedAt` before the first. */
  lastLookAt: number;
  /**
   * From when the cap counts: the last look, or a later time from which the wait stopped being shadowed (rule 3
   * looked after it until then). Default `lastLookAt`.
   */
  capFrom?: number;
  /** Rule 3: the class runs in order and this wait is not among its oldest unfinished. */
  shadowed: boolean;
}

/** Rule 1: the latest time the wait is due for its next look, by the latency bound alone. */
export function latencyDueAt(w: WaitPosition): number {
  const waited = w.lastLookAt - w.startedAt;
  return w.lastLookAt + clamp(waited * GAP_FRACTION, w.floorMs, w.capMs);
}

/** Rule 5: how long a due look may wait for company (a thirtieth of the time waited, at most a quarter of the cap). */
export function batchSlackMs(w: Pick<WaitPosition, "startedAt" | "capMs">, now: number): number {
  return Math.min(w.capMs / 4, Math.max(0, now - w.startedAt) * SLACK_FRACTION);
}

/**
 * When a wait is due (`at`), from when it may ride along in a call that goes anyway (`rideFrom`, rule 5), and from
 * when a look may come sooner where the request budget is idle (`spareFrom`, rule 6).
 */
export interface LookPlan {
  at: number;
  rideFrom: number;
  spareFrom: number;
}

/**
 * Rules 1 to 3, 5 and 6: when to look at the wait next. `expectedMs`: the age at which its class's waits are
 * expected to have ended (rule 2), if the class has seen any end. A shadowed wait of a class that has learned
 * nothing has no look of its own (`at` is Infinity): rule 3's sample looks at it.
 */
export function nextLookAt(w: WaitPosition, expectedMs: number | undefined): LookPlan {
  const byLatency = latencyDueAt(w);
  const latest = (w.capFrom ?? w.lastLookAt) + Math.max(w.floorMs, w.capMs);
  const expectedEnd = expectedMs === undefined ? undefined : w.startedAt + expectedMs;
  // Rule 6: never sooner than the floor after the last look, nor before the class expects the wait to be done.
  const spareFrom = Math.max(w.lastLookAt + w.floorMs, expectedEnd ?? -Infinity);
  if (expectedEnd !== undefined && expectedEnd > w.lastLookAt) {
    // Not expected done before expectedEnd: look then, not before. A leader (or any wait of a class out of order)
    // is looked at within the cap all the same; a shadowed wait's order is checked by rule 3's sample instead.
    const notBefore = Math.max(byLatency, expectedEnd);
    const at = w.shadowed ? notBefore : Math.min(notBefore, latest);
    return { at, rideFrom: at === byLatency ? (w.lastLookAt + byLatency) / 2 : at, spareFrom };
  }
  if (w.shadowed && expectedEnd === undefined) return { at: Infinity, rideFrom: Infinity, spareFrom };
  return { at: byLatency, rideFrom: (w.lastLookAt + byLatency) / 2, spareFrom };
}

/** What a class of waits has learned from the waits of it seen finishing. */
export class ClassLearning {
  private readonly durations: number[] = [];
  private outOfOrder = false;
  /** The youngest wait seen done: when it started, how long it took, when it was seen done. */
  private youngestDone?: { startedAt: number; durationMs: number; seenAt: number };
  /** The highest age at which a wait was seen running, below the shortest duration seen. */
  private runningBelow?: number;

  /** Shortest duration among the recent waits seen done; undefined before the first. */
  shortestMs(): number | undefined {
    return this.durations.length === 0 ? undefined : Math.min(...this.durations);
  }

  /**
   * When a wait of the class is expected to have ended, as its age: the shortest duration seen, or halfway between
   * it and the highest age at which a wait was seen running below it (rule 2), while the class finishes in order
   * and for a wait whose `younger` waits can rescue a look that finds it running: at least `LEADERS` of them, the
   * youngest started (`spanMs` after it) at least half the gap between the bounds later.
   */
  expectedMs(younger: { count: number; spanMs: number }): number | undefined {
    const shortest = this.shortestMs();
    const below = this.runningBelow;
    if (shortest === undefined || below === undefined || this.outOfOrder || younger.count < LEADERS)
      return shortest;
    const gap = shortest - below;
    const tolerance = Math.max(PROBE_TOLERANCE_MIN_MS, shortest * PROBE_TOLERANCE);
    return gap > tolerance && younger.spanMs >= gap / 2 ? below + gap / 2 : shortest;
  }

  /** Whether the class still finishes in order (true until evidence says otherwise). */
  inOrder(): boolean {
    return !this.outOfOrder;
  }

  /** A wait started at `startedAt` was seen done at `seenAt`. */
  done(startedAt: number, seenAt: number): void {
    const durationMs = Math.max(0, seenAt - startedAt);
    this.durations.push(durationMs);
    if (this.durations.length > REMEMBERED_DURATIONS) this.durations.shift();
    const shortest = this.shortestMs()!;
    if (this.runningBelow !== undefined && this.runningBelow >= shortest) this.runningBelow = undefined;
    if (this.youngestDone === undefined || startedAt > this.youngestDone.startedAt)
      this.youngestDone = { startedAt, durationMs, seenAt };
  }

  /** A wait started at `startedAt` was seen still running at `seenAt`. */
  running(startedAt: number, seenAt: number): void {
    const age = seenAt - startedAt;
    const shortest = this.shortestMs();
    // A wait running at an age below every duration seen bounds the class's end from below; one running past
    // it says nothing new (its own start was noted late, or durations vary).
    if (shortest === undefined || age < shortest) this.runningBelow = Math.max(this.runningBelow ?? 0, age);
    const younger = this.youngestDone;
    if (younger === undefined || seenAt < younger.seenAt) return;
    if (younger.startedAt - startedAt > younger.durationMs * ORDER_TOLERANCE_FRACTION) this.outOfOrder = true;
  }
}

function clamp(value: number, low: number, high: number): number {
  return Math.min(Math.max(value, low), Math.max(low, high));
}
