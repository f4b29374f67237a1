/**
 * Remembers keys until they expire, bounded: when full, the oldest entry goes first. An envelope older than
 * the time window is refused anyway, so an entry is needed only until its window has passed.
 */
export class ReplayCache {
  readonly #seen = new Map<string, number>();

  constructor(readonly maxEntries: number) {}

  /** False when `key` was seen and has not expired; else remembers it until `expiresAt` (seconds). */
  add(key: string, expiresAt: number, now = Date.now() / 1000): boolean {
    const known = this.#seen.get(key);
    if (known !== undefined && known > now) return false;
    this.#seen.delete(key);
    this.#seen.set(key, expiresAt);
    for (const [oldest, expiry] of this.#seen) {
      if (this.#seen.size <= this.maxEntries && expiry > now) break;
      this.#seen.delete(oldest);
    }
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }
}
