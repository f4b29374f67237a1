import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from './sqlite-store.js';
import { createSqliteProvider } from './backends.js';
import { AuthStoreError } from '../store-error.js';
import type { Credentials } from '../types.js';

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'midge-sqlite-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const who = (username: string | undefined, password?: string): Credentials => ({
  clientId: `${username ?? 'anon'}-1`,
  username,
  remoteAddress: '127.0.0.1',
  listenerId: 'l',
  password: password === undefined ? undefined : Buffer.from(password),
});

async function rejects(promise: Promise<unknown>, code: string): Promise<void> {
  await assert.rejects(promise, (error: unknown) => error instanceof AuthStoreError && error.code === code);
}

test('sqlite store: users and ACL rows are added, listed, changed and removed', async (t) => {
  const store = openSqliteStore(join(tempDir(t), 'nested', 'auth.db'));
  t.after(() => store.close());
  await store.addUser('client', '123456');
  await store.addUser('server', 's3cret', { superuser: true });
  await store.addAcl('client', '/p/client/download', 1);
  await store.addAcl('client', '/p/client/upload', 2);
  await store.addAcl('client', '/p/client/upload', 1); // same row, new rw
  assert.deepEqual(await store.listUsers(), [
    { username: 'client', superuser: false },
    { username: 'server', superuser: true },
  ]);
  assert.deepEqual(await store.listAcls('client'), [
    { username: 'client', topic: '/p/client/download', rw: 1 },
    { username: 'client', topic: '/p/client/upload', rw: 1 },
  ]);
  await store.setSuperuser('server', false);
  await store.removeAcl('client', '/p/client/upload');
  await store.removeUser('client');
  assert.deepEqual(await store.listUsers(), [{ username: 'server', superuser: false }]);
  assert.deepEqual(await store.listAcls(), [], 'removing a user removes its ACL rows');
});

test('sqlite store: bad input is refused with a stable code and changes nothing', async (t) => {
  const store = openSqliteStore(join(tempDir(t), 'auth.db'));
  t.after(() => store.close());
  await store.addUser('client', 'pw');
  await rejects(store.addUser('client', 'again'), 'MIDGE_AUTH_USER_EXISTS');
  await rejects(store.addUser('', 'pw'), 'MIDGE_AUTH_BAD_USERNAME');
  await rejects(store.removeUser('nobody'), 'MIDGE_AUTH_UNKNOWN_USER');
  await rejects(store.setPassword('nobody', 'x'), 'MIDGE_AUTH_UNKNOWN_USER');
  await rejects(store.addAcl('nobody', 'a', 1), 'MIDGE_AUTH_UNKNOWN_USER');
  await rejects(store.addAcl('client', 'a/#/b', 1), 'MIDGE_AUTH_BAD_TOPIC');
  await rejects(store.addAcl('client', 'a', 3), 'MIDGE_AUTH_BAD_RW');
  await rejects(store.addAcl('client', 'a', 0), 'MIDGE_AUTH_BAD_RW');
  await rejects(store.removeAcl('client', 'a'), 'MIDGE_AUTH_UNKNOWN_ACL');
  assert.deepEqual(await store.listAcls(), []);
  await store.addAcl('anonymous', 'public/#', 1); // the anonymous user's rows need no user row
  assert.equal((await store.listAcls('anonymous')).length, 1);
});

test('sqlite provider: the broker side sees a change made through the store at once', async (t) => {
  const dir = tempDir(t);
  const provider = createSqliteProvider({ options: {}, persistenceLocation: dir });
  await provider.start?.();
  t.after(() => provider.close?.());
  const store = openSqliteStore(join(dir, 'auth.db'));
  t.after(() => store.close());
  assert.equal((await provider.authenticate(who('client', '123456'))).decision, 'defer', 'unknown user');
  await store.addUser('client', '123456');
  assert.equal((await provider.authenticate(who('client', '123456'))).decision, 'allow');
  assert.equal((await provider.authenticate(who('client', 'nope'))).decision, 'deny');
  const client = who('client');
  assert.equal(await provider.authorizeSubscribe?.(client, '/p/client/upload', 0), 'defer');
  await store.addAcl('client', '/p/client/upload', 2);
  // SUBSCRIBE and CONNECT see a change at once; PUBLISH and deliveries within CHANGE_POLL_MS (100 ms).
  assert.equal(await provider.authorizeSubscribe?.(client, '/p/client/upload', 0), 'allow');
  assert.equal(await provider.authorizePublish?.(client, '/p/client/upload', 0, false), 'allow');
  assert.equal(provider.authorizeRead?.(client, '/p/client/upload'), 'allow');
  await store.setPassword('client', 'changed');
  assert.equal((await provider.authenticate(who('client', '123456'))).decision, 'deny');
  // A change elsewhere in the store must not cost this client its next delivery: the read check answers from
  // the last known rules while they are fetched again.
  await store.addUser('other', 'x');
  await new Promise((resolve) => setTimeout(resolve, 150));
  assert.equal(provider.authorizeRead?.(client, '/p/client/upload'), 'allow');
  await store.removeAcl('client', '/p/client/upload');
  await new Promise((resolve) => setTimeout(resolve, 150));
  // PUBLISH waits for the fresh rules; deliveries then use them too.
  assert.equal(await provider.authorizePublish?.(client, '/p/client/upload', 0, false), 'defer');
  assert.equal(provider.authorizeRead?.(client, '/p/client/upload'), 'defer');
});
