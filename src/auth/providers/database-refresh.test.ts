// What a store change costs: every cached user's rules are fetched again, but REFRESH_BATCH at a time with an
// event-loop turn between batches, and a SUBSCRIBE after the change still waits for all of them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hashNewPassword } from '../password-hash.js';
import { createDatabaseProvider, REFRESH_BATCH, type AuthBackend } from './database.js';
import { createSqlBackend } from './sql.js';
import { createSqliteDriver } from './sqlite.js';
import { openSqliteStore } from './sqlite-store.js';

const USERS = 50;

const who = (username: string) => ({
  clientId: `${username}-1`,
  username,
  remoteAddress: '127.0.0.1',
  listenerId: 'l',
});

test('a store change refreshes cached users in bounded batches, yielding between them', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-refresh-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'auth.db');
  const store = openSqliteStore(path);
  t.after(() => store.close());
  const passwordHash = await hashNewPassword('pw', { iterations: 1 });
  for (let i = 0; i < USERS; i++) {
    await store.addUser(`u${i}`, 'pw', { passwordHash });
    await store.addAcl(`u${i}`, `users/u${i}/#`, 2);
  }
  // The real SQLite backend, counted: how many ACL fetches run at once, and between event-loop turns.
  const real = createSqlBackend(createSqliteDriver(path, { create: false }), {}, 'auth-plug');
  let inFlight = 0;
  let maxInFlight = 0;
  let fetches = 0;
  let turns = 0;
  const turnsSeen = new Set<number>();
  const backend: AuthBackend = {
    ...real,
    async acl(username) {
      fetches++;
      turnsSeen.add(turns);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      try {
        return await real.acl(username);
      } finally {
        inFlight--;
      }
    },
  };
  const provider = createDatabaseProvider(backend, { aclCacheSeconds: 300 });
  t.after(() => provider.close?.());
  for (let i = 0; i < USERS; i++) await provider.prepare?.(who(`u${i}`));
  assert.equal(fetches, USERS);

  await store.addAcl('u0', 'news/#', 1);
  fetches = 0;
  maxInFlight = 0;
  turnsSeen.clear();
  let counting = true;
  const spin = (): void => {
    turns++;
    if (counting) setImmediate(spin);
  };
  setImmediate(spin);
  assert.equal(await provider.authorizeSubscribe?.(who('u0'), 'news/#', 0), 'allow', 'the new row is seen');
  counting = false;
  assert.equal(fetches, USERS, 'every cached user was fetched again before the SUBSCRIBE was answered');
  assert.ok(maxInFlight <= REFRESH_BATCH, `at most ${REFRESH_BATCH} at once, saw ${maxInFlight}`);
  assert.ok(turnsSeen.size >= Math.ceil(USERS / REFRESH_BATCH), 'the event loop turned between batches');
});
