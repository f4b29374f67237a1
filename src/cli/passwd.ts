// `midge passwd`: mosquitto_passwd's behaviour and file format, so the files work with mosquitto and Midge alike.
// Every change is written to a temporary file beside the target and renamed over it: a failure leaves the old
// file untouched.
import { chmodSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { checkPasswordHash, hashPassword } from '../index.js';
import { PASSWD_USAGE, PasswdUsageError, parsePasswdArgs } from './passwd-args.js';
import type { PasswdCommand } from './passwd-args.js';
import { deleteUser, findCorruptLine, joinLines, setUser, splitLines, upgradeLines } from './passwd-file.js';
import { askSecrets, type PromptIo } from './prompt.js';

export interface CommandIo extends PromptIo {
  error: NodeJS.WritableStream;
}

class PasswdError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode = 1,
  ) {
    super(`${code}: ${message}`);
  }
}

/** mosquitto's limit: a username or password longer than an MQTT string cannot be sent anyway. */
const MAX_FIELD_BYTES = 65_535;

function checkUsername(username: string): void {
  if (username === '') throw new PasswdError('MIDGE_PASSWD_BAD_USERNAME', 'the username is empty');
  if (username.includes(':')) {
    throw new PasswdError('MIDGE_PASSWD_BAD_USERNAME', "the username must not contain the ':' character");
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(username)) {
    throw new PasswdError('MIDGE_PASSWD_BAD_USERNAME', 'the username must not contain control characters');
  }
  if (Buffer.byteLength(username) > MAX_FIELD_BYTES) {
    throw new PasswdError(
      'MIDGE_PASSWD_BAD_USERNAME',
      `the username is longer than ${MAX_FIELD_BYTES} bytes`,
    );
  }
}

function readLines(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new PasswdError(
      'MIDGE_PASSWD_FILE_UNREADABLE',
      `cannot read the password file ${file} (${reason}); use -c to create it`,
    );
  }
  const lines = splitLines(text);
  const corrupt = findCorruptLine(lines);
  if (corrupt !== undefined)
    throw new PasswdError(corrupt.code, `${file}: ${corrupt.message}; nothing changed`);
  return lines;
}

function writeLines(file: string, lines: readonly string[]): void {
  let mode = 0o600;
  try {
    mode = statSync(file).mode & 0o777;
  } catch {
    // A new file: owner only, it holds password hashes.
  }
  const temporary = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, joinLines(lines), { mode });
    chmodSync(temporary, mode);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new PasswdError('MIDGE_PASSWD_WRITE_FAILED', `cannot write ${file} (${reason}); nothing changed`);
  }
}

function hasher(command: PasswdCommand): (password: string) => string {
  const format = command.hash === 'sha512' ? '6' : '7';
  return (password) => {
    if (Buffer.byteLength(password) > MAX_FIELD_BYTES) {
      throw new PasswdError(
        'MIDGE_PASSWD_BAD_PASSWORD',
        `the password is longer than ${MAX_FIELD_BYTES} bytes`,
      );
    }
    return hashPassword(password, { format, iterations: command.iterations });
  };
}

function isMosquittoHash(value: string): boolean {
  try {
    return checkPasswordHash(value).startsWith('mosquitto-');
  } catch {
    return false;
  }
}

async function passwordFor(command: PasswdCommand, io: CommandIo): Promise<string> {
  if (command.password !== undefined) return command.password;
  const [first, second] = await askSecrets(io, ['Password: ', 'Reenter password: ']);
  // mosquitto_passwd exits with 2 when the two entries differ.
  if (first !== second) throw new PasswdError('MIDGE_PASSWD_MISMATCH', 'the passwords do not match', 2);
  return first as string;
}

async function run(command: PasswdCommand, io: CommandIo): Promise<void> {
  const hash = hasher(command);
  if (command.mode === 'upgrade') {
    const { lines, hashed } = await upgradeLines(readLines(command.file), isMosquittoHash, hash);
    writeLines(command.file, lines);
    io.output.write(`${hashed} password${hashed === 1 ? '' : 's'} hashed in ${command.file}\n`);
    return;
  }
  const username = command.username as string;
  checkUsername(username);
  if (command.mode === 'delete') {
    const lines = deleteUser(readLines(command.file), username);
    if (lines === undefined) {
      throw new PasswdError('MIDGE_PASSWD_USER_NOT_FOUND', `user '${username}' is not in ${command.file}`);
    }
    writeLines(command.file, lines);
    return;
  }
  // Read (and check) the file before asking for a password, so a wrong path fails at once.
  const lines = command.create ? [] : readLines(command.file);
  const entry = hash(await passwordFor(command, io));
  writeLines(command.file, setUser(lines, username, entry));
}

/** Runs `midge passwd ARGS`; returns the exit code. */
export async function runPasswd(argv: readonly string[], io: CommandIo): Promise<number> {
  try {
    const command = parsePasswdArgs(argv);
    if (command === 'help') {
      io.output.write(PASSWD_USAGE);
      return 0;
    }
    await run(command, io);
    return 0;
  } catch (error) {
    if (error instanceof PasswdUsageError) {
      io.error.write(`midge passwd: ${error.code}: ${error.message}`);
      return 1;
    }
    if (error instanceof PasswdError) {
      io.error.write(`midge passwd: ${error.message}\n`);
      return error.exitCode;
    }
    io.error.write(`midge passwd: MIDGE_PASSWD_FAILED: ${(error as Error).message}\n`);
    return 1;
  }
}
