// A bounded cache with a time to live, for the answers of database providers (auth_opt_acl_cacheseconds,
// auth_opt_auth_cacheseconds). Entries past their TTL stay readable as "stale" so the synchronous delivery
// path can still answer while a refresh runs; expireAll() marks everything stale when the data changed.

export interface CacheEntry<V> {
  readonly value: V;
  /** Date.now() when it was stored. */
  readonly storedAt: number;
  /** Date.now() after which the entry must be refreshed before an asynchronous answer relies on it. */
  readonly expiresAt: number;
}

export class TtlCache<K, V> {
  readonly #entries = new Map<K, CacheEntry<V>>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;

  /** ttlSeconds 0 = every entry is stale at once (fetched again for each asynchronous check). */
  constructor(ttlSeconds: number, maxEntries = 10_000) {
    this.#ttlMs = ttlSeconds * 1000;
    this.#maxEntries = maxEntries;
  }

  /** The entry, fresh or stale; undefined if never stored or evicted. */
  entry(key: K): CacheEntry<V> | undefined {
    return this.#entries.get(key);
  }

  /** The value while fresh. */
  fresh(key: K, now = Date.now()): V | undefined {
    const entry = this.#entries.get(key);
    return entry !== undefined && now < entry.expiresAt ? entry.value : undefined;
  }

  set(key: K, value: V, now = Date.now()): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      // Maps iterate in insertion order: the first key is the one stored longest ago.
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, storedAt: now, expiresAt: now + this.#ttlMs });
  }

  delete(key: K): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  /**
   * Every entry becomes stale and due for refresh at once, but stays readable: when users or ACLs change, the
   * asynchronous checks (CONNECT, PUBLISH, SUBSCRIBE) fetch again, while the synchronous read check on delivery
   * answers from the last known rules until its refresh lands instead of dropping every client's next message.
   */
  expireAll(): void {
    for (const [key, entry] of this.#entries)
      this.#entries.set(key, { value: entry.value, storedAt: 0, expiresAt: 0 });
  }

  keys(): IterableIterator<K> {
    return this.#entries.keys();
  }

  get size(): number {
    return this.#entries.size;
  }
}
