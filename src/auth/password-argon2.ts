// Argon2 hashes in the PHC string format that the reference `argon2` tool, go-auth and most libraries write:
//   $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<base64 salt>$<base64 hash>   (base64 without padding)
// argon2id is the one to use; argon2i and argon2d read the same way. hash-wasm computes it in WebAssembly
// (no native build) in a worker thread (argon2-pool.ts), so a hash never stalls the broker's event loop; the
// raw output is compared here in constant time.
import crypto from 'node:crypto';
import { Argon2Pool } from './argon2-pool.js';
import { decodeBase64Text, malformed } from './password-error.js';

type Argon2Variant = 'argon2id' | 'argon2i' | 'argon2d';

export interface Argon2Hash {
  readonly variant: Argon2Variant;
  readonly memoryKiB: number;
  readonly passes: number;
  readonly lanes: number;
  readonly salt: Buffer;
  readonly hash: Buffer;
}

const PHC =
  /^\$(argon2id|argon2i|argon2d)\$(?:v=19\$)?m=(\d{1,8}),t=(\d{1,6}),p=(\d{1,3})\$([^$]+)\$([^$]+)$/;
/** Bounds that keep a damaged row from asking for absurd work; real deployments sit far inside them. */
const MAX_MEMORY_KIB = 4 * 1024 * 1024;

/** Memory 64 MiB, 3 passes, 1 lane: the RFC 9106 second recommendation scaled to a broker's CONNECT. */
export const ARGON2_DEFAULTS = {
  memoryKiB: 65_536,
  passes: 3,
  lanes: 1,
  saltBytes: 16,
  hashBytes: 32,
} as const;

export function isArgon2Hash(encoded: string): boolean {
  return /^\$argon2(id|i|d)\$/.test(encoded);
}

export function parseArgon2Hash(encoded: string): Argon2Hash {
  if (/^\$argon2(id|i|d)\$v=(?!19\$)/.test(encoded)) malformed('only Argon2 version 19 (v=19) is supported');
  const match = PHC.exec(encoded);
  if (match === null) malformed('expected $argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>');
  const [, variant, m, t, p, saltText, hashText] = match as unknown as [
    string,
    Argon2Variant,
    string,
    string,
    string,
    string,
    string,
  ];
  const lanes = Number(p);
  const memoryKiB = Number(m);
  const passes = Number(t);
  if (lanes < 1 || passes < 1 || memoryKiB < 8 * lanes || memoryKiB > MAX_MEMORY_KIB) {
    malformed(`Argon2 parameters m=${m},t=${t},p=${p} are out of range`);
  }
  const salt = decodeBase64Text(saltText);
  const hash = decodeBase64Text(hashText);
  if (salt === undefined || salt.length < 8) malformed('the Argon2 salt is not base64 of at least 8 bytes');
  if (hash === undefined || hash.length < 4) malformed('the Argon2 hash is not base64 of at least 4 bytes');
  return { variant, memoryKiB, passes, lanes, salt, hash };
}

/** Shared by every broker in the process; it starts no worker until the first Argon2 hash. */
const pool = new Argon2Pool();

function derive(password: Buffer, h: Omit<Argon2Hash, 'hash'>, hashLength: number): Promise<Buffer> {
  return pool.derive({
    variant: h.variant,
    password,
    salt: h.salt,
    parallelism: h.lanes,
    iterations: h.passes,
    memorySize: h.memoryKiB,
    hashLength,
  });
}

/** hash-wasm cannot hash an empty password: it never matches, but still costs one hash. */
const EMPTY_STAND_IN = Buffer.from([0]);

export async function verifyArgon2(password: Buffer, encoded: string | Argon2Hash): Promise<boolean> {
  const parsed = typeof encoded === 'string' ? parseArgon2Hash(encoded) : encoded;
  const empty = password.length === 0;
  const derived = await derive(empty ? EMPTY_STAND_IN : password, parsed, parsed.hash.length);
  return crypto.timingSafeEqual(derived, parsed.hash) && !empty;
}

export interface HashArgon2Options {
  memoryKiB?: number;
  passes?: number;
  lanes?: number;
  salt?: Buffer;
}

export async function hashArgon2(password: Buffer, options: HashArgon2Options = {}): Promise<string> {
  if (password.length === 0) throw new RangeError('argon2 hashes need a non-empty password');
  const params = {
    variant: 'argon2id' as const,
    memoryKiB: options.memoryKiB ?? ARGON2_DEFAULTS.memoryKiB,
    passes: options.passes ?? ARGON2_DEFAULTS.passes,
    lanes: options.lanes ?? ARGON2_DEFAULTS.lanes,
    salt: options.salt ?? crypto.randomBytes(ARGON2_DEFAULTS.saltBytes),
  };
  const hash = await derive(password, params, ARGON2_DEFAULTS.hashBytes);
  const b64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');
  const { memoryKiB, passes, lanes } = params;
  return `$argon2id$v=19$m=${memoryKiB},t=${passes},p=${lanes}$${b64(params.salt)}$${b64(hash)}`;
}
