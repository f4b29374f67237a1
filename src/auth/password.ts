// mosquitto password files: `username:hash` lines where the hash is one of mosquitto_passwd's two formats:
//   $6$<base64 salt>$<base64 hash>               SHA-512 over the password bytes then the salt bytes (mosquitto ≤ 1.6)
//   $7$<iterations>$<base64 salt>$<base64 hash>  PBKDF2-HMAC-SHA512, 64-byte key (mosquitto 2's default, 101 rounds)
// Hashes are compared in constant time, and an unknown user costs a hash too so usernames can't be probed.
// `crypto` is used through its default export so tests can observe timingSafeEqual and pbkdf2 being called.
import crypto from 'node:crypto';
import { AuthFileError, numberedLines } from './file-error.js';
import { decodeBase64Text as decodeBase64 } from './password-error.js';

export type PasswordHashFormat = '6' | '7';

export interface PasswordHash {
  readonly format: PasswordHashFormat;
  /** PBKDF2 rounds for format 7; 1 for format 6 (a single SHA-512). */
  readonly iterations: number;
  readonly salt: Buffer;
  /** Always 64 bytes: SHA-512's output, and the PBKDF2 key length mosquitto uses. */
  readonly hash: Buffer;
}

export interface HashPasswordOptions {
  /** '7' (PBKDF2-HMAC-SHA512, the default) or '6' (salted SHA-512, mosquitto 1.6 and earlier). */
  format?: PasswordHashFormat;
  /** PBKDF2 rounds for format 7; mosquitto_passwd uses 101. */
  iterations?: number;
  /** Fixed salt for reproducible vectors; 12 random bytes (as mosquitto_passwd) when absent. */
  salt?: Buffer;
}

export const DEFAULT_PBKDF2_ITERATIONS = 101;
const HASH_BYTES = 64;
const SALT_BYTES = 12;

/** Parses `$6$salt$hash` or `$7$iterations$salt$hash`; throws an Error saying what is wrong. */
export function parsePasswordHash(encoded: string): PasswordHash {
  const parts = encoded.split('$');
  // A leading '$' makes parts[0] the empty string.
  if (parts[0] !== '' || (parts[1] !== '6' && parts[1] !== '7')) {
    throw new Error(
      "unsupported password hash: expected '$7$…' or '$6$…' as written by mosquitto_passwd " +
        '(plain-text passwords are not accepted: hash them with `mosquitto_passwd -U <file>`)',
    );
  }
  const format = parts[1];
  const expectedParts = format === '7' ? 5 : 4;
  if (parts.length !== expectedParts) {
    const shape = format === '7' ? '$7$<iterations>$<salt>$<hash>' : '$6$<salt>$<hash>';
    throw new Error(`malformed $${format}$ password hash: expected ${shape}`);
  }
  let iterations = 1;
  if (format === '7') {
    const text = parts[2] as string;
    iterations = /^[1-9][0-9]{0,8}$/.test(text) ? Number(text) : NaN;
    if (!Number.isSafeInteger(iterations)) {
      throw new Error(`malformed $7$ password hash: iterations '${text}' is not a positive integer`);
    }
  }
  const salt = decodeBase64(parts[expectedParts - 2] as string);
  if (salt === undefined || salt.length === 0) {
    throw new Error(`malformed $${format}$ password hash: the salt is not base64`);
  }
  const hash = decodeBase64(parts[expectedParts - 1] as string);
  if (hash === undefined || hash.length !== HASH_BYTES) {
    throw new Error(`malformed $${format}$ password hash: the hash must be ${HASH_BYTES} bytes of base64`);
  }
  return { format, iterations, salt, hash };
}

function toBytes(password: string | Buffer): Buffer {
  return typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
}

function deriveSync(password: Buffer, format: PasswordHashFormat, iterations: number, salt: Buffer): Buffer {
  if (format === '6') return crypto.createHash('sha512').update(password).update(salt).digest();
  return crypto.pbkdf2Sync(password, salt, iterations, HASH_BYTES, 'sha512');
}

