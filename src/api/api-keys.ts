// API keys: `midge_<id>_<secret>`, shown once at creation; the file keeps only a SHA-256 of the whole key
// (the secret is 32 random bytes, so a fast hash is enough) and compares in constant time.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** hex SHA-256 of the full key */
  hash: string;
  /** Publish as this user through the ACL; absent = a superuser key (every route). */
  username?: string;
  created: string;
}

export interface ApiKeyPrincipal {
  id: string;
  name: string;
  username: string | undefined;
  superuser: boolean;
}

const KEY_PATTERN = /^midge_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

export class ApiKeyError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

/** Reads the key file; a missing file is no keys. */
export function readApiKeys(path: string): ApiKeyRecord[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ApiKeyError('MIDGE_APIKEY_UNREADABLE', `cannot read '${path}': ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as { keys?: ApiKeyRecord[] };
    return Array.isArray(parsed.keys) ? parsed.keys : [];
  } catch {
    throw new ApiKeyError('MIDGE_APIKEY_BAD_FILE', `'${path}' is not a Midge API key file (JSON)`);
  }
}

function writeApiKeys(path: string, keys: ApiKeyRecord[]): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, JSON.stringify({ keys }, null, 2) + '\n', { mode: 0o600 });
  renameSync(temp, path);
}

/** Creates a key, stores its hash, returns the key itself (the only time it exists in clear). */
export function createApiKey(
  path: string,
  options: { name: string; username?: string },
): { key: string; record: ApiKeyRecord } {
  const id = randomBytes(8).toString('hex');
  const key = `midge_${id}_${randomBytes(32).toString('base64url')}`;
  const record: ApiKeyRecord = {
    id,
    name: options.name,
    hash: sha256(key).toString('hex'),
    created: new Date().toISOString(),
  };
  if (options.username !== undefined) record.username = options.username;
  writeApiKeys(path, [...readApiKeys(path), record]);
  return { key, record };
}

export function revokeApiKey(path: string, id: string): boolean {
  const keys = readApiKeys(path);
  const kept = keys.filter((k) => k.id !== id);
  if (kept.length === keys.length) return false;
  writeApiKeys(path, kept);
  return true;
}

/** Checks bearer tokens against the key file, re-reading it when it changes on disk (by mtime). */
export class ApiKeyVerifier {
  readonly #path: string;
  #keys = new Map<string, ApiKeyRecord>();
  #loadedAt = 0;

  constructor(path: string) {
    this.#path = path;
  }

  verify(token: string): ApiKeyPrincipal | undefined {
    const match = KEY_PATTERN.exec(token);
    if (match === null) return undefined;
    this.#refresh();
    const record = this.#keys.get(match[1] as string);
    if (record === undefined) return undefined;
    const expected = Buffer.from(record.hash, 'hex');
    const actual = sha256(token);
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    return {
      id: record.id,
      name: record.name,
      username: record.username,
      superuser: record.username === undefined,
    };
  }

  /** At most once a second, so a key created or revoked with the CLI takes effect without a restart. */
  #refresh(): void {
    const now = Date.now();
    if (now - this.#loadedAt < 1000) return;
    this.#loadedAt = now;
    this.#keys = new Map(readApiKeys(this.#path).map((k) => [k.id, k]));
  }
}
