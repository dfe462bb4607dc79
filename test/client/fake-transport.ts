import type { Transport } from "../../core/client/transport";

/** One call a {@link FakeTransport} received. */
export interface TransportCall {
  action: string;
  query: Record<string, string>;
}

/** Answers calls from a queue of bodies or errors, per action; records every call. */
export class FakeTransport implements Transport {
  readonly endpointHost = "mts.cn-hangzhou.aliyuncs.com";
  readonly calls: TransportCall[] = [];
  private readonly answers = new Map<string, (Record<string, unknown> | Error)[]>();

  /** Queues answers for `action`; the last one repeats. */
  answer(action: string, ...answers: (Record<string, unknown> | Error)[]): this {
    this.answers.set(action, [...(this.answers.get(action) ?? []), ...answers]);
    return this;
  }

  callsTo(action: string): TransportCall[] {
    return this.calls.filter((call) => call.action === action);
  }

  async call(action: string, query: Record<string, string>): Promise<Record<string, unknown>> {
    this.calls.push({ action, query: { ...query } });
    const queue = this.answers.get(action) ?? [];
    const next = queue.length > 1 ? queue.shift()! : queue[0];
    if (next === undefined) throw new Error(`FakeTransport: no answer queued for ${action}`);
    if (next instanceof Error) throw next;
    return next;
  }
}
