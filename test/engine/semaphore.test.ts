import { Semaphore } from "../../harness/semaphore";

describe("Semaphore", () => {
  it("never runs more than the limit at once, and a newcomer cannot overtake a waiter", async () => {
    const sem = new Semaphore(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const gates: (() => void)[] = [];
    const task = (i: number) =>
      sem.run(async () => {
        active++;
        peak = Math.max(peak, active);
        order.push(i);
        await new Promise<void>((resolve) => gates.push(resolve));
        active--;
      });
    const all = [0, 1, 2, 3].map(task);
    await Promise.resolve();
    expect(order).toEqual([0, 1]);
    gates.shift()!();
    await new Promise(setImmediate);
    const late = task(4);
    await new Promise(setImmediate);
    expect(order).toEqual([0, 1, 2]);
    while (gates.length) {
      gates.shift()!();
      await new Promise(setImmediate);
    }
    await Promise.all([...all, late]);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
  });

  it("frees a slot once however often its release is called", async () => {
    const sem = new Semaphore(1);
    const release = await sem.acquire();
    const second = sem.acquire();
    const third = sem.acquire();
    release();
    release();
    const releaseSecond = await second;
    let thirdIn = false;
    void third.then(() => (thirdIn = true));
    await new Promise(setImmediate);
    expect(thirdIn).toBe(false);
    releaseSecond();
    await third;
    expect(thirdIn).toBe(true);
  });

  it("rejects a limit below 1", () => {
    expect(() => new Semaphore(0)).toThrow("parallel must be at least 1, got 0");
  });
});
