import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import {
  checkPasswordHash,
  hashNewPassword,
  identifyPasswordHash,
  verifyStoredPassword,
} from './password-hash.js';
import { PasswordHashError } from './password-error.js';
import { hashPbkdf2, parsePbkdf2Hash } from './password-pbkdf2.js';
import { AUTH_PLUG_PBKDF2 as AUTH_PLUG, GO_AUTH_PBKDF2 as GO_AUTH } from '../../test/helpers/hash-vectors.js';

// Vectors written down once from implementations other than Midge's:
//   PBKDF2: test/helpers/hash-vectors.ts
//   bcrypt: libxcrypt's crypt(3) through perl, `perl -e 'print crypt("U*U", "$2b$05$CCCCCCCCCCCCCCCCCCCCC.")'`
//   argon2: the reference `argon2` tool, `echo -n password | argon2 somesalt -id -t 2 -m 10 -p 1 -e`
const BCRYPT = '$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW';
const ARGON2ID = '$argon2id$v=19$m=1024,t=2,p=1$c29tZXNhbHQ$7FfsnA6vUe7qLpL/3Kqc3uR48ZJyFbUVt7jWZlf0Htk';
const MOSQUITTO_7 =
  '$7$101$bWlkZ2Utc2FsdC0x$FwI3hfFYVnhU4OMxxhT3nW7+yJk5hf4Ci+1xmZNbVLskxzx146KfqXrkP11dDMbkT+XWmViDyuYTlLOrSglfHQ==';

const VECTORS: [string, string, string][] = [
  ['auth-plug PBKDF2-SHA256, literal salt', AUTH_PLUG, 'secret'],
  ['go-auth PBKDF2-SHA512, base64 salt', GO_AUTH, 'correct horse'],
  ['bcrypt $2b$', BCRYPT, 'U*U'],
  ['bcrypt $2a$', BCRYPT.replace('$2b$', '$2a$'), 'U*U'],
  ['bcrypt $2y$', BCRYPT.replace('$2b$', '$2y$'), 'U*U'],
  ['argon2id', ARGON2ID, 'password'],
  ['mosquitto $7$', MOSQUITTO_7, 'correct horse'],
];

for (const [name, stored, password] of VECTORS) {
  test(`verifyStoredPassword: ${name} vector matches its password and nothing else`, async () => {
    assert.equal(await verifyStoredPassword(password, stored), true);
    assert.equal(await verifyStoredPassword(Buffer.from(password), stored), true);
    assert.equal(await verifyStoredPassword(`${password}x`, stored), false);
    assert.equal(await verifyStoredPassword('', stored), false);
    assert.equal(await verifyStoredPassword(undefined, stored), false, 'no password never matches');
  });
}

test('identifyPasswordHash names every format', () => {
  assert.equal(identifyPasswordHash(AUTH_PLUG), 'pbkdf2');
  assert.equal(identifyPasswordHash(BCRYPT), 'bcrypt');
  assert.equal(identifyPasswordHash(ARGON2ID), 'argon2');
  assert.equal(identifyPasswordHash(MOSQUITTO_7), 'mosquitto-pbkdf2');
  assert.equal(identifyPasswordHash('$6$c2FsdA==$x'), 'mosquitto-sha512');
});

test('PBKDF2 salt encoding: auth-plug needs the literal salt, go-auth the decoded one; auto reads both', async () => {
  assert.equal(await verifyStoredPassword('secret', AUTH_PLUG, { saltEncoding: 'utf-8' }), true);
  assert.equal(await verifyStoredPassword('secret', AUTH_PLUG, { saltEncoding: 'base64' }), false);
  assert.equal(await verifyStoredPassword('correct horse', GO_AUTH, { saltEncoding: 'base64' }), true);
  assert.equal(await verifyStoredPassword('correct horse', GO_AUTH, { saltEncoding: 'utf-8' }), false);
  const notBase64 = hashPbkdf2(Buffer.from('pw'), { salt: Buffer.from('a salt!'), saltEncoding: 'utf-8' });
  assert.equal(await verifyStoredPassword('pw', notBase64), true, 'a salt that is not base64 is text');
  await assert.rejects(verifyStoredPassword('pw', notBase64, { saltEncoding: 'base64' }), /not base64/);
});

test('hashPbkdf2 with auth-plug settings reproduces the auth-plug vector', () => {
  const { saltText } = parsePbkdf2Hash(AUTH_PLUG);
  const again = hashPbkdf2(Buffer.from('secret'), {
    digest: 'sha256',
    iterations: 901,
    keyBytes: 24,
    salt: Buffer.from(saltText),
    saltEncoding: 'utf-8',
  });
  assert.equal(again, AUTH_PLUG);
  const goAuth = parsePbkdf2Hash(GO_AUTH);
  assert.equal(
    hashPbkdf2(Buffer.from('correct horse'), { salt: Buffer.from(goAuth.saltText, 'base64') }),
    GO_AUTH,
  );
});

