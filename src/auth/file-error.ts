// Errors in password and ACL files: a stable code, where (file:line), and what to do about it.

export type AuthFileErrorCode =
  'MIDGE_AUTH_PASSWORD_FILE_SYNTAX' | 'MIDGE_AUTH_ACL_FILE_SYNTAX' | 'MIDGE_AUTH_FILE_UNREADABLE';

export class AuthFileError extends Error {
  readonly code: AuthFileErrorCode;
  /** The message without the code and location. */
  readonly detail: string;
  readonly file: string;
  readonly line: number | undefined;

  constructor(code: AuthFileErrorCode, detail: string, file: string, line?: number, options?: ErrorOptions) {
    super(`${code} ${line === undefined ? `in ${file}` : `at ${file}:${line}`}: ${detail}`, options);
    this.name = 'AuthFileError';
    this.code = code;
    this.detail = detail;
    this.file = file;
    this.line = line;
  }
}

/** The lines of a file with their 1-based numbers, without line endings (LF or CRLF). */
export function numberedLines(text: string): { line: number; text: string }[] {
  return text.split(/\r?\n/).map((content, index) => ({ line: index + 1, text: content }));
}
