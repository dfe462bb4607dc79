/**
 * Lets at most `perTurn` callers through per turn of the event loop.
 *
 * The Pulumi engine starts each step on its own goroutine, so the first Delete is on the wire while later ones
 * are still being prepared. The harness is one JavaScript thread: 1000 steps released at once would all be
 * encoded (about half a millisecond each) before gRPC gets to write any of them, holding the provider host idle
 * for half a second. Yielding to the event loop every few steps lets the written requests leave in between.
 */
export class Turnstile {
  private passed = 0;
  private nextTurn?: Promise<void>;

  constructor(private readonly perTurn: number) {
    if (!(perTurn >= 1)) throw new Error(`perTurn must be at least 1, got ${perTurn}`);
  }

  /** Resolves when the caller may go: at once while this turn has room, else in a later turn. */
  async pass(): Promise<void> {
    while (this.passed >= this.perTurn) {
      // setImmediate runs after the event loop has polled for I/O, so pending socket writes go out first.
      this.nextTurn ??= new Promise<void>((resolve) =>
        setImmediate(() => {
          this.passed = 0;
          this.nextTurn = undefined;
          resolve();
        }),
      );
      await this.nextTurn;
    }
    this.passed++;
  }
}
