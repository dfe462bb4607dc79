import type { Clock } from "../clock";
import type { BatchSubject, FetchBatch } from "./batched-lookup";
import { LookupCoalescer, type PackedCall } from "./lookup-coalescer";
import { PollPlanner, type Watch, type WatchRequest } from "./poll-planner";
import { processRateLimiters, type RateLimiterRegistry } from "../resilience/rate-limiter-registry";
import { POLL_SHARE } from "./scheduler-rule";

export { LOOKUP_BURST_MS, LOOKUP_HOLD_MS } from "./lookup-coalescer";
export { whileWaiting, type LookVerdict, type WatchRequest } from "./poll-planner";

/** Options of the process's {@link WaitScheduler}. */
export interface SchedulerOptions {
  clock: Clock;
  /** The per-account, per-action limit the client paces itself under (default: the registry's, 100). */
  requestsPerSecond?: number;
  /** Share of each endpoint and action's request budget polling may take (default `POLL_SHARE`, a fifth). */
  pollShare?: number;
  /**
   * Where the request budgets live: one adaptive limiter per endpoint and action, the one every call of that
   * action takes its send token from. Default: the process-wide registry of `clock`, which the clients use.
   */
  limiters?: RateLimiterRegistry;
}

/**
 * One wait scheduler per provider process: every wait (a job, a library becoming active or gone) registers its
 * id, and the scheduler decides when each id is next looked at (the rule in scheduler-rule.ts) and sends due ids
 * together, 10 per call. Lanes separate what cannot share a call (endpoint, identity, action); polls draw on the
 * endpoint and action's one request budget, the adaptive limiter the clients pace their calls by.
 */
export class WaitScheduler {
  readonly clock: Clock;
  private readonly pollShare: number;
  private readonly requestsPerSecond?: number;
  private readonly limiters: RateLimiterRegistry;

  constructor(options: SchedulerOptions) {
    this.clock = options.clock;
    this.pollShare = options.pollShare ?? POLL_SHARE;
    this.requestsPerSecond = options.requestsPerSecond;
    this.limiters = options.limiters ?? processRateLimiters(options.clock);
  }

  /**
   * A lane for one kind of id on one endpoint. `budgetKey` is `<endpoint>\u0000<action>`: the endpoint's URL (or
   * its host) names the limiter the clients use for that host, so polls and every other call of the action share
   * one budget; any other name gets a budget of its own (a watcher made without an endpoint, in tests).
   */
  lane<V>(budgetKey: string, fetchBatch: FetchBatch<V>, subject: BatchSubject): Lane<V> {
    const separator = budgetKey.lastIndexOf("\u0000");
    const endpoint = separator < 0 ? budgetKey : budgetKey.slice(0, separator);
    const action = separator < 0 ? subject.action : budgetKey.slice(separator + 1);
    const limiter = this.limiters.limiterFor(hostOf(endpoint), action, this.requestsPerSecond);
    const planner = new PollPlanner<V>(this.clock, limiter.share(this.pollShare));
    return new Lane(
      this.clock,
      planner,
      (flushBy) => new LookupCoalescer(this.clock, fetchBatch, subject, flushBy),
    );
  }
}

/** `host[:port]` of an endpoint URL, as the clients key their limiters; a name that is no URL stays as it is. */
function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host || endpoint;
  } catch {
    return endpoint;
  }
}

/**
 * The waits and lookups of one kind of id on one endpoint and identity: the poll planner decides which waits are
 * looked at when, the lookup coalescer packs ids into calls and sends them; the lane holds the one timer that
 * wakes either, and hands each call's answer to both.
 */
export class Lane<V> {
  private readonly coalescer: LookupCoalescer<V>;
  private wakeAt = Infinity;
  private timer = 0;

  constructor(
    private readonly clock: Clock,
    private readonly planner: PollPlanner<V>,
    coalescer: (flushBy: (at: number) => void) => LookupCoalescer<V>,
  ) {
    this.coalescer = coalescer((at) => this.arm(at));
  }

  /**
   * Looks up `ids` once (not a poll: no budget share, no schedule). Lookups made in the same turn of the event
   * loop share calls; each id maps to its value, or `undefined` when the service lists it in NonExistIds.
   */
  lookup(ids: readonly string[]): Promise<Map<string, V | undefined>> {
    return this.coalescer.lookup(ids);
  }

  /** Registers a wait; resolves with the verdict's value once it is done (see {@link WatchRequest}). */
  wait<T>(request: WatchRequest<V, T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.planner.add(request, resolve, reject);
      this.arm(this.planner.nextDueAt(this.clock.now()));
    });
  }

  /** Ids registered in waits right now (for tests and diagnostics). */
  get waiting(): number {
    return this.planner.size;
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
    // One-off lookups go at once; due polls (and, in a crowded lane, those past half their gap) ride along free.
    if (this.coalescer.hasPending) {
      const riders = this.planner.riders(now);
      for (const call of this.coalescer.take(riders.map((w) => w.request.id))) {
        const riding = riders.filter((w) => call.ids.includes(w.request.id));
        for (const w of riding) riders.splice(riders.indexOf(w), 1);
        void this.send(call, riding);
      }
    }
    const { calls, wakeAt } = this.planner.due(now);
    for (const call of calls) void this.send({ ids: call.ids, lookups: new Map() }, call.watches);
    if (wakeAt < Infinity) this.arm(wakeAt);
  }

  private async send(call: PackedCall<V>, riding: Watch<V>[]): Promise<void> {
    const sentAt = this.clock.now();
    this.planner.sent(riding);
    // A look never outlasts the bound of a wait riding on it: retries stop at the earliest deadline, and a wait
    // whose look then failed plans another look or, at its deadline, times out.
    const retryUntil = Math.min(...riding.map((w) => w.deadline));
    const outcomes = await this.coalescer.send(call, {
      retryUntil: Number.isFinite(retryUntil) ? retryUntil : undefined,
    });
    this.planner.answered(riding, outcomes, { sentAt, answeredAt: this.clock.now() });
    this.arm(this.planner.nextDueAt(this.clock.now()));
  }
}
