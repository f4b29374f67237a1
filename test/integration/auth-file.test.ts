// password_file and acl_file end to end: the file provider wired into a running broker.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { hashPassword } from '../../src/auth/password.js';

let broker: StartedBroker;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-auth-'));
  const passwordFile = join(dir, 'passwd');
  const aclFile = join(dir, 'acl');
  writeFileSync(
    passwordFile,
    [`client:${hashPassword('client-secret')}`, `server:${hashPassword('server-secret')}`].join('\n') + '\n',
  );
  writeFileSync(
    aclFile,
    [
      'user client',
      'topic write /p/client/upload',
      'topic read /p/client/download',
      'topic read feed/#',
      'topic deny feed/secret',
      'user server',
      'topic readwrite /p/client/#',
      'topic write feed/#',
    ].join('\n') + '\n',
  );
  broker = await startBroker({ allowAnonymous: false, passwordFile, aclFile });
});

after(() => broker.stop());

async function login(clientId: string, username: string | undefined, password?: string): Promise<RawClient> {
  const client = await RawClient.open(broker.port);
  client.send({
    type: 'connect',
    protocolName: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    clientId,
    username,
    password: password === undefined ? undefined : Buffer.from(password),
  });
  return client;
}

test('a known user with the right password is accepted', async () => {
  const client = await login('ok', 'client', 'client-secret');
  assert.equal((await client.expect('connack')).reasonCode, 0);
  client.disconnect();
});

for (const [name, username, password, code] of [
  ['wrong password', 'client', 'nope', 4],
  ['unknown user', 'mallory', 'client-secret', 4],
  ['anonymous when allow_anonymous is false', undefined, undefined, 5],
] as const) {
  test(`[MQTT-3.2.2-5] ${name}: CONNACK ${code}, then the connection closes`, async () => {
    const client = await login(`bad-${code}-${name.length}`, username, password);
    const connack = await client.expect('connack');
    assert.equal(connack.reasonCode, code);
    assert.equal(connack.sessionPresent, false);
    await client.expectClose();
  });
}

test('write ACL: a denied publish is acknowledged but never delivered [MQTT-3.3.5-2]', async () => {
  const server = await login('srv-1', 'server', 'server-secret');
  await server.expect('connack');
  server.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: '/p/client/#', qos: 1 }] });
  assert.deepEqual((await server.expect('suback')).reasonCodes, [1]);

  const client = await login('cli-1', 'client', 'client-secret');
  await client.expect('connack');
  client.send({
    type: 'publish',
    topic: '/p/client/download',
    payload: Buffer.from('no'),
    qos: 1,
    retain: false,
    dup: false,
    packetId: 5,
  });
  assert.equal((await client.expect('puback')).packetId, 5);
  client.send({
    type: 'publish',
    topic: '/p/client/upload',
    payload: Buffer.from('yes'),
    qos: 1,
    retain: false,
    dup: false,
    packetId: 6,
  });
  await client.expect('puback');
  const got = await server.expect('publish');
  assert.equal(got.topic, '/p/client/upload');
  await server.expectNothing();
  server.disconnect();
  client.disconnect();
});

test('read ACL: subscribe is allowed where a read rule could grant the filter, refused with 0x80 elsewhere', async () => {
  const client = await login('cli-2', 'client', 'client-secret');
  await client.expect('connack');
  client.send({
    type: 'subscribe',
    packetId: 2,
    subscriptions: [
      { topicFilter: '/p/client/download', qos: 2 },
      { topicFilter: '/p/client/upload', qos: 0 },
      { topicFilter: '#', qos: 0 },
      { topicFilter: 'other/#', qos: 0 },
    ],
  });
  // '#' could deliver /p/client/download, so it is granted; each delivery is then checked on its own.
  assert.deepEqual((await client.expect('suback')).reasonCodes, [2, 0x80, 0, 0x80]);
  client.disconnect();
});

test('read ACL is checked per delivered message: a wildcard subscription cannot read a denied topic', async () => {
  const client = await login('cli-3', 'client', 'client-secret');
  await client.expect('connack');
  client.send({ type: 'subscribe', packetId: 3, subscriptions: [{ topicFilter: 'feed/#', qos: 0 }] });
  assert.deepEqual((await client.expect('suback')).reasonCodes, [0]);
  const server = await login('srv-3', 'server', 'server-secret');
  await server.expect('connack');
  for (const topic of ['feed/secret', 'feed/news']) {
    server.send({ type: 'publish', topic, payload: Buffer.from(topic), qos: 0, retain: false, dup: false });
  }
  assert.equal((await client.expect('publish')).topic, 'feed/news');
  await client.expectNothing();
  server.disconnect();
  client.disconnect();
});

test('a will on a topic the client may not publish to refuses the connection', async () => {
  const client = await RawClient.open(broker.port);
  client.send({
    type: 'connect',
    protocolName: 'MQTT',
    protocolVersion: 4,
    clean: true,
    keepalive: 30,
    clientId: 'cli-will',
    username: 'client',
    password: Buffer.from('client-secret'),
    will: { topic: '/p/client/download', payload: Buffer.from('x'), qos: 0, retain: false },
  });
  assert.equal((await client.expect('connack')).reasonCode, 5);
  await client.expectClose();
});
