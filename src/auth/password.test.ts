import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { readFileSync } from 'node:fs';
import {
  DEFAULT_PBKDF2_ITERATIONS,
  PasswordFile,
  hashPassword,
  parsePasswordHash,
  verifyPassword,
} from './password.js';
import { AuthFileError } from './file-error.js';
import { MOSQUITTO_PASSWD_FILE, MOSQUITTO_PASSWD_USERS } from '../../test/fixtures/auth/users.js';

const SALT = Buffer.from('midge-salt-1');
// Vectors written down once from node:crypto directly (createHash / pbkdf2Sync), not from password.ts.
const VECTORS: [string, string][] = [
  [
    '$6$ sha512(password ‖ salt)',
    '$6$bWlkZ2Utc2FsdC0x$hWK2LFgXf3UkFC+bApKz55Zz2e7NruQpqTXrg0N8l4esu850602rdgBtcn6cWjK2Q6nDzImyUc7bE3GNCQf3fw==',
  ],
  [
    '$7$ pbkdf2-sha512, 101 rounds',
    '$7$101$bWlkZ2Utc2FsdC0x$FwI3hfFYVnhU4OMxxhT3nW7+yJk5hf4Ci+1xmZNbVLskxzx146KfqXrkP11dDMbkT+XWmViDyuYTlLOrSglfHQ==',
  ],
  [
    '$7$ pbkdf2-sha512, 1000 rounds',
    '$7$1000$bWlkZ2Utc2FsdC0x$rTXm+jrQmUv5oc5vz5bdojTauPz40eT2gO2em8t2+9iaSIC6HaLg+2ThsXb2FjfZ7vfXHW3UJ24DKGg1VJR9pg==',
  ],
];

for (const [name, encoded] of VECTORS) {
  test(`verifyPassword: node:crypto vector ${name}`, async () => {
    assert.equal(await verifyPassword('correct horse', encoded), true);
    assert.equal(await verifyPassword('correct horsE', encoded), false);
    assert.equal(await verifyPassword('', encoded), false);
  });
}

test('hashPassword reproduces the node:crypto vectors from the same salt', () => {
  assert.equal(hashPassword('correct horse', { format: '6', salt: SALT }), VECTORS[0]?.[1]);
  assert.equal(hashPassword('correct horse', { salt: SALT }), VECTORS[1]?.[1]);
  assert.equal(hashPassword('correct horse', { format: '7', iterations: 1000, salt: SALT }), VECTORS[2]?.[1]);
});

test('hashPassword defaults to $7$, 101 rounds, 12-byte random salt, 64-byte key', async () => {
  const encoded = hashPassword('s3cret');
  const parsed = parsePasswordHash(encoded);
  assert.equal(parsed.format, '7');
  assert.equal(parsed.iterations, DEFAULT_PBKDF2_ITERATIONS);
  assert.equal(parsed.salt.length, 12);
  assert.equal(parsed.hash.length, 64);
  assert.match(encoded, /^\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$/);
  assert.notEqual(hashPassword('s3cret'), encoded, 'a fresh salt each time');
  assert.equal(await verifyPassword('s3cret', encoded), true);
  assert.equal(await verifyPassword(Buffer.from('s3cret'), encoded), true);
});

test('hashPassword refuses nonsense rounds and empty salts', () => {
  assert.throws(() => hashPassword('x', { iterations: 0 }), RangeError);
  assert.throws(() => hashPassword('x', { iterations: 1.5 }), RangeError);
  assert.throws(() => hashPassword('x', { salt: Buffer.alloc(0) }), RangeError);
});

const fixtureLines = readFileSync(MOSQUITTO_PASSWD_FILE, 'utf8').trim().split('\n');

for (const [username, [password, format]] of Object.entries(MOSQUITTO_PASSWD_USERS)) {
  test(`mosquitto_passwd fixture: '${username}' ($${format}$) verifies with its password, not with another`, async () => {
    const line = fixtureLines.find((l) => l.startsWith(`${username}:`));
    assert.ok(line, `fixture has ${username}`);
    const encoded = line.slice(username.length + 1);
    assert.equal(parsePasswordHash(encoded).format, format);
    assert.equal(await verifyPassword(password, encoded), true);
    assert.equal(await verifyPassword(`${password}x`, encoded), false);
  });
}

test('mosquitto_passwd fixture: hashPassword with the same salt writes the same line, byte for byte', () => {
  for (const [username, [password, format]] of Object.entries(MOSQUITTO_PASSWD_USERS)) {
    const line = fixtureLines.find((l) => l.startsWith(`${username}:`)) as string;
    const { salt } = parsePasswordHash(line.slice(username.length + 1));
    assert.equal(`${username}:${hashPassword(password, { format, salt })}`, line);
  }
});

