// `midge passwd` and the password hashes against the real tools: Debian's mosquitto_passwd writes vectors that
// Midge must read, mosquitto itself must accept the files `midge passwd` writes (checked with mosquitto_pub
// against /usr/sbin/mosquitto on an ephemeral port), and Midge must accept mosquitto_passwd's files.
// bcrypt and argon2id vectors come from libxcrypt (perl's crypt) and the reference `argon2` tool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { verifyStoredPassword, checkPasswordHash } from '../../src/index.js';
import { PasswordFile } from '../../src/auth/password.js';
import { startMidge } from '../helpers/midge-process.js';
import { describeExit, runProcess, type Exit } from '../interop/support.js';

const MOSQUITTO = '/usr/sbin/mosquitto';
const MOSQUITTO_PASSWD = '/usr/bin/mosquitto_passwd';
const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const TIMEOUT_MS = 15_000;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'midge-passwd-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function midgePasswd(args: string[], input?: string): Promise<Exit> {
  return runProcess(process.execPath, [CLI, 'passwd', ...args], { timeoutMs: TIMEOUT_MS, input });
}

async function mosquittoPasswd(args: string[]): Promise<void> {
  const exit = await runProcess(MOSQUITTO_PASSWD, args, { timeoutMs: TIMEOUT_MS });
  assert.equal(exit.code, 0, describeExit('mosquitto_passwd', exit));
}

