/**
 * How long a used nonce is remembered (docs/mps-api.md, 'Conventions': reuse within 15 minutes is refused).
 */
export const NONCE_WINDOW_MS = 15 * 60 * 1000;
/** Hard cap so a clock that never advances cannot grow the set without bound. */
const MAX_NONCES = 1_000_000;

/**
 * Remembers signature nonces per AccessKey for the replay window. Insertion order is time order (the clock does
 * not run backwards), so expiring is a walk from the front of the Map.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>();

  /** Records the nonce; false when it was already used inside the window. */
  use(accessKeyId: string, nonce: string, now: number): boolean {
    this.expire(now);
    const key = `${accessKeyId}\n${nonce}`;
    if (this.seen.has(key)) return false;
    this.seen.set(key, now + NONCE_WINDOW_MS);
    if (this.seen.size > MAX_NONCES) this.seen.delete(this.seen.keys().next().value as string);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  private expire(now: number): void {
    for (const [key, expiresAt] of this.seen) {
      if (expiresAt > now) break;
      this.seen.delete(key);
    }
  }
}