test('parsePasswordHash rejects plain text, unknown formats and damaged hashes', () => {
  const good = VECTORS[1]?.[1] as string;
  const cases: [string, RegExp][] = [
    ['secret', /plain-text passwords are not accepted/],
    ['$5$abc$def', /unsupported password hash/],
    ['$7$101$salt', /expected \$7\$<iterations>\$<salt>\$<hash>/],
    ['$6$a$b$c', /expected \$6\$<salt>\$<hash>/],
    [good.replace('$101$', '$0$'), /iterations '0'/],
    [good.replace('$101$', '$x$'), /iterations 'x'/],
    [good.replace('bWlkZ2Utc2FsdC0x', 'not base64!'), /salt is not base64/],
    [good.slice(0, -8) + '==', /64 bytes/],
  ];
  for (const [encoded, message] of cases) {
    assert.throws(() => parsePasswordHash(encoded), message, encoded);
  }
});

test('PasswordFile.parse reads the mosquitto_passwd fixture; comments and blank lines are skipped', async () => {
  const text = `# written by mosquitto_passwd\n\n${readFileSync(MOSQUITTO_PASSWD_FILE, 'utf8')}\r\n`;
  const file = PasswordFile.parse(text, 'passwd');
  assert.equal(file.size, Object.keys(MOSQUITTO_PASSWD_USERS).length);
  assert.equal(await file.verify('alice', Buffer.from('alice-secret')), true);
  assert.equal(await file.verify('ümlaut', Buffer.from('pässwörd ✓', 'utf8')), true);
});

test('PasswordFile.verify: wrong password, missing password and unknown user are all false', async () => {
  const file = PasswordFile.parse(readFileSync(MOSQUITTO_PASSWD_FILE, 'utf8'));
  assert.equal(await file.verify('alice', Buffer.from('alice-secreT')), false);
  assert.equal(await file.verify('alice', undefined), false);
  assert.equal(await file.verify('empty', undefined), false, 'no password is not the empty password');
  assert.equal(await file.verify('empty', Buffer.alloc(0)), true);
  assert.equal(await file.verify('mallory', Buffer.from('alice-secret')), false);
  assert.equal(
    await file.verify('Alice', Buffer.from('alice-secret')),
    false,
    'usernames are case-sensitive',
  );
});

test('PasswordFile.verify compares with crypto.timingSafeEqual, for known and unknown users alike', async (t) => {
  const file = PasswordFile.parse(`alice:${hashPassword('a')}\n`);
  const safeEqual = t.mock.method(crypto, 'timingSafeEqual');
  const pbkdf2 = t.mock.method(crypto, 'pbkdf2');
  assert.equal(await file.verify('alice', Buffer.from('a')), true);
  assert.equal(await file.verify('alice', Buffer.from('b')), false);
  assert.equal(await file.verify('nobody', Buffer.from('a')), false);
  assert.equal(await file.verify('nobody', undefined), false);
  assert.equal(safeEqual.mock.callCount(), 4, 'one constant-time comparison per attempt');
  assert.equal(pbkdf2.mock.callCount(), 4, 'an unknown user costs one PBKDF2 like a known one');
  for (const call of pbkdf2.mock.calls) assert.equal(call.arguments[2], 101);
});

test('PasswordFile: an unknown user is hashed with the parameters most of the file uses', async (t) => {
  const lines = [
    `a:${hashPassword('x', { iterations: 5000 })}`,
    `b:${hashPassword('x', { iterations: 5000 })}`,
    `c:${hashPassword('x', { format: '6' })}`,
  ];
  const file = PasswordFile.parse(lines.join('\n'));
  const pbkdf2 = t.mock.method(crypto, 'pbkdf2');
  assert.equal(await file.verify('nobody', Buffer.from('x')), false);
  assert.equal(pbkdf2.mock.callCount(), 1);
  assert.equal(pbkdf2.mock.calls[0]?.arguments[2], 5000);
});

test('PasswordFile.parse: errors carry a code and file:line', () => {
  const good = hashPassword('x');
  const cases: [string, RegExp][] = [
    [`alice:${good}\nbob`, /at users:2: expected 'username:hash'/],
    [`:${good}`, /at users:1: the username before ':' is empty/],
    [`alice:${good}\n\nalice:${good}`, /at users:3: user 'alice' is listed twice/],
    [`alice:${good}\nbob:hunter2`, /at users:2: user 'bob': unsupported password hash/],
  ];
  for (const [text, message] of cases) {
    assert.throws(
      () => PasswordFile.parse(text, 'users'),
      (error: unknown) =>
        error instanceof AuthFileError &&
        error.code === 'MIDGE_AUTH_PASSWORD_FILE_SYNTAX' &&
        message.test(error.message),
      text,
    );
  }
});

test('hashPassword output can be parsed back by PasswordFile, $6$ included', async () => {
  const file = PasswordFile.parse(`u6:${hashPassword('p6', { format: '6' })}\nu7:${hashPassword('p7')}\n`);
  assert.equal(await file.verify('u6', Buffer.from('p6')), true);
  assert.equal(await file.verify('u7', Buffer.from('p7')), true);
  assert.equal(await file.verify('u6', Buffer.from('p7')), false);
});
