// Wait mode with persistence on: the session that queues the message keeps its own copy, and the answer must
// still be acknowledged: true once the client, offline when the publish came, reconnects and sends PUBACK.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeClient, connectClient, subscribe } from '../helpers/mqttjs.js';
import { startInProcessApi, type InProcessApi } from './in-process.js';

let midge: InProcessApi;

before(async () => {
  midge = await startInProcessApi({
    persistence: true,
    persistenceLocation: mkdtempSync(join(tmpdir(), 'midge-wait-')),
  });
});

after(() => midge.stop());

test('wait mode: a message queued (and stored) for an offline session is acknowledged once it reconnects', async () => {
  const options = { clientId: 'wait-offline', clean: false, properties: { sessionExpiryInterval: 3600 } };
  const first = await connectClient(midge.started.port, options);
  await subscribe(first.client, 'wait/persist', 1);
  await closeClient(first.client);
  const answer = midge.call('POST', '/api/v1/publish', {
    topic: 'wait/persist',
    payload: 'while away',
    qos: 1,
    waitFor: { clientId: 'wait-offline', timeoutMs: 20_000 },
  });
  // The session has queued the message once the broker lists it for the client.
  for (let i = 0; midge.started.broker.control.client('wait-offline')?.queued !== 1; i++) {
    assert.ok(i < 400, 'the message was never queued');
    await new Promise((ok) => setTimeout(ok, 25));
  }
  const again = await connectClient(midge.started.port, options);
  await again.inbox.waitFor(1);
  assert.equal(again.inbox.messages[0]?.payload.toString(), 'while away');
  assert.deepEqual((await answer).body, { delivered: 0, queued: 1, acknowledged: true });
  await closeClient(again.client);
});
