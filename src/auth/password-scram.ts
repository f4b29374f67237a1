// SCRAM (RFC 5802) over MQTT 5 enhanced authentication, with SHA-512 so that mosquitto_passwd's $7$ hashes serve
// as they are: a $7$ hash is PBKDF2-HMAC-SHA512(password, salt, iterations), which is exactly SCRAM's
// SaltedPassword. Method name "SCRAM-SHA-512". No channel binding ("n,," only).
//   CONNECT  data: client-first  "n,,n=<user>,r=<client nonce>"
//   AUTH 0x18 data: server-first "r=<client nonce><server nonce>,s=<base64 salt>,i=<iterations>"
//   AUTH 0x18 data: client-final "c=biws,r=<nonce>,p=<base64 proof>"
//   CONNACK  data: server-final  "v=<base64 server signature>"
import crypto from 'node:crypto';
import type { PasswordHash } from './password.js';
import type { EnhancedAuthConversation, EnhancedAuthStep } from './types.js';

export const SCRAM_SHA_512 = 'SCRAM-SHA-512';

const BAD_AUTH = 0x86;
const NONCE_BYTES = 18;

/** What SCRAM needs of the password store: the user's hash, or a decoy for an unknown one (same cost). */
export type ScramLookup = (username: string) => { readonly hash: PasswordHash; readonly known: boolean };

function hmac(key: Buffer, text: string | Buffer): Buffer {
  return crypto.createHmac('sha512', key).update(text).digest();
}

function sha512(data: Buffer): Buffer {
  return crypto.createHash('sha512').update(data).digest();
}

/** "a=1,b=2" → Map; undefined when an attribute is malformed. */
function attributes(text: string): Map<string, string> | undefined {
  const map = new Map<string, string>();
  for (const part of text.split(',')) {
    if (part.length < 2 || part[1] !== '=') return undefined;
    map.set(part[0] as string, part.slice(2));
  }
  return map;
}

/** RFC 5802 saslname: "=2C" is ',' and "=3D" is '='; any other '=' is malformed. */
function unescapeName(name: string): string | undefined {
  if (/=(?!2C|3D)/.test(name)) return undefined;
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

const refuse = (): EnhancedAuthStep => ({ kind: 'done', result: { decision: 'deny', reasonCode: BAD_AUTH } });

/** One SCRAM-SHA-512 exchange: step 1 takes client-first, step 2 takes client-final. */
export class ScramConversation implements EnhancedAuthConversation {
  readonly #lookup: ScramLookup;
  #state:
    | { readonly stage: 'first' }
    | {
        readonly stage: 'final';
        readonly username: string;
        readonly known: boolean;
        readonly hash: PasswordHash;
        readonly nonce: string;
        readonly firstBare: string;
        readonly serverFirst: string;
      }
    | { readonly stage: 'over' } = { stage: 'first' };

  constructor(lookup: ScramLookup) {
    this.#lookup = lookup;
  }

  step(data: Buffer | undefined): EnhancedAuthStep {
    const text = data?.toString('utf8') ?? '';
    const state = this.#state;
    this.#state = { stage: 'over' };
    if (state.stage === 'first') return this.#first(text);
    if (state.stage === 'final') return this.#final(text, state);
    return refuse();
  }

  #first(text: string): EnhancedAuthStep {
    if (!text.startsWith('n,,')) return refuse(); // no channel binding, no authzid
    const firstBare = text.slice(3);
    const fields = attributes(firstBare);
    const name = fields?.get('n');
    const clientNonce = fields?.get('r');
    const username = name === undefined ? undefined : unescapeName(name);
    if (username === undefined || username === '' || clientNonce === undefined || clientNonce === '') {
      return refuse();
    }
    const { hash, known } = this.#lookup(username);
    const nonce = clientNonce + crypto.randomBytes(NONCE_BYTES).toString('base64');
    const serverFirst = `r=${nonce},s=${hash.salt.toString('base64')},i=${hash.iterations}`;
    this.#state = { stage: 'final', username, known, hash, nonce, firstBare, serverFirst };
    return { kind: 'continue', data: Buffer.from(serverFirst) };
  }

  #final(
    text: string,
    state: {
      username: string;
      known: boolean;
      hash: PasswordHash;
      nonce: string;
      firstBare: string;
      serverFirst: string;
    },
  ): EnhancedAuthStep {
    const proofAt = text.lastIndexOf(',p=');
    if (proofAt === -1) return refuse();
    const withoutProof = text.slice(0, proofAt);
    const fields = attributes(withoutProof);
    if (fields?.get('c') !== 'biws' || fields.get('r') !== state.nonce) return refuse();
    const proof = Buffer.from(text.slice(proofAt + 3), 'base64');
    const salted = state.hash.hash; // $7$: PBKDF2-HMAC-SHA512 output, SCRAM's SaltedPassword
    const authMessage = `${state.firstBare},${state.serverFirst},${withoutProof}`;
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = sha512(clientKey);
    const signature = hmac(storedKey, authMessage);
    if (proof.length !== signature.length) return refuse();
    const candidate = Buffer.alloc(signature.length);
    for (let i = 0; i < signature.length; i++) candidate[i] = (proof[i] as number) ^ (signature[i] as number);
    // Constant time, and the decoy of an unknown user fails the same way a wrong password does.
    const matches = crypto.timingSafeEqual(sha512(candidate), storedKey);
    if (!matches || !state.known || state.hash.format !== '7') return refuse();
    const serverSignature = hmac(hmac(salted, 'Server Key'), authMessage);
    return {
      kind: 'done',
      result: { decision: 'allow', username: state.username },
      data: Buffer.from(`v=${serverSignature.toString('base64')}`),
    };
  }
}
