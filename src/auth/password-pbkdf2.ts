// The PBKDF2 hashes of the database auth plugins, one shape for both: PBKDF2$<digest>$<iterations>$<salt>$<hash>
//   mosquitto-auth-plug (`np`): PBKDF2$sha256$901$<salt>$<base64 hash> — the salt is used as the text written
//     (np writes 12 random bytes as base64 and hashes with those 16 characters), key length = hash length.
//   mosquitto-go-auth (`pw`):   PBKDF2$sha512$100000$<base64 salt>$<base64 hash> — the salt is base64-decoded
//     (go-auth's hasher_salt_encoding base64, its default; `utf-8` there means auth-plug's literal salt).
// Both look alike, so `auto` (the default) tries the decoded salt, then the literal one. That is decided by the
// stored hash alone, so every attempt against one user costs the same; only a matching password stops early.
import crypto from 'node:crypto';
import { decodeBase64Text, malformed } from './password-error.js';

export type SaltEncoding = 'auto' | 'base64' | 'utf-8';

export interface Pbkdf2Hash {
  readonly digest: Pbkdf2Digest;
  readonly iterations: number;
  /** The salt exactly as written between the `$`s. */
  readonly saltText: string;
  readonly hash: Buffer;
}

const DIGESTS = ['sha1', 'sha256', 'sha384', 'sha512'] as const;
export type Pbkdf2Digest = (typeof DIGESTS)[number];

/** go-auth's defaults, which Midge uses for new hashes: 100000 rounds of SHA-512, 16-byte salt, 64-byte key. */
export const PBKDF2_DEFAULTS = {
  digest: 'sha512',
  iterations: 100_000,
  saltBytes: 16,
  keyBytes: 64,
} as const;
const MAX_KEY_BYTES = 1024;

export function isPbkdf2Hash(encoded: string): boolean {
  return encoded.startsWith('PBKDF2$');
}

export function parsePbkdf2Hash(encoded: string): Pbkdf2Hash {
  const parts = encoded.split('$');
  if (parts.length !== 5 || parts[0] !== 'PBKDF2') {
    malformed('expected PBKDF2$<digest>$<iterations>$<salt>$<base64 hash>');
  }
  const [, digest, rounds, saltText, hashText] = parts as [string, string, string, string, string];
  if (!(DIGESTS as readonly string[]).includes(digest)) {
    malformed(`PBKDF2 digest '${digest}' is not one of ${DIGESTS.join(', ')}`);
  }
  const iterations = /^[1-9][0-9]{0,8}$/.test(rounds) ? Number(rounds) : NaN;
  if (Number.isNaN(iterations)) malformed(`PBKDF2 iterations '${rounds}' is not a positive integer`);
  if (saltText === '') malformed('the PBKDF2 salt is empty');
  const hash = decodeBase64Text(hashText);
  if (hash === undefined || hash.length === 0 || hash.length > MAX_KEY_BYTES) {
    malformed('the PBKDF2 hash is not base64');
  }
  return { digest: digest as Pbkdf2Digest, iterations, saltText, hash };
}

function derive(password: Buffer, salt: Buffer, parsed: Pbkdf2Hash): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.pbkdf2(password, salt, parsed.iterations, parsed.hash.length, parsed.digest, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** The salts to try, in order: decoded base64 first (go-auth, and Midge's own), then the literal text. */
function candidateSalts(saltText: string, encoding: SaltEncoding): Buffer[] {
  const literal = Buffer.from(saltText, 'utf8');
  if (encoding === 'utf-8') return [literal];
  const decoded = decodeBase64Text(saltText);
  if (encoding === 'base64') {
    if (decoded === undefined) malformed('the PBKDF2 salt is not base64 (salt encoding base64)');
    return [decoded];
  }
  return decoded === undefined || decoded.length === 0 ? [literal] : [decoded, literal];
}

/** Constant-time comparison of each candidate (PBKDF2 on libuv's pool, off the event loop). */
export async function verifyPbkdf2(
  password: Buffer,
  parsed: Pbkdf2Hash,
  encoding: SaltEncoding = 'auto',
): Promise<boolean> {
  for (const salt of candidateSalts(parsed.saltText, encoding)) {
    if (crypto.timingSafeEqual(await derive(password, salt, parsed), parsed.hash)) return true;
  }
  return false;
}

export interface HashPbkdf2Options {
  digest?: Pbkdf2Digest;
  iterations?: number;
  /** Fixed salt bytes for reproducible vectors; random when absent. */
  salt?: Buffer;
  keyBytes?: number;
  /** 'base64' (go-auth, the default) writes the salt bytes as base64; 'utf-8' (auth-plug) writes them as text. */
  saltEncoding?: 'base64' | 'utf-8';
}

/** A go-auth style hash by default: PBKDF2$sha512$100000$<base64 16-byte salt>$<base64 64-byte key>. */
export function hashPbkdf2(password: Buffer, options: HashPbkdf2Options = {}): string {
  const digest = options.digest ?? PBKDF2_DEFAULTS.digest;
  const iterations = options.iterations ?? PBKDF2_DEFAULTS.iterations;
  const keyBytes = options.keyBytes ?? PBKDF2_DEFAULTS.keyBytes;
  if (!Number.isSafeInteger(iterations) || iterations < 1) {
    throw new RangeError(`iterations must be a positive integer, got ${iterations}`);
  }
  const salt = options.salt ?? crypto.randomBytes(PBKDF2_DEFAULTS.saltBytes);
  const literal = options.saltEncoding === 'utf-8';
  const saltText = literal ? salt.toString('utf8') : salt.toString('base64');
  if (saltText === '' || saltText.includes('$')) throw new RangeError('the salt must be non-empty without $');
  // auth-plug hashes the salt's text; go-auth hashes the bytes the base64 stands for.
  const key = crypto.pbkdf2Sync(
    password,
    literal ? Buffer.from(saltText, 'utf8') : salt,
    iterations,
    keyBytes,
    digest,
  );
  return `PBKDF2$${digest}$${iterations}$${saltText}$${key.toString('base64')}`;
}
