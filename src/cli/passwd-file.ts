// The text of a mosquitto password file as lines, edited the way mosquitto_passwd edits it: a user's line is
// replaced in place, a new user is appended, a deleted user's line goes; every other line (comments, blank lines,
// other users) is kept as it was.

export interface PasswdFileError {
  code: 'MIDGE_PASSWD_FILE_CORRUPT';
  line: number;
  message: string;
}

/** Splits a file into lines without the final newline's empty tail; CRLF files come back as LF. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.at(-1) === '') lines.pop();
  return lines;
}

export function joinLines(lines: readonly string[]): string {
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function isEntry(line: string): boolean {
  const trimmed = line.trim();
  return trimmed !== '' && !trimmed.startsWith('#');
}

function userOf(line: string): string | undefined {
  if (!isEntry(line)) return undefined;
  const colon = line.indexOf(':');
  return colon === -1 ? undefined : line.slice(0, colon);
}

/** The first entry line that is not `username:…`, so a damaged file is reported rather than rewritten. */
export function findCorruptLine(lines: readonly string[]): PasswdFileError | undefined {
  const index = lines.findIndex((line) => isEntry(line) && !(line.indexOf(':') > 0));
  if (index === -1) return undefined;
  return {
    code: 'MIDGE_PASSWD_FILE_CORRUPT',
    line: index + 1,
    message: `expected 'username:hash' at line ${index + 1}`,
  };
}

export function setUser(lines: readonly string[], username: string, hash: string): string[] {
  const entry = `${username}:${hash}`;
  let replaced = false;
  const next = lines.flatMap((line) => {
    if (userOf(line) !== username) return [line];
    if (replaced) return [];
    replaced = true;
    return [entry];
  });
  if (!replaced) next.push(entry);
  return next;
}

/** Undefined when the user has no line. */
export function deleteUser(lines: readonly string[], username: string): string[] | undefined {
  const next = lines.filter((line) => userOf(line) !== username);
  return next.length === lines.length ? undefined : next;
}

/**
 * -U: every `username:password` line whose value is not already a hash gets hashed. Lines already hashed are
 * kept, so running -U twice does no harm (mosquitto_passwd would hash the hashes).
 */
export async function upgradeLines(
  lines: readonly string[],
  isHash: (value: string) => boolean,
  hash: (password: string) => Promise<string> | string,
): Promise<{ lines: string[]; hashed: number }> {
  const next: string[] = [];
  let hashed = 0;
  for (const line of lines) {
    const username = userOf(line);
    const value = username === undefined ? undefined : line.slice(username.length + 1);
    if (username === undefined || value === undefined || isHash(value)) {
      next.push(line);
      continue;
    }
    next.push(`${username}:${await hash(value)}`);
    hashed++;
  }
  return { lines: next, hashed };
}
