// broker.control end to end with MQTT.js clients: publish as an identity through ACL and router, list and
// kick clients, delete sessions, retained messages, and hooks (interceptors and observers).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { closeClient, connectClient, subscribe } from '../helpers/mqttjs.js';
import { hashPassword } from '../../src/auth/password.js';
import { ControlError, type BrokerHooks } from '../../src/index.js';
import { sleep } from '../interop/support.js';

let started: StartedBroker;
const admin = { clientId: 'api:admin', username: 'admin', superuser: true };
const bob = { clientId: 'api:bob', username: 'bob' };

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-control-'));
  const passwordFile = join(dir, 'passwd');
  const aclFile = join(dir, 'acl');
  writeFileSync(passwordFile, `dev:${hashPassword('dev-secret')}\nbob:${hashPassword('bob-secret')}\n`);
  writeFileSync(aclFile, 'user dev\ntopic readwrite #\nuser bob\ntopic write bob/#\n');
  started = await startBroker({ allowAnonymous: false, passwordFile, aclFile });
});

after(() => started.stop());

const dev = { username: 'dev', password: 'dev-secret' };

test('publish reaches an online subscriber now and is queued for an offline persistent session', async () => {
  const online = await connectClient(started.port, { ...dev, clientId: 'ctl-online' });
  await subscribe(online.client, 'ctl/a');
  const offline = await connectClient(started.port, {
    ...dev,
    clientId: 'ctl-offline',
    clean: false,
    properties: { sessionExpiryInterval: 300 },
  });
  await subscribe(offline.client, 'ctl/a');
  await closeClient(offline.client);
  await sleep(50);
  const result = await started.broker.control.publish(
    { topic: 'ctl/a', payload: Buffer.from('hi'), qos: 1, retain: false },
    admin,
  );
  assert.deepEqual(result, { delivered: 1, queued: 1 });
  assert.equal((await online.inbox.waitFor(1))[0]?.payload.toString(), 'hi');
  const back = await connectClient(started.port, {
    ...dev,
    clientId: 'ctl-offline',
    clean: false,
    properties: { sessionExpiryInterval: 300 },
  });
  assert.equal((await back.inbox.waitFor(1))[0]?.payload.toString(), 'hi');
  await closeClient(back.client);
  await closeClient(online.client);
  assert.equal(started.broker.control.deleteSession('ctl-offline'), true);
  assert.equal(started.broker.control.client('ctl-offline'), undefined);
});

test('publish as a user the ACL refuses fails with MIDGE_API_NOT_AUTHORIZED; allowed topics pass', async () => {
  await assert.rejects(
    started.broker.control.publish({ topic: 'ctl/a', payload: Buffer.from('x'), qos: 0, retain: false }, bob),
    (error: unknown) =>
      error instanceof ControlError && error.code === 'MIDGE_API_NOT_AUTHORIZED' && error.status === 403,
  );
  const ok = await started.broker.control.publish(
    { topic: 'bob/x', payload: Buffer.from('x'), qos: 0, retain: false },
    bob,
  );
  assert.deepEqual(ok, { delivered: 0, queued: 0 });
});

test('wait mode resolves once the named client acknowledges the QoS 1 message', async () => {
  const sub = await connectClient(started.port, { ...dev, clientId: 'ctl-wait' });
  await subscribe(sub.client, 'ctl/wait');
  const result = await started.broker.control.publish(
    {
      topic: 'ctl/wait',
      payload: Buffer.from('w'),
      qos: 1,
      retain: false,
      waitFor: { clientId: 'ctl-wait', timeoutMs: 3000 },
    },
    admin,
  );
  assert.equal(result.acknowledged, true);
  const timedOut = await started.broker.control.publish(
    {
      topic: 'ctl/wait',
      payload: Buffer.from('w'),
      qos: 1,
      retain: false,
      waitFor: { clientId: 'nobody', timeoutMs: 100 },
    },
    admin,
  );
  assert.equal(timedOut.acknowledged, false);
  await closeClient(sub.client);
});

