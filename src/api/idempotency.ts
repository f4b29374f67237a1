// Idempotency-Key: a retried publish with the same key (per caller) gets the first answer instead of
// publishing twice. Bounded in entries and time, so a flood of keys cannot grow memory without limit.
export interface StoredReply {
  status: number;
  body: unknown;
}

export class IdempotencyCache {
  readonly #entries = new Map<string, { at: number; reply: Promise<StoredReply> }>();

  constructor(
    readonly maxEntries = 10_000,
    readonly ttlMs = 24 * 3600 * 1000,
  ) {}

  /** The reply stored for `key`, or the one `run` produces (concurrent retries share it). */
  run(key: string, run: () => Promise<StoredReply>): Promise<StoredReply> {
    const now = Date.now();
    const found = this.#entries.get(key);
    if (found !== undefined && now - found.at < this.ttlMs) return found.reply;
    const reply = run();
    this.#entries.delete(key);
    this.#entries.set(key, { at: now, reply });
    // A failure that is the server's fault (5xx) may be retried for real.
    reply.then(
      (r) => {
        if (r.status >= 500) this.#entries.delete(key);
      },
      () => this.#entries.delete(key),
    );
    // Maps iterate in insertion order: the first entries are the oldest.
    while (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
    return reply;
  }
}