function hashOf(file: string, username: string): string {
  const line = readFileSync(file, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${username}:`));
  assert.ok(line, `${username} in ${file}`);
  return line.slice(username.length + 1);
}

/** mosquitto_pub's exit code for one QoS 1 publish as username/password against a broker on `port`. */
async function publishAs(port: number, username: string, password: string): Promise<number | null> {
  const args = [
    '-h',
    '127.0.0.1',
    '-p',
    String(port),
    '-u',
    username,
    '-P',
    password,
    '-t',
    't',
    '-m',
    'x',
    '-q',
    '1',
  ];
  return (await runProcess(MOSQUITTO_PUB, args, { timeoutMs: TIMEOUT_MS })).code;
}

test('mosquitto_passwd vectors made now (-H sha512 and -H sha512-pbkdf2) verify in Midge', async (t) => {
  const file = join(tempDir(t), 'passwd');
  await mosquittoPasswd(['-c', '-H', 'sha512', '-b', file, 'six', 'six-secret']);
  await mosquittoPasswd(['-H', 'sha512-pbkdf2', '-b', file, 'seven', 'sëven secret']);
  await mosquittoPasswd(['-b', file, 'default', 'd']);
  assert.match(hashOf(file, 'six'), /^\$6\$/);
  assert.match(hashOf(file, 'seven'), /^\$7\$101\$/);
  assert.match(hashOf(file, 'default'), /^\$7\$/);
  for (const [user, password] of [
    ['six', 'six-secret'],
    ['seven', 'sëven secret'],
    ['default', 'd'],
  ]) {
    const stored = hashOf(file, user as string);
    assert.equal(await verifyStoredPassword(password, stored), true, user);
    assert.equal(await verifyStoredPassword(`${password}!`, stored), false, user);
  }
  const parsed = PasswordFile.parse(readFileSync(file, 'utf8'), file);
  assert.equal(await parsed.verify('seven', Buffer.from('sëven secret')), true);
});

test('bcrypt from libxcrypt ($2b$, $2y$) and argon2id from the reference tool verify in Midge', async () => {
  const salt = randomBytes(16)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '.')
    .slice(0, 22);
  for (const prefix of ['$2b$', '$2y$']) {
    const script = 'print crypt($ARGV[0], $ARGV[1])';
    const exit = await runProcess('perl', ['-e', script, 'brypt pässword', `${prefix}06$${salt}`], {
      timeoutMs: TIMEOUT_MS,
    });
    assert.equal(exit.code, 0, describeExit('perl crypt', exit));
    assert.match(exit.stdout, /^\$2[by]\$06\$.{53}$/);
    assert.equal(await verifyStoredPassword('brypt pässword', exit.stdout), true, exit.stdout);
    assert.equal(await verifyStoredPassword('brypt password', exit.stdout), false, exit.stdout);
  }
  const argonSalt = randomBytes(12).toString('hex');
  const exit = await runProcess('argon2', [argonSalt, '-id', '-t', '2', '-m', '12', '-p', '2', '-e'], {
    timeoutMs: TIMEOUT_MS,
    input: 'argon pässword',
  });
  assert.equal(exit.code, 0, describeExit('argon2', exit));
  const encoded = exit.stdout.trim();
  assert.match(encoded, /^\$argon2id\$v=19\$m=4096,t=2,p=2\$/);
  assert.equal(await verifyStoredPassword('argon pässword', encoded), true);
  assert.equal(await verifyStoredPassword('argon password', encoded), false);
});

test('mosquitto accepts the password file midge passwd writes', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'passwd');
  assert.equal((await midgePasswd(['-c', '-b', file, 'alice', 'alice pw'])).code, 0);
  assert.equal((await midgePasswd(['-H', 'sha512', '-b', file, 'bob', 'bob pw'])).code, 0);
  const prompted = await midgePasswd([file, 'carol'], 'carol pw\ncarol pw\n');
  assert.equal(prompted.code, 0, describeExit('midge passwd (prompted)', prompted));
  assert.equal(statSync(file).mode & 0o777, 0o600, 'a new password file is readable by its owner only');
  // mosquitto drops root privileges to the 'mosquitto' user unless told to stay who it is.
  const conf = `allow_anonymous false\npassword_file ${file}\nuser ${userInfo().username}`;
  const mosquitto = await startMidge({ broker: MOSQUITTO, conf });
  try {
    assert.equal(await publishAs(mosquitto.port, 'alice', 'alice pw'), 0, mosquitto.output());
    assert.equal(await publishAs(mosquitto.port, 'bob', 'bob pw'), 0, mosquitto.output());
    assert.equal(await publishAs(mosquitto.port, 'carol', 'carol pw'), 0, mosquitto.output());
    assert.notEqual(await publishAs(mosquitto.port, 'alice', 'bob pw'), 0);
  } finally {
    await mosquitto.stop().catch(() => undefined);
  }
});

test('Midge accepts mosquitto_passwd files, and each tool edits the other one’s file', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'passwd');
  await mosquittoPasswd(['-c', '-b', file, 'alice', 'alice pw']);
  await mosquittoPasswd(['-H', 'sha512', '-b', file, 'bob', 'bob pw']);
  assert.equal((await midgePasswd(['-b', file, 'carol', 'carol pw'])).code, 0);
  assert.equal((await midgePasswd(['-D', file, 'bob'])).code, 0);
  await mosquittoPasswd(['-b', file, 'dave', 'dave pw']);
  assert.deepEqual(
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(':')[0]),
    ['alice', 'carol', 'dave'],
  );
  const midge = await startMidge({ conf: `allow_anonymous false\npassword_file ${file}` });
  try {
    assert.equal(await publishAs(midge.port, 'alice', 'alice pw'), 0, midge.output());
    assert.equal(await publishAs(midge.port, 'carol', 'carol pw'), 0, midge.output());
    assert.equal(await publishAs(midge.port, 'dave', 'dave pw'), 0, midge.output());
    assert.notEqual(await publishAs(midge.port, 'bob', 'bob pw'), 0, 'deleted');
  } finally {
    await midge.stop();
  }
});

test('midge passwd -U hashes plain passwords in place, keeps comments and existing hashes', async (t) => {
  const file = join(tempDir(t), 'passwd');
  const hashed =
    '$7$101$bWlkZ2Utc2FsdC0x$FwI3hfFYVnhU4OMxxhT3nW7+yJk5hf4Ci+1xmZNbVLskxzx146KfqXrkP11dDMbkT+XWmViDyuYTlLOrSglfHQ==';
  writeFileSync(file, `# users\nalice:alice pw\n\nbob:${hashed}\ncarol:c:olon\n`);
  const exit = await midgePasswd(['-U', file]);
  assert.equal(exit.code, 0, describeExit('midge passwd -U', exit));
  const lines = readFileSync(file, 'utf8').split('\n');
  assert.equal(lines[0], '# users');
  assert.equal(lines[2], '');
  assert.equal(lines[3], `bob:${hashed}`, 'already hashed: left alone');
  assert.equal(await verifyStoredPassword('alice pw', hashOf(file, 'alice')), true);
  assert.equal(
    await verifyStoredPassword('c:olon', hashOf(file, 'carol')),
    true,
    'the password is after the first colon',
  );
  assert.equal(checkPasswordHash(hashOf(file, 'alice')), 'mosquitto-pbkdf2');
  const again = await midgePasswd(['-U', file]);
  assert.match(again.stdout, /^0 passwords hashed/);
});

