// Errors of the auth stores and database providers that users see: a stable code and what to do about it.

export type AuthStoreErrorCode =
  | 'MIDGE_AUTH_USER_EXISTS'
  | 'MIDGE_AUTH_UNKNOWN_USER'
  | 'MIDGE_AUTH_BAD_USERNAME'
  | 'MIDGE_AUTH_BAD_TOPIC'
  | 'MIDGE_AUTH_BAD_RW'
  | 'MIDGE_AUTH_UNKNOWN_ACL'
  | 'MIDGE_AUTH_STORE_UNAVAILABLE'
  | 'MIDGE_AUTH_BAD_OPTION';

export class AuthStoreError extends Error {
  readonly code: AuthStoreErrorCode;
  /** The message without the code. */
  readonly detail: string;

  constructor(code: AuthStoreErrorCode, detail: string, options?: ErrorOptions) {
    super(`${code}: ${detail}`, options);
    this.name = 'AuthStoreError';
    this.code = code;
    this.detail = detail;
  }
}
