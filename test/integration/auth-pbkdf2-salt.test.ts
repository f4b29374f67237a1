// auth_opt_pbkdf2_salt (and go-auth's auth_opt_hasher_salt_encoding) pins how a PBKDF2$ salt is read, checked
// at CONNECT by a broker whose users live in an SQLite database configured like auth-plug's: one user with an
// auth-plug hash (literal salt), one with a go-auth hash (base64 salt), one whose salt is not base64 at all.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqlite } from '../../src/auth/providers/sqlite.js';
import { startBroker } from '../helpers/broker.js';
import { AUTH_PLUG_PBKDF2, GO_AUTH_PBKDF2, LITERAL_ONLY_PBKDF2 } from '../helpers/hash-vectors.js';
import { login } from '../helpers/mqtt-login.js';

let dir: string;
let dbpath: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'midge-pbkdf2-salt-'));
  dbpath = join(dir, 'auth.db');
  const db = openSqlite(dbpath, { create: true });
  const insert = db.prepare('INSERT INTO users (username, password, superuser) VALUES (?, ?, 0)');
  insert.run('plug', AUTH_PLUG_PBKDF2);
  insert.run('go', GO_AUTH_PBKDF2);
  insert.run('text', LITERAL_ONLY_PBKDF2);
  db.close();
});

after(() => rmSync(dir, { recursive: true, force: true }));

const PASSWORDS = { plug: 'secret', go: 'correct horse', text: 'plain' } as const;

/** CONNACK codes for each user with its right password, under these auth options. */
async function codes(options: Record<string, string>): Promise<Record<keyof typeof PASSWORDS, number>> {
  const broker = await startBroker({
    allowAnonymous: false,
    authOptions: { backends: 'sqlite', dbpath, ...options },
  });
  try {
    const result = { plug: -1, go: -1, text: -1 };
    for (const [username, password] of Object.entries(PASSWORDS)) {
      const { client, code } = await login(broker.port, username, password);
      client?.end(true);
      result[username as keyof typeof PASSWORDS] = code;
    }
    return result;
  } finally {
    await broker.stop();
  }
}

test('auto (the default): the decoded salt, then the literal one — every hash reads', async () => {
  assert.deepEqual(await codes({}), { plug: 0, go: 0, text: 0 });
  assert.deepEqual(await codes({ pbkdf2_salt: 'auto' }), { plug: 0, go: 0, text: 0 });
});

test('pbkdf2_salt literal (auth-plug): only the salt text is hashed; a go-auth hash is refused (4)', async () => {
  assert.deepEqual(await codes({ pbkdf2_salt: 'literal' }), { plug: 0, go: 4, text: 0 });
});

test('pbkdf2_salt base64 (go-auth): only the decoded salt; auth-plug hashes and non-base64 salts are refused', async () => {
  assert.deepEqual(await codes({ pbkdf2_salt: 'base64' }), { plug: 4, go: 0, text: 4 });
});

test("go-auth's hasher_salt_encoding utf-8 / base64 pins it the same way; pbkdf2_salt wins over it", async () => {
  assert.deepEqual(await codes({ hasher_salt_encoding: 'utf-8' }), { plug: 0, go: 4, text: 0 });
  assert.deepEqual(await codes({ hasher_salt_encoding: 'base64' }), { plug: 4, go: 0, text: 4 });
  assert.deepEqual(await codes({ hasher_salt_encoding: 'base64', pbkdf2_salt: 'literal' }), {
    plug: 0,
    go: 4,
    text: 0,
  });
});

test('an unknown value is a configuration error with MIDGE_AUTH_BAD_OPTION', async () => {
  const bad: Record<string, string>[] = [{ pbkdf2_salt: 'hex' }, { hasher_salt_encoding: 'literal' }];
  for (const options of bad) {
    await assert.rejects(codes(options), (error: Error & { code?: string }) => {
      assert.equal(error.code, 'MIDGE_AUTH_BAD_OPTION');
      assert.match(error.message, /pbkdf2_salt|hasher_salt_encoding/);
      return true;
    });
  }
});