test('midge passwd refuses bad input with a code and a non-zero exit, and changes nothing', async (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'passwd');
  assert.equal((await midgePasswd(['-c', '-b', file, 'alice', 'pw'])).code, 0);
  const before = readFileSync(file, 'utf8');
  const cases: [string[], string | undefined, number, RegExp][] = [
    [['-b', file, 'a:b', 'pw'], undefined, 1, /MIDGE_PASSWD_BAD_USERNAME: .*':' character/],
    [['-b', file, '', 'pw'], undefined, 1, /MIDGE_PASSWD_BAD_USERNAME: the username is empty/],
    [['-D', file, 'nobody'], undefined, 1, /MIDGE_PASSWD_USER_NOT_FOUND: user 'nobody'/],
    [[file, 'bob'], 'one\ntwo\n', 2, /MIDGE_PASSWD_MISMATCH/],
    [[file, 'bob'], '', 1, /standard input ended/],
    [
      ['-b', join(dir, 'missing'), 'bob', 'pw'],
      undefined,
      1,
      /MIDGE_PASSWD_FILE_UNREADABLE: .*ENOENT.*use -c/,
    ],
    [['-H', 'md5', '-b', file, 'bob', 'pw'], undefined, 1, /MIDGE_PASSWD_USAGE: -H expects sha512/],
    [['-c', '-D', file, 'alice'], undefined, 1, /MIDGE_PASSWD_USAGE: -c and -D/],
    [['-b', file, 'bob'], undefined, 1, /MIDGE_PASSWD_USAGE: -b needs/],
  ];
  for (const [args, input, code, message] of cases) {
    const exit = await midgePasswd(args, input);
    assert.equal(exit.code, code, describeExit(args.join(' '), exit));
    assert.match(exit.stderr, message, args.join(' '));
    assert.equal(readFileSync(file, 'utf8'), before, `${args.join(' ')} left the file alone`);
  }
  writeFileSync(file, 'alice:hash\ngarbage\n');
  const corrupt = await midgePasswd(['-b', file, 'bob', 'pw']);
  assert.equal(corrupt.code, 1);
  assert.match(corrupt.stderr, /MIDGE_PASSWD_FILE_CORRUPT: .*line 2/);
  assert.equal(readFileSync(file, 'utf8'), 'alice:hash\ngarbage\n');
});

test('midge passwd -I sets the PBKDF2 rounds; -c replaces an existing file', async (t) => {
  const file = join(tempDir(t), 'passwd');
  writeFileSync(file, 'old:entry\n');
  assert.equal((await midgePasswd(['-c', '-I', '2000', '-b', file, 'alice', 'pw'])).code, 0);
  const lines = readFileSync(file, 'utf8').split('\n').filter(Boolean);
  assert.equal(lines.length, 1);
  assert.match(lines[0] as string, /^alice:\$7\$2000\$/);
  assert.equal(await verifyStoredPassword('pw', hashOf(file, 'alice')), true);
});
