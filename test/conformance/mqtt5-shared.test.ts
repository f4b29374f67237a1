// Shared Subscriptions (MQTT 5.0 section 4.8.2): "$share/{ShareName}/{filter}", one copy per group, members in
// turn, no retained messages on subscribe, unfinished QoS 1 copies handed to another member when one leaves.
// Rule ids are those of the 5.0 list (/work/shared/spec/mqtt-5.0-rules.md), marked "(5.0)".
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { RawClient } from '../helpers/raw-client.js';
import type { Properties, QoS } from '../../src/protocol/types.js';
import {
  ClientPool,
  connect5,
  expectSettled,
  publish,
  receive,
  subscribe,
  text,
  uid,
  unsubscribe,
} from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;

async function member(
  filter: string,
  qos: QoS,
  properties?: Properties,
  clientId = uid('m'),
): Promise<RawClient> {
  const { client, connack } = await connect5(pool, clientId, { properties });
  assert.equal(connack.reasonCode, 0);
  assert.deepEqual(await subscribe(client, filter, qos), [qos]);
  return client;
}

async function publisher(): Promise<RawClient> {
  const { client } = await connect5(pool, uid('p'));
  return client;
}

describe('MQTT 5.0 shared subscriptions', () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  test('(5.0) [MQTT-4.8.2-3] each message goes to one member of the group, in turn, at the QoS granted to that member', async () => {
    const topic = uid('t');
    const a = await member(`$share/g/${topic}`, 1);
    const b = await member(`$share/g/${topic}`, 0);
    const pub = await publisher();
    for (let i = 1; i <= 4; i++) await publish(pub, topic, `m${i}`, { qos: 1 });
    const fromA = [await receive(a), await receive(a)];
    const fromB = [await receive(b), await receive(b)];
    await expectSettled(a);
    await expectSettled(b);
    const all = [...fromA, ...fromB].map(text).sort();
    assert.deepEqual(all, ['m1', 'm2', 'm3', 'm4'], 'every message exactly once');
    assert.deepEqual(
      fromA.map((p) => p.qos),
      [1, 1],
    );
    assert.deepEqual(
      fromB.map((p) => p.qos),
      [0, 0],
      'downgraded to the member’s granted QoS',
    );
  });

  test('(5.0) [MQTT-4.8.2-1] every group gets its own copy, and a member’s non-shared subscription its own too', async () => {
    const topic = uid('t');
    const one = await member(`$share/one/${topic}`, 0);
    const two = await member(`$share/two/${topic}`, 0);
    assert.deepEqual(await subscribe(two, topic, 0), [0]);
    const pub = await publisher();
    await publish(pub, topic, 'x', { qos: 1 });
    assert.equal(text(await receive(one)), 'x');
    assert.equal(text(await receive(two)), 'x');
    assert.equal(text(await receive(two)), 'x');
    await expectSettled(two);
  });

  test('(5.0) a shared subscription gets no retained messages when it is made; a normal one does', async () => {
    const topic = uid('t');
    const pub = await publisher();
    await publish(pub, topic, 'kept', { qos: 1, retain: true });
    const shared = await member(`$share/g/${topic}`, 1);
    await expectSettled(shared);
    const normal = await member(topic, 1);
    assert.equal(text(await receive(normal)), 'kept');
    await publish(pub, topic, '', { qos: 1, retain: true });
  });

  test('(5.0) a member that disconnects with an unacknowledged QoS 1 message: another member of the group gets it', async () => {
    const topic = uid('t');
    const a = await member(`$share/g/${topic}`, 1);
    const pub = await publisher();
    await publish(pub, topic, 'orphan', { qos: 1 });
    const first = await receive(a, false);
    assert.equal(text(first), 'orphan');
    const b = await member(`$share/g/${topic}`, 1);
    a.destroy();
    const again = await receive(b);
    assert.equal(text(again), 'orphan');
    assert.equal(again.qos, 1);
  });

  test('(5.0) [MQTT-4.8.2-4] an unfinished QoS 2 shared delivery stays with its member and is completed when it reconnects', async () => {
    const topic = uid('t');
    const id = uid('m');
    const a = await member(`$share/g/${topic}`, 2, { sessionExpiryInterval: 60 }, id);
    const pub = await publisher();
    await publish(pub, topic, 'exactly once', { qos: 2 });
    await receive(a, false);
    const b = await member(`$share/g/${topic}`, 2);
    a.destroy();
    await expectSettled(b);
    const { client, connack } = await connect5(pool, id, {
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    });
    assert.equal(connack.sessionPresent, true);
    const resent = await receive(client);
    assert.equal(text(resent), 'exactly once');
    assert.equal(resent.dup, true);
  });

  test('(5.0) members that are connected are preferred over a member whose session waits offline', async () => {
    const topic = uid('t');
    const id = uid('m');
    const away = await member(`$share/g/${topic}`, 1, { sessionExpiryInterval: 60 }, id);
    away.disconnect();
    const here = await member(`$share/g/${topic}`, 1);
    const pub = await publisher();
    for (let i = 1; i <= 3; i++) await publish(pub, topic, `m${i}`, { qos: 1 });
    const got = [await receive(here), await receive(here), await receive(here)];
    assert.deepEqual(got.map(text), ['m1', 'm2', 'm3']);
  });

  test('(5.0) after UNSUBSCRIBE from the shared filter the remaining member gets every message', async () => {
    const topic = uid('t');
    const filter = `$share/g/${topic}`;
    const a = await member(filter, 0);
    const b = await member(filter, 0);
    await unsubscribe(a, filter);
    const pub = await publisher();
    for (let i = 1; i <= 2; i++) await publish(pub, topic, `m${i}`, { qos: 1 });
    assert.deepEqual([text(await receive(b)), text(await receive(b))], ['m1', 'm2']);
    await expectSettled(a);
  });

  test('(5.0) [MQTT-3.8.3-4] No Local on a shared subscription is a Protocol Error: DISCONNECT 0x82', async () => {
    const { client } = await connect5(pool, uid());
    client.send({
      type: 'subscribe',
      packetId: 7,
      subscriptions: [{ topicFilter: `$share/g/${uid('t')}`, qos: 0, noLocal: true }],
    });
    const packets = await client.expectClose();
    assert.deepEqual(packets, [{ type: 'disconnect', reasonCode: 0x82 }]);
  });

  test('(5.0) [MQTT-4.8.2-2] a shared filter with wildcards in the share name or no filter is refused with 0x8F', async () => {
    const { client } = await connect5(pool, uid());
    const codes = await subscribe(client, [
      ['$share/a#/x', 0],
      ['$share/g', 0],
      ['$share//x', 0],
    ]);
    assert.deepEqual(codes, [0x8f, 0x8f, 0x8f]);
  });

  test('shared subscriptions work for MQTT 3.1.1 clients too (as mosquitto)', async () => {
    const topic = uid('t');
    const sub = await pool.connect(uid('v4'));
    assert.deepEqual(await subscribe(sub, `$share/g/${topic}`, 1), [1]);
    const pub = await publisher();
    await publish(pub, topic, 'v5 to v4', { qos: 1 });
    assert.equal(text(await receive(sub)), 'v5 to v4');
  });
});
