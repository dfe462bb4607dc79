import { MpsApiError } from "../../../core/errors";
import type { BatchAnswer } from "../../../core/jobs/batched-lookup";
import { LOOKUP_BURST_MS, LOOKUP_HOLD_MS, LookupCoalescer } from "../../../core/jobs/lookup-coalescer";
import { FakeClock } from "../../support/fake-clock";

/**
 * The lookup coalescer on a fake clock, without a lane: when it asks to be flushed, how it packs lookups and
 * riders into calls of up to 10 ids, and how a call's answer settles each lookup.
 */

const SUBJECT = { action: "ListFpShotDB", noun: "library" };

/** A coalescer over a fake service that knows `known` ids (value: the id upper-cased) and records every call. */
function coalescerOver(known: readonly string[] = []) {
  const clock = new FakeClock();
  const calls: string[][] = [];
  const flushes: number[] = [];
  let fail: unknown;
  const coalescer = new LookupCoalescer<string>(
    clock,
    async (ids): Promise<BatchAnswer<string>> => {
      calls.push(ids);
      if (fail !== undefined) throw fail;
      return {
        found: new Map(ids.filter((id) => known.includes(id)).map((id) => [id, id.toUpperCase()])),
        gone: new Set(ids.filter((id) => !known.includes(id))),
      };
    },
    SUBJECT,
    (at) => flushes.push(at - clock.now()),
  );
  return { clock, coalescer, calls, flushes, failWith: (error: unknown) => (fail = error) };
}

describe("LookupCoalescer", () => {
  it("asks to be flushed at once for a lone lookup, and within LOOKUP_HOLD_MS for one in a burst", () => {
    const { clock, coalescer, flushes } = coalescerOver();
    void coalescer.lookup(["a"]);
    clock.advance(LOOKUP_BURST_MS - 1);
    void coalescer.lookup(["b"]);
    clock.advance(LOOKUP_BURST_MS);
    void coalescer.lookup(["c"]);
    expect(flushes).toEqual([0, LOOKUP_HOLD_MS, 0]);
  });

  it("asks for a flush at once when the held lookups fill a call", () => {
    const { coalescer, flushes } = coalescerOver();
    void coalescer.lookup(["first"]);
    for (let i = 0; i < 9; i++) void coalescer.lookup([`id-${i}`]);
    expect(flushes.slice(1, 9)).toEqual(Array(8).fill(LOOKUP_HOLD_MS));
    expect(flushes[9]).toBe(0);
  });

  it("packs 25 pending ids into calls of 10, 10 and 5, duplicates in one slot", () => {
    const { coalescer } = coalescerOver();
    const ids = Array.from({ length: 25 }, (_, i) => `id-${i}`);
    void coalescer.lookup(ids);
    void coalescer.lookup(["id-3", "id-24"]);
    const calls = coalescer.take([]);
    expect(calls.map((call) => call.ids)).toEqual([ids.slice(0, 10), ids.slice(10, 20), ids.slice(20)]);
    expect(calls[0].lookups.get("id-3")).toHaveLength(2);
    expect(coalescer.hasPending).toBe(false);
  });

  it("gives the room left in the last call to riders, best first; a rider already asked for takes no room", () => {
    const { coalescer } = coalescerOver();
    void coalescer.lookup(["a", "b", "c", "d", "e", "f", "g"]);
    const [call] = coalescer.take(["b", "r1", "r2", "r3", "r4"]);
    expect(call.ids).toEqual(["a", "b", "c", "d", "e", "f", "g", "r1", "r2", "r3"]);
    expect([...call.lookups.keys()]).toEqual(["a", "b", "c", "d", "e", "f", "g"]);
  });

  it("makes no call for riders alone", () => {
    const { coalescer } = coalescerOver();
    expect(coalescer.take(["r1", "r2"])).toEqual([]);
  });

  it("settles each lookup from its call's answer: a value, or undefined for an id the service says is gone", async () => {
    const { coalescer, calls } = coalescerOver(["lib-1"]);
    const looked = coalescer.lookup(["lib-1", "lib-404"]);
    const [call] = coalescer.take(["rider"]);
    const outcomes = await coalescer.send(call);
    expect([...(await looked)]).toEqual([
      ["lib-1", "LIB-1"],
      ["lib-404", undefined],
    ]);
    expect(calls).toEqual([["lib-1", "lib-404", "rider"]]);
    expect(outcomes.get("rider")).toEqual({ ok: true, value: undefined });
  });

  it("rejects the lookups of a failed call with its error, and hands the failure on for its riders", async () => {
    const { coalescer, failWith } = coalescerOver(["lib-1"]);
    const error = new MpsApiError("throttled", "ListFpShotDB", "Throttling.User", "throttling", 400);
    failWith(error);
    const looked = coalescer.lookup(["lib-1"]).catch((e: unknown) => e);
    const [call] = coalescer.take(["rider"]);
    const outcomes = await coalescer.send(call);
    expect(await looked).toBe(error);
    expect(outcomes.get("rider")).toEqual({ ok: false, error });
  });
});
