import { Turnstile } from "../../harness/turnstile";

/** Resolves after every callback already queued for this turn of the event loop, I/O included, has run. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("Turnstile", () => {
  it("lets perTurn callers through per turn of the event loop, the rest in later turns, in arrival order", async () => {
    const gate = new Turnstile(16);
    const passed: number[] = [];
    const all = Array.from({ length: 40 }, (_, i) => gate.pass().then(() => passed.push(i)));

    await Promise.resolve();
    await Promise.resolve();
    expect(passed).toEqual(Array.from({ length: 16 }, (_, i) => i));
    await nextTurn();
    expect(passed).toHaveLength(32);
    await nextTurn();
    expect(passed).toHaveLength(40);
    await Promise.all(all);
    expect(passed).toEqual(Array.from({ length: 40 }, (_, i) => i));
  });

  it("gives the event loop back between two batches, so work already waiting runs in between", async () => {
    const gate = new Turnstile(2);
    const events: string[] = [];
    setImmediate(() => events.push("other work"));
    const callers = [0, 1, 2, 3].map((i) => gate.pass().then(() => events.push(`pass ${i}`)));
    await Promise.all(callers);
    expect(events).toEqual(["pass 0", "pass 1", "other work", "pass 2", "pass 3"]);
  });

  it("refuses a limit below one", () => {
    expect(() => new Turnstile(0)).toThrow("perTurn must be at least 1, got 0");
  });
});
