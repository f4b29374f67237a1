// Users and ACL routes over the embedded SQLite auth store of a started `midge`, including explain.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startMidge } from '../helpers/midge-process.js';
import { createApiKey } from '../../src/api/api-keys.js';
import { sleep } from '../interop/support.js';
import { call, type ApiBroker } from './support.js';

let api: ApiBroker;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-users-'));
  const keyFile = join(dir, 'keys.json');
  const adminKey = createApiKey(keyFile, { name: 'admin' }).key;
  const apiPort = await freePort();
  const midge = await startMidge({
    conf: [
      `persistence_location ${dir}`,
      `http_api_key_file ${keyFile}`,
      `listener ${apiPort} 127.0.0.1`,
      'protocol http_api',
    ].join('\n'),
  });
  api = { midge, apiPort, dir, adminKey, bobKey: '' };
  for (let i = 0; i < 200 && (await call(api, 'GET', '/healthz').catch(() => undefined))?.status !== 200; i++)
    await sleep(50);
});

after(() => api.midge.stop());

test('users: add, refuse a duplicate, list, change, remove', async () => {
  const added = await call(api, 'POST', '/api/v1/users', {
    key: api.adminKey,
    body: { username: 'alice', password: 'pw' },
  });
  assert.equal(added.status, 201, added.text);
  const again = await call(api, 'POST', '/api/v1/users', {
    key: api.adminKey,
    body: { username: 'alice', password: 'pw' },
  });
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, 'MIDGE_AUTH_USER_EXISTS');
  assert.equal(
    (await call(api, 'PATCH', '/api/v1/users/alice', { key: api.adminKey, body: { superuser: true } }))
      .status,
    204,
  );
  const list = await call(api, 'GET', '/api/v1/users', { key: api.adminKey });
  assert.deepEqual(list.body.users, [{ username: 'alice', superuser: true }]);
  assert.equal((await call(api, 'DELETE', '/api/v1/users/alice', { key: api.adminKey })).status, 204);
  assert.equal((await call(api, 'DELETE', '/api/v1/users/alice', { key: api.adminKey })).status, 404);
});

test('ACLs: add, list, explain (allow and deny with the rule), remove', async () => {
  await call(api, 'POST', '/api/v1/users', {
    key: api.adminKey,
    body: { username: 'carol', password: 'pw' },
  });
  const added = await call(api, 'POST', '/api/v1/acls', {
    key: api.adminKey,
    body: { username: 'carol', topic: 'carol/#', rw: 2 },
  });
  assert.equal(added.status, 201, added.text);
  const list = await call(api, 'GET', '/api/v1/acls?username=carol', { key: api.adminKey });
  assert.deepEqual(list.body.acls, [{ username: 'carol', topic: 'carol/#', rw: 2 }]);
  const allow = await call(api, 'POST', '/api/v1/acls/explain', {
    key: api.adminKey,
    body: { username: 'carol', topic: 'carol/x', access: 'write' },
  });
  assert.equal(allow.body.decision, 'allow', allow.text);
  const deny = await call(api, 'POST', '/api/v1/acls/explain', {
    key: api.adminKey,
    body: { username: 'carol', topic: 'other', access: 'write' },
  });
  assert.equal(deny.body.decision, 'deny');
  assert.equal(typeof deny.body.reason, 'string');
  const removed = await call(
    api,
    'DELETE',
    `/api/v1/acls?username=carol&topic=${encodeURIComponent('carol/#')}`,
    { key: api.adminKey },
  );
  assert.equal(removed.status, 204);
  assert.deepEqual(
    (await call(api, 'GET', '/api/v1/acls?username=carol', { key: api.adminKey })).body.acls,
    [],
  );
});
