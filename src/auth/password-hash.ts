// Every password hash format Midge reads, behind one verify function, and the one it writes by default.
//   $6$ / $7$                        mosquitto_passwd (password.ts)
//   PBKDF2$<digest>$<n>$<salt>$<hash> mosquitto-auth-plug and mosquitto-go-auth (password-pbkdf2.ts)
//   $2a$ / $2b$ / $2y$               bcrypt (password-bcrypt.ts)
//   $argon2id$ (and i / d)           Argon2, PHC string format (password-argon2.ts)
// New hashes are go-auth's PBKDF2-SHA512 with a random salt: readable by go-auth itself and by Midge.
import crypto from 'node:crypto';
import {
  hashPassword as hashMosquitto,
  parsePasswordHash,
  verifyPassword as verifyMosquitto,
} from './password.js';
import { PasswordHashError, malformed } from './password-error.js';
import { hashArgon2, isArgon2Hash, parseArgon2Hash, verifyArgon2 } from './password-argon2.js';
import { hashBcrypt, isBcryptHash, parseBcryptHash, verifyBcrypt } from './password-bcrypt.js';
import {
  PBKDF2_DEFAULTS,
  hashPbkdf2,
  isPbkdf2Hash,
  parsePbkdf2Hash,
  verifyPbkdf2,
} from './password-pbkdf2.js';
import type { Pbkdf2Hash, SaltEncoding } from './password-pbkdf2.js';

export type PasswordScheme = 'mosquitto-sha512' | 'mosquitto-pbkdf2' | 'pbkdf2' | 'bcrypt' | 'argon2';

export interface VerifyPasswordOptions {
  /** How PBKDF2$ salts are read: 'auto' (default) tries base64 then the literal text; see password-pbkdf2.ts. */
  saltEncoding?: SaltEncoding;
}

/** Which format a stored hash is in; throws MIDGE_AUTH_HASH_UNSUPPORTED for anything else (plain text too). */
export function identifyPasswordHash(encoded: string): PasswordScheme {
  if (encoded.startsWith('$6$')) return 'mosquitto-sha512';
  if (encoded.startsWith('$7$')) return 'mosquitto-pbkdf2';
  if (isPbkdf2Hash(encoded)) return 'pbkdf2';
  if (isBcryptHash(encoded)) return 'bcrypt';
  if (isArgon2Hash(encoded)) return 'argon2';
  throw new PasswordHashError(
    'MIDGE_AUTH_HASH_UNSUPPORTED',
    'not a password hash Midge reads ($7$, $6$, PBKDF2$…, $2b$ bcrypt or $argon2id$); ' +
      'plain-text passwords are never compared — hash them with `midge passwd` or `midge user password`',
  );
}

/** Throws a coded PasswordHashError unless `encoded` is a complete, well-formed hash of a known format. */
export function checkPasswordHash(encoded: string): PasswordScheme {
  const scheme = identifyPasswordHash(encoded);
  if (scheme === 'pbkdf2') parsePbkdf2Hash(encoded);
  else if (scheme === 'bcrypt') parseBcryptHash(encoded);
  else if (scheme === 'argon2') parseArgon2Hash(encoded);
  else {
    try {
      parsePasswordHash(encoded);
    } catch (error) {
      malformed((error as Error).message);
    }
  }
  return scheme;
}

/** Stands in for a user that does not exist: the default format, never matched by any password. */
const ABSENT_USER: Pbkdf2Hash = {
  digest: PBKDF2_DEFAULTS.digest,
  iterations: PBKDF2_DEFAULTS.iterations,
  saltText: crypto.randomBytes(PBKDF2_DEFAULTS.saltBytes).toString('base64'),
  hash: crypto.randomBytes(PBKDF2_DEFAULTS.keyBytes),
};

function toBytes(password: string | Buffer): Buffer {
  return typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
}

/**
 * True when `password` matches the stored hash, compared in constant time. With no stored hash (unknown user)
 * or no password, the answer is false but a default-format hash is still computed, so the timing does not tell
 * which usernames exist. A stored value in no known format throws a coded PasswordHashError: the provider
 * should deny and log it (it is a broken row, not a wrong password).
 */
export async function verifyStoredPassword(
  password: string | Buffer | undefined,
  stored: string | undefined,
  options: VerifyPasswordOptions = {},
): Promise<boolean> {
  const bytes = toBytes(password ?? Buffer.alloc(0));
  if (stored === undefined) {
    await verifyPbkdf2(bytes, ABSENT_USER, options.saltEncoding);
    return false;
  }
  const scheme = checkPasswordHash(stored);
  let matches: boolean;
  if (scheme === 'pbkdf2') matches = await verifyPbkdf2(bytes, parsePbkdf2Hash(stored), options.saltEncoding);
  else if (scheme === 'bcrypt') matches = await verifyBcrypt(bytes, stored);
  else if (scheme === 'argon2') matches = await verifyArgon2(bytes, stored);
  else matches = await verifyMosquitto(bytes, stored);
  return matches && password !== undefined;
}

export interface HashNewPasswordOptions {
  /** 'pbkdf2' (go-auth PBKDF2-SHA512, the default), mosquitto's two, 'bcrypt' or 'argon2' (argon2id). */
  scheme?: PasswordScheme;
  /** Rounds for the PBKDF2 schemes, cost for bcrypt, passes for argon2. */
  iterations?: number;
}

/** Hashes a password for storing. Every scheme here is one verifyStoredPassword reads back. */
export async function hashNewPassword(
  password: string | Buffer,
  options: HashNewPasswordOptions = {},
): Promise<string> {
  const bytes = toBytes(password);
  const { iterations } = options;
  switch (options.scheme ?? 'pbkdf2') {
    case 'pbkdf2':
      return hashPbkdf2(bytes, { iterations });
    case 'mosquitto-pbkdf2':
      return hashMosquitto(bytes, { format: '7', iterations });
    case 'mosquitto-sha512':
      return hashMosquitto(bytes, { format: '6' });
    case 'bcrypt':
      return hashBcrypt(bytes, iterations);
    case 'argon2':
      return hashArgon2(bytes, { passes: iterations });
  }
}
