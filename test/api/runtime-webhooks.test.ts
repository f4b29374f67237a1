// Webhooks added through the HTTP API at runtime, received by a local HTTP server: per message_type on the
// envelope copies, wills, removal, validation; $SYS updates are not message events.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, connectClient, subscribe } from '../helpers/mqttjs.js';
import { issueDeviceToken } from '../../src/index.js';
import { HookReceiver } from './hook-receiver.js';
import { startInProcessApi, type InProcessApi } from './in-process.js';

const SECRET = 'device-token-secret';
let midge: InProcessApi;
let receiver: HookReceiver;
const call: InProcessApi['call'] = (...args) => midge.call(...args);

before(async () => {
  midge = await startInProcessApi({
    envelope: { filters: ['/p/+/upload'], secret: SECRET, windowSeconds: 60 },
    sysInterval: 1,
  });
  receiver = await HookReceiver.start();
});

after(async () => {
  await midge.stop();
  await receiver.close();
});

/** `ago` seconds back: the replay cache refuses the same token twice with the same timestamp. */
function envelope(messageType: string, ago: number): string {
  return JSON.stringify({
    timestamp: String(Math.floor(Date.now() / 1000) - ago),
    client_id: '1001001',
    message_type: messageType,
    data: { n: messageType },
    token: issueDeviceToken(SECRET, ['1001001'], 3600),
  });
}

test('a webhook registered per message_type receives the $envelope copies of that type only', async () => {
  const added = await call('POST', '/api/v1/webhooks', {
    url: receiver.url('/ping'),
    events: ['message_published'],
    messageTypes: ['ping'],
  });
  assert.equal(added.status, 201);
  assert.deepEqual(added.body.topics, ['$envelope/ping/#']);
  assert.equal(added.body.signed, false);
  const pub = await connectClient(midge.started.port, { clientId: 'rt-env-pub' });
  await pub.client.publishAsync('/p/1001001/upload', envelope('pong', 1), { qos: 1 });
  await pub.client.publishAsync('/p/1001001/upload', envelope('ping', 0), { qos: 1 });
  const hook = await receiver.waitFor((h) => h.path === '/ping', 'the ping copy');
  assert.equal(hook.event, 'message_published');
  assert.equal(hook.body.source, 'envelope');
  assert.equal(hook.body.message.topic, '$envelope/ping/p/1001001/upload');
  assert.equal(hook.body.client.clientId, 'rt-env-pub');
  const payload = JSON.parse(Buffer.from(hook.body.message.payload, 'base64').toString());
  assert.equal(payload.message_type, 'ping');
  // The pong envelope went first: had it been sent to this webhook, it would have arrived first.
  assert.equal(receiver.received.filter((h) => h.path === '/ping').length, 1);
  await closeClient(pub.client);
  assert.equal((await call('DELETE', `/api/v1/webhooks/${added.body.id}`)).status, 204);
});

test('a will is a message_published event with source "will" and the client that left it', async () => {
  const added = await call('POST', '/api/v1/webhooks', { url: receiver.url('/will'), topics: ['rt/will/#'] });
  assert.equal(added.status, 201);
  const { client } = await connectClient(midge.started.port, {
    clientId: 'rt-will-client',
    will: { topic: 'rt/will/gone', payload: Buffer.from('bye'), qos: 1, retain: false },
  });
  client.stream.destroy(); // no DISCONNECT: the will goes out
  const hook = await receiver.waitFor(
    (h) => h.path === '/will' && h.event === 'message_published',
    'the will',
  );
  assert.equal(hook.body.source, 'will');
  assert.equal(hook.body.message.topic, 'rt/will/gone');
  assert.equal(hook.body.client.clientId, 'rt-will-client');
  client.end(true);
  assert.equal((await call('DELETE', `/api/v1/webhooks/${added.body.id}`)).status, 204);
});

test('list and remove: a removed webhook gets nothing more, the others still do; $SYS is not an event', async () => {
  const gone = await call('POST', '/api/v1/webhooks', {
    url: receiver.url('/gone'),
    topics: ['rt/after/#'],
    secret: 's',
  });
  const kept = await call('POST', '/api/v1/webhooks', {
    url: receiver.url('/kept'),
    events: ['message_published'],
    topics: ['rt/after/#', '$SYS/#'],
  });
  const listed = await call('GET', '/api/v1/webhooks');
  assert.deepEqual(
    listed.body.webhooks.map((w: { id: string }) => w.id).sort(),
    [gone.body.id, kept.body.id].sort(),
  );
  assert.equal(listed.body.webhooks.find((w: { id: string }) => w.id === gone.body.id).signed, true);
  assert.equal(JSON.stringify(listed.body).includes('"secret"'), false);
  assert.equal((await call('DELETE', `/api/v1/webhooks/${gone.body.id}`)).status, 204);
  assert.equal((await call('DELETE', `/api/v1/webhooks/${gone.body.id}`)).status, 404);
  // Wait for a $SYS update to be routed, so one had the chance to reach the webhook.
  const sys = await connectClient(midge.started.port, { clientId: 'rt-sys' });
  await subscribe(sys.client, '$SYS/broker/uptime');
  await sys.inbox.waitFor(1);
  const published = await call('POST', '/api/v1/publish', { topic: 'rt/after/x', payload: 'after', qos: 1 });
  assert.equal(published.status, 200);
  await receiver.waitFor(
    (h) => h.path === '/kept' && h.body.message?.topic === 'rt/after/x',
    'the kept hook',
  );
  assert.equal(receiver.received.filter((h) => h.path === '/gone').length, 0);
  assert.equal(receiver.received.filter((h) => String(h.body.message?.topic).startsWith('$SYS')).length, 0);
  await closeClient(sys.client);
  await call('DELETE', `/api/v1/webhooks/${kept.body.id}`);
});

test('bad registrations are 400 with a code; a non-superuser gets 403', async () => {
  const badUrl = await call('POST', '/api/v1/webhooks', { url: 'ftp://x' });
  assert.equal(badUrl.status, 400);
  const badEvent = await call('POST', '/api/v1/webhooks', { url: receiver.url('/x'), events: ['nope'] });
  assert.equal(badEvent.body.error.code, 'MIDGE_API_BAD_WEBHOOK');
  const badFilter = await call('POST', '/api/v1/webhooks', { url: receiver.url('/x'), topics: ['a/#/b'] });
  assert.equal(badFilter.body.error.code, 'MIDGE_API_BAD_WEBHOOK');
  const badType = await call('POST', '/api/v1/webhooks', { url: receiver.url('/x'), messageTypes: ['a/b'] });
  assert.equal(badType.body.error.code, 'MIDGE_API_BAD_WEBHOOK');
  const user = await call('POST', '/api/v1/webhooks', { url: receiver.url('/x') }, midge.userKey);
  assert.equal(user.status, 403);
  assert.deepEqual((await call('GET', '/api/v1/webhooks')).body.webhooks, []);
});