/** PBKDF2 runs on libuv's pool so a file with many rounds does not stall the event loop. */
function derive(password: Buffer, hash: PasswordHash): Promise<Buffer> {
  if (hash.format === '6') return Promise.resolve(deriveSync(password, '6', 1, hash.salt));
  return new Promise((resolve, reject) => {
    crypto.pbkdf2(password, hash.salt, hash.iterations, HASH_BYTES, 'sha512', (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Encodes a password the way mosquitto_passwd does, so the result can go straight into a password file. */
export function hashPassword(password: string | Buffer, options: HashPasswordOptions = {}): string {
  const format = options.format ?? '7';
  const iterations = options.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
  if (format === '7' && (!Number.isSafeInteger(iterations) || iterations < 1)) {
    throw new RangeError(`iterations must be a positive integer, got ${iterations}`);
  }
  const salt = options.salt ?? crypto.randomBytes(SALT_BYTES);
  if (salt.length === 0) throw new RangeError('the salt must not be empty');
  const hash = deriveSync(toBytes(password), format, iterations, salt).toString('base64');
  const prefix = format === '7' ? `$7$${iterations}$` : '$6$';
  return `${prefix}${salt.toString('base64')}$${hash}`;
}

/**
 * True when `password` hashes to `expected`. The comparison is constant time; the MQTT password is binary
 * data and is hashed as received (mosquitto stops at the first zero byte; no text password contains one).
 */
export async function verifyPassword(
  password: string | Buffer,
  expected: PasswordHash | string,
): Promise<boolean> {
  const hash = typeof expected === 'string' ? parsePasswordHash(expected) : expected;
  const derived = await derive(toBytes(password), hash);
  return crypto.timingSafeEqual(derived, hash.hash);
}

/** The users of one password file. */
export class PasswordFile {
  readonly #users: ReadonlyMap<string, PasswordHash>;
  /** Hashed for unknown users so they cost what a known user costs: the file's most common parameters. */
  readonly #dummy: PasswordHash;

  constructor(users: ReadonlyMap<string, PasswordHash>) {
    this.#users = users;
    this.#dummy = dummyLike(users.values());
  }

  /** Parses the text of a password file; `source` names it in errors. */
  static parse(text: string, source = '<password file>'): PasswordFile {
    const users = new Map<string, PasswordHash>();
    for (const { line, text: raw } of numberedLines(text)) {
      const content = raw.trim();
      if (content === '' || content.startsWith('#')) continue;
      const fail = (detail: string): never => {
        throw new AuthFileError('MIDGE_AUTH_PASSWORD_FILE_SYNTAX', detail, source, line);
      };
      const colon = content.indexOf(':');
      if (colon === -1) fail("expected 'username:hash' (create entries with mosquitto_passwd)");
      const username = content.slice(0, colon);
      if (username === '') fail("the username before ':' is empty");
      if (users.has(username)) fail(`user '${username}' is listed twice; keep one line per user`);
      try {
        users.set(username, parsePasswordHash(content.slice(colon + 1)));
      } catch (error) {
        fail(`user '${username}': ${(error as Error).message}`);
      }
    }
    return new PasswordFile(users);
  }

  get size(): number {
    return this.#users.size;
  }

  /** The stored hash of `username`, or a decoy with the file's usual parameters: SCRAM reveals no user list. */
  lookup(username: string): { hash: PasswordHash; known: boolean } {
    const hash = this.#users.get(username);
    return hash === undefined ? { hash: this.#dummy, known: false } : { hash, known: true };
  }

  has(username: string): boolean {
    return this.#users.has(username);
  }

  /**
   * True for a known user with the right password. An unknown user, or a missing password, still costs one
   * hash and one constant-time comparison, so the answer's timing does not reveal which usernames exist.
   */
  async verify(username: string, password: Buffer | string | undefined): Promise<boolean> {
    const known = this.#users.get(username);
    const matches = await verifyPassword(password ?? Buffer.alloc(0), known ?? this.#dummy);
    return known !== undefined && password !== undefined && matches;
  }
}

function dummyLike(hashes: Iterable<PasswordHash>): PasswordHash {
  const counts = new Map<string, number>();
  let best = { format: '7' as PasswordHashFormat, iterations: DEFAULT_PBKDF2_ITERATIONS };
  let bestCount = 0;
  for (const { format, iterations } of hashes) {
    const key = `${format}:${iterations}`;
    const count = (counts.get(key) ?? 0) + 1;
    counts.set(key, count);
    if (count > bestCount) {
      best = { format, iterations };
      bestCount = count;
    }
  }
  // A random hash no password derives to, in practice.
  return { ...best, salt: crypto.randomBytes(SALT_BYTES), hash: crypto.randomBytes(HASH_BYTES) };
}
