// HTTP basic auth on the API: good credentials are checked by the auth chain once and then trusted briefly;
// wrong ones are checked every time; a password change or removal through the API takes effect at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { registerUserRoutes } from '../../src/api/routes-users.js';
import { startInProcessApi, type InProcessApi } from './in-process.js';

let midge: InProcessApi;

before(async () => {
  // No auth directives and no anonymous access: users live in the embedded SQLite store.
  midge = await startInProcessApi({ allowAnonymous: false }, registerUserRoutes);
});

after(() => midge.stop());

/** How often the auth chain decided an authentication (whichever provider or the chain itself decided). */
async function authentications(): Promise<number> {
  const { body } = await fetch(`http://127.0.0.1:${midge.api.port}/metrics`, {
    headers: { authorization: `Bearer ${midge.adminKey}` },
  }).then(async (r) => ({ body: await r.text() }));
  let total = 0;
  for (const line of body.split('\n')) {
    const match = /^midge_auth_decisions_total\{([^}]*)\} (\d+)/.exec(line);
    if (match !== null && match[1]?.includes('check="authenticate"')) total += Number(match[2]);
  }
  return total;
}

test('good Basic credentials run the auth chain once; wrong ones every time; API changes apply at once', async () => {
  const created = await midge.call('POST', '/api/v1/users', {
    username: 'ops',
    password: 'first-secret',
    superuser: true,
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const before = await authentications();
  for (let i = 0; i < 5; i++) {
    assert.equal(
      (await midge.call('GET', '/api/v1/clients', undefined, ['ops', 'first-secret'])).status,
      200,
    );
  }
  assert.equal(await authentications(), before + 1);
  for (let i = 0; i < 2; i++) {
    assert.equal((await midge.call('GET', '/api/v1/clients', undefined, ['ops', 'wrong'])).status, 401);
  }
  assert.equal(await authentications(), before + 3);
  const changed = await midge.call('PATCH', '/api/v1/users/ops', { password: 'second-secret' });
  assert.equal(changed.status, 204);
  assert.equal((await midge.call('GET', '/api/v1/clients', undefined, ['ops', 'first-secret'])).status, 401);
  assert.equal((await midge.call('GET', '/api/v1/clients', undefined, ['ops', 'second-secret'])).status, 200);
  assert.equal((await midge.call('DELETE', '/api/v1/users/ops')).status, 204);
  assert.equal((await midge.call('GET', '/api/v1/clients', undefined, ['ops', 'second-secret'])).status, 401);
});
