// Basic credentials that passed the auth chain, remembered briefly, so that a dashboard polling the API does
// not cost a password hash per request (and the API cannot be used to load the broker with them).
import { createHmac, randomBytes } from 'node:crypto';

/** How long a good username and password are trusted without asking the auth chain again. */
export const CREDENTIAL_TTL_MS = 10_000;
const MAX_ENTRIES = 1000;

interface Entry<T> {
  username: string;
  expires: number;
  answer: Promise<T | undefined>;
}

/**
 * Keyed by an HMAC of the credentials under a per-process random key: the map never holds a password, and
 * as the key is secret, how long a lookup takes tells nothing about stored credentials (no compare of
 * secrets happens here). Only successes stay; a request arriving while the same credentials are being
 * checked shares that check.
 */
export class CredentialCache<T> {
  readonly #key = randomBytes(32);
  readonly #entries = new Map<string, Entry<T>>();
  readonly #ttlMs: number;

  constructor(ttlMs = CREDENTIAL_TTL_MS) {
    this.#ttlMs = ttlMs;
  }

  /** The cached answer for these credentials, or `check`'s (kept only when it is not undefined). */
  get(username: string, password: string, check: () => Promise<T | undefined>): Promise<T | undefined> {
    // The length prefix keeps ("a:", "b") and ("a", ":b") apart.
    const digest = createHmac('sha256', this.#key)
      .update(`${username.length}:${username}`)
      .update(password)
      .digest('base64');
    const now = Date.now();
    const cached = this.#entries.get(digest);
    if (cached !== undefined && cached.expires > now) return cached.answer;
    if (cached !== undefined) this.#entries.delete(digest);
    if (this.#entries.size >= MAX_ENTRIES) this.#evict(now);
    const entry: Entry<T> = { username, expires: now + this.#ttlMs, answer: check() };
    this.#entries.set(digest, entry);
    const forgetFailure = (): void => {
      if (this.#entries.get(digest) === entry) this.#entries.delete(digest);
    };
    entry.answer.then((answer) => answer === undefined && forgetFailure(), forgetFailure);
    return entry.answer;
  }

  /** A user's password or rights changed: its cached credentials go (all of them without a username). */
  forget(username?: string): void {
    for (const [digest, entry] of this.#entries) {
      if (username === undefined || entry.username === username) this.#entries.delete(digest);
    }
  }

  /** Expired entries go; if none had expired, the oldest does (Map keeps insertion order). */
  #evict(now: number): void {
    for (const [digest, entry] of this.#entries) if (entry.expires <= now) this.#entries.delete(digest);
    if (this.#entries.size >= MAX_ENTRIES) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
  }
}