test('hashNewPassword defaults to go-auth PBKDF2-SHA512, 100000 rounds, random 16-byte salt, 64-byte key', async () => {
  const stored = await hashNewPassword('s3cret');
  assert.match(stored, /^PBKDF2\$sha512\$100000\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{86}==$/);
  assert.notEqual(await hashNewPassword('s3cret'), stored, 'a fresh salt each time');
  assert.equal(await verifyStoredPassword('s3cret', stored, { saltEncoding: 'base64' }), true);
  assert.equal(await verifyStoredPassword('s3cres', stored), false);
});

test('hashNewPassword writes every scheme, and each reads back', async () => {
  const cases = [
    ['mosquitto-pbkdf2', /^\$7\$101\$/],
    ['mosquitto-sha512', /^\$6\$/],
    ['bcrypt', /^\$2b\$10\$/],
    ['argon2', /^\$argon2id\$v=19\$m=65536,t=3,p=1\$/],
  ] as const;
  for (const [scheme, shape] of cases) {
    const stored = await hashNewPassword('pässword', { scheme });
    assert.match(stored, shape, scheme);
    assert.equal(await verifyStoredPassword('pässword', stored), true, scheme);
    assert.equal(await verifyStoredPassword('password', stored), false, scheme);
  }
});

test('bcrypt: a password that is not UTF-8 never matches (it could not have been set)', async () => {
  const stored = await hashNewPassword('\ufffd', { scheme: 'bcrypt', iterations: 4 });
  assert.equal(await verifyStoredPassword('\ufffd', stored), true);
  assert.equal(await verifyStoredPassword(Buffer.from([0xff]), stored), false);
});

test('an unknown user costs one default-format check and is false', async (t) => {
  const pbkdf2 = t.mock.method(crypto, 'pbkdf2');
  const safeEqual = t.mock.method(crypto, 'timingSafeEqual');
  assert.equal(await verifyStoredPassword('anything', undefined), false);
  assert.ok(pbkdf2.mock.callCount() >= 1);
  for (const call of pbkdf2.mock.calls) assert.equal(call.arguments[2], 100_000);
  assert.equal(
    safeEqual.mock.callCount(),
    pbkdf2.mock.callCount(),
    'each derivation compared in constant time',
  );
});

test('every format is compared with crypto.timingSafeEqual', async (t) => {
  const safeEqual = t.mock.method(crypto, 'timingSafeEqual');
  for (const [, stored] of VECTORS) await verifyStoredPassword('wrong', stored);
  assert.ok(safeEqual.mock.callCount() >= VECTORS.length);
});

test('plain text, unknown and damaged hashes are refused with a code, never compared', async () => {
  const cases: [string, string, RegExp][] = [
    ['hunter2', 'MIDGE_AUTH_HASH_UNSUPPORTED', /plain-text passwords are never compared/],
    ['$5$rounds=5000$salt$hash', 'MIDGE_AUTH_HASH_UNSUPPORTED', /not a password hash/],
    ['PBKDF2$md5$901$salt$aGFzaA==', 'MIDGE_AUTH_HASH_MALFORMED', /digest 'md5'/],
    ['PBKDF2$sha256$0$salt$aGFzaA==', 'MIDGE_AUTH_HASH_MALFORMED', /iterations '0'/],
    ['PBKDF2$sha256$901$salt', 'MIDGE_AUTH_HASH_MALFORMED', /expected PBKDF2\$/],
    ['PBKDF2$sha256$901$salt$!!', 'MIDGE_AUTH_HASH_MALFORMED', /not base64/],
    [BCRYPT.slice(0, -1), 'MIDGE_AUTH_HASH_MALFORMED', /53 characters/],
    [BCRYPT.replace('$05$', '$03$'), 'MIDGE_AUTH_HASH_MALFORMED', /cost 3/],
    [ARGON2ID.replace('v=19', 'v=16'), 'MIDGE_AUTH_HASH_MALFORMED', /version 19/],
    [ARGON2ID.replace('m=1024', 'm=99999999'), 'MIDGE_AUTH_HASH_MALFORMED', /out of range/],
    [ARGON2ID.replace('$c29tZXNhbHQ$', '$c2FsdA$'), 'MIDGE_AUTH_HASH_MALFORMED', /at least 8 bytes/],
    [MOSQUITTO_7.slice(0, -10), 'MIDGE_AUTH_HASH_MALFORMED', /64 bytes/],
  ];
  for (const [stored, code, message] of cases) {
    const matches = (error: unknown): boolean =>
      error instanceof PasswordHashError && error.code === code && message.test(error.message);
    assert.throws(() => checkPasswordHash(stored), matches, stored);
    await assert.rejects(verifyStoredPassword('hunter2', stored), matches, stored);
  }
});
