// mosquitto_passwd's command line, read the way it reads it:
//   midge passwd [-H sha512 | -H sha512-pbkdf2] [-I iterations] [-c | -D] passwordfile username
//   midge passwd [-H sha512 | -H sha512-pbkdf2] [-I iterations] [-c] -b passwordfile username password
//   midge passwd -U passwordfile
// Flags come before the positional arguments, in any order; the count of positionals is fixed by the flags.

export type PasswdHash = 'sha512' | 'sha512-pbkdf2';

export interface PasswdCommand {
  mode: 'set' | 'delete' | 'upgrade';
  /** -c: start a new file, replacing any file at that path. */
  create: boolean;
  file: string;
  username?: string;
  /** Given on the command line with -b; prompted for otherwise. */
  password?: string;
  hash: PasswdHash;
  /** PBKDF2 rounds for sha512-pbkdf2 (mosquitto_passwd uses 101). */
  iterations?: number;
}

export class PasswdUsageError extends Error {
  readonly code = 'MIDGE_PASSWD_USAGE';
}

export const PASSWD_USAGE = `midge passwd manages password files in mosquitto_passwd's format (mosquitto reads them too).

Usage: midge passwd [-H sha512 | -H sha512-pbkdf2] [-I iterations] [-c | -D] passwordfile username
       midge passwd [-H sha512 | -H sha512-pbkdf2] [-I iterations] [-c] -b passwordfile username password
       midge passwd -U passwordfile
 -b : batch mode: the password is the last argument instead of being prompted for.
 -c : create a new password file, replacing an existing one.
 -D : delete the username rather than adding or updating its password.
 -H : the hash: sha512-pbkdf2 ($7$, the default and recommended) or sha512 ($6$, mosquitto 1.6 and earlier).
 -I : PBKDF2 rounds for sha512-pbkdf2 (default 101, as mosquitto_passwd).
 -U : hash the plain-text passwords of a 'username:password' file in place.
`;

function fail(message: string): never {
  throw new PasswdUsageError(`${message}\n\n${PASSWD_USAGE}`);
}

export function parsePasswdArgs(argv: readonly string[]): PasswdCommand | 'help' {
  let create = false;
  let batch = false;
  let remove = false;
  let upgrade = false;
  let hash: PasswdHash = 'sha512-pbkdf2';
  let iterations: number | undefined;
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '-h' || arg === '--help') return 'help';
    if (arg === '-c') create = true;
    else if (arg === '-b') batch = true;
    else if (arg === '-D') remove = true;
    else if (arg === '-U') upgrade = true;
    else if (arg === '-H') {
      const value = argv[++i];
      if (value !== 'sha512' && value !== 'sha512-pbkdf2')
        fail(`-H expects sha512 or sha512-pbkdf2, got '${value ?? ''}'`);
      hash = value;
    } else if (arg === '-I') {
      const value = argv[++i] ?? '';
      iterations = /^[1-9][0-9]{0,8}$/.test(value)
        ? Number(value)
        : fail(`-I expects a positive number of rounds, got '${value}'`);
    } else if (arg.startsWith('-') && arg.length > 1) fail(`unknown option '${arg}'`);
    else break;
  }
  const rest = argv.slice(i);
  if (create && remove) fail('-c and -D cannot be used together');
  if (upgrade) {
    if (create || remove || batch) fail('-U cannot be combined with -c, -D or -b');
    if (rest.length !== 1) fail('-U takes exactly one argument: the password file');
    return { mode: 'upgrade', create: false, file: rest[0] as string, hash, iterations };
  }
  if (remove && batch) fail('-D and -b cannot be used together');
  const expected = batch ? 3 : 2;
  if (rest.length !== expected) {
    fail(batch ? '-b needs: passwordfile username password' : 'expected: passwordfile username');
  }
  const [file, username, password] = rest as [string, string, string | undefined];
  return { mode: remove ? 'delete' : 'set', create, file, username, password, hash, iterations };
}
