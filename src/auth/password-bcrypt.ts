// bcrypt hashes as PHP, Apache htpasswd -B, libxcrypt and go-auth write them: $2a$ / $2b$ / $2y$<cost>$<53 chars>.
// bcryptjs (pure JavaScript) hashes in slices between event-loop turns, so a cost-12 hash does not stall the
// broker. The result is compared in constant time here rather than trusting the library's own compare.
import crypto from 'node:crypto';
import { malformed } from './password-error.js';

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;
/** bcrypt's own bounds on the cost (log2 of the rounds). */
const MIN_COST = 4;
const MAX_COST = 31;
export const DEFAULT_BCRYPT_COST = 10;

export function isBcryptHash(encoded: string): boolean {
  return /^\$2[aby]\$/.test(encoded);
}

function checkCost(cost: number): void {
  if (!(cost >= MIN_COST && cost <= MAX_COST))
    malformed(`bcrypt cost ${cost} is outside ${MIN_COST}..${MAX_COST}`);
}

export function parseBcryptHash(encoded: string): string {
  const match = BCRYPT.exec(encoded);
  if (match === null) malformed('expected $2b$<cost>$ followed by 53 characters of bcrypt base64');
  checkCost(Number(match[1]));
  return encoded;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** bcryptjs takes text: a password that is not UTF-8 cannot be one that was set, and never matches. */
function asText(password: Buffer): string | undefined {
  try {
    return strictUtf8.decode(password);
  } catch {
    return undefined;
  }
}

export async function verifyBcrypt(password: Buffer, encoded: string): Promise<boolean> {
  parseBcryptHash(encoded);
  const { hash } = await import('bcryptjs');
  const text = asText(password);
  // The salt part is the first 29 characters ($2b$10$ + 22); an undecodable password still costs one hash.
  const derived = Buffer.from(await hash(text ?? '', encoded.slice(0, 29)), 'utf8');
  const expected = Buffer.from(encoded, 'utf8');
  return (
    derived.length === expected.length && crypto.timingSafeEqual(derived, expected) && text !== undefined
  );
}

export async function hashBcrypt(password: Buffer, cost = DEFAULT_BCRYPT_COST): Promise<string> {
  checkCost(cost);
  const text = asText(password);
  if (text === undefined) throw new RangeError('bcrypt needs a UTF-8 password');
  const { genSalt, hash } = await import('bcryptjs');
  return hash(text, await genSalt(cost));
}