test('clients lists connected clients with details; kick sends MQTT 5 DISCONNECT 0x98', async () => {
  const { client } = await connectClient(started.port, { ...dev, clientId: 'ctl-kick' });
  await subscribe(client, 'ctl/k/#');
  const info = started.broker.control.client('ctl-kick');
  assert.equal(info?.connected, true);
  assert.equal(info?.username, 'dev');
  assert.equal(info?.protocolVersion, 5);
  assert.equal(info?.subscriptions[0]?.topicFilter, 'ctl/k/#');
  assert.ok((info?.bytesIn ?? 0) > 0);
  assert.ok(
    started.broker.control
      .clients({ username: 'dev', connected: true })
      .some((c) => c.clientId === 'ctl-kick'),
  );
  assert.equal(started.broker.control.clients({ username: 'nobody' }).length, 0);
  const reason = new Promise<number | undefined>((ok) =>
    client.once('disconnect', (p) => ok((p as { reasonCode?: number }).reasonCode)),
  );
  assert.equal(started.broker.control.kick('ctl-kick'), true);
  assert.equal(await reason, 0x98);
  assert.equal(started.broker.control.kick('ctl-kick'), false);
  await closeClient(client);
});

test('retained messages can be listed by filter and deleted without routing', async () => {
  await started.broker.control.publish(
    { topic: 'ctl/r/1', payload: Buffer.from('one'), qos: 0, retain: true },
    admin,
  );
  const list = started.broker.control.retained('ctl/r/#');
  assert.deepEqual(
    list.map((r) => [r.topic, r.payload.toString()]),
    [['ctl/r/1', 'one']],
  );
  assert.equal(started.broker.control.deleteRetained('ctl/r/1'), true);
  assert.equal(started.broker.control.deleteRetained('ctl/r/1'), false);
  assert.equal(started.broker.control.deleteRetained('ctl/r/#'), false);
  assert.equal(started.broker.control.retained('ctl/r/#').length, 0);
});

test('hooks: a publish interceptor rejects with its reason code, modifies, and observers see events', async () => {
  const events: string[] = [];
  const hooks: BrokerHooks = {
    name: 'test',
    onPublish: ({ message }) => {
      if (message.topic === 'ctl/h/deny') return { reject: 0x99, reason: 'not allowed here' };
      if (message.topic === 'ctl/h/upper')
        return { modify: { ...message, payload: Buffer.from(message.payload.toString().toUpperCase()) } };
      return undefined;
    },
    onConnected: ({ client }) => void events.push(`connected ${client.clientId}`),
    onSubscribed: ({ topicFilter }) => void events.push(`subscribed ${topicFilter}`),
    onPublished: ({ message, delivered }) => void events.push(`published ${message.topic} ${delivered}`),
    onDelivered: ({ clientId, message }) => void events.push(`delivered ${clientId} ${message.topic}`),
    onDisconnected: ({ client }) => void events.push(`disconnected ${client.clientId}`),
  };
  const remove = started.broker.control.addHooks(hooks);
  try {
    const sub = await connectClient(started.port, { ...dev, clientId: 'ctl-hooks' });
    await subscribe(sub.client, 'ctl/h/#');
    await assert.rejects(sub.client.publishAsync('ctl/h/deny', 'x', { qos: 1 }), { code: 0x99 });
    await sub.client.publishAsync('ctl/h/upper', 'abc', { qos: 1 });
    const [got] = await sub.inbox.waitFor(1);
    assert.equal(got?.topic, 'ctl/h/upper');
    assert.equal(got?.payload.toString(), 'ABC');
    await sleep(100);
    await closeClient(sub.client);
    await sleep(100);
    assert.deepEqual(events, [
      'connected ctl-hooks',
      'subscribed ctl/h/#',
      'published ctl/h/upper 1',
      'delivered ctl-hooks ctl/h/upper',
      'disconnected ctl-hooks',
    ]);
  } finally {
    remove();
  }
});

test('metrics render Prometheus text with the broker figures', async () => {
  const { contentType, text } = await started.broker.control.metrics();
  assert.match(contentType, /text\/plain/);
  assert.match(text, /^midge_connections \d+$/m);
  assert.match(text, /^midge_messages_received_total\{qos="1"\} [1-9]\d*$/m);
  assert.match(text, /^midge_auth_decisions_total\{provider="file",check="write",decision="deny"\} [1-9]/m);
  assert.match(text, /^midge_messages_dropped_total\{reason="not_authorized"\} [1-9]/m);
  assert.match(text, /^midge_publish_latency_seconds_count [1-9]/m);
});
