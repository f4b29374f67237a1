// A stored password hash Midge cannot use: a stable code and what is wrong with it, never the hash itself.

export type PasswordHashErrorCode = 'MIDGE_AUTH_HASH_UNSUPPORTED' | 'MIDGE_AUTH_HASH_MALFORMED';

export class PasswordHashError extends Error {
  readonly code: PasswordHashErrorCode;

  constructor(code: PasswordHashErrorCode, detail: string) {
    super(`${code}: ${detail}`);
    this.name = 'PasswordHashError';
    this.code = code;
  }
}

export function malformed(detail: string): never {
  throw new PasswordHashError('MIDGE_AUTH_HASH_MALFORMED', detail);
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Standard base64, padded or not (PHC strings leave the padding out); undefined when it is not base64. */
export function decodeBase64Text(text: string): Buffer | undefined {
  if (text === '' || !BASE64.test(text) || text.replace(/=+$/, '').length % 4 === 1) return undefined;
  return Buffer.from(text, 'base64');
}
