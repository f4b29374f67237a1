// MQTT 5.0 per-connection limits: Topic Aliases both ways (section 3.3.2.3.4), Receive Maximum both ways
// (section 4.9) and the client's Maximum Packet Size (section 3.1.2.11.4). Rule ids are those of the 5.0 list
// (/work/shared/spec/mqtt-5.0-rules.md), marked "(5.0)".
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { RawClient } from '../helpers/raw-client.js';
import type { Properties, PublishPacket, QoS } from '../../src/protocol/types.js';
import { ClientPool, connect5, expectAlive, receive, subscribe, text, uid } from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;

async function connected(properties?: Properties, clientId = uid()): Promise<RawClient> {
  const { client, connack } = await connect5(pool, clientId, { properties });
  assert.equal(connack.reasonCode, 0);
  return client;
}

function send(client: RawClient, topic: string, payload: string, qos: QoS, properties?: Properties): void {
  client.send({
    type: 'publish',
    topic,
    payload: Buffer.from(payload),
    qos,
    retain: false,
    dup: false,
    packetId: qos === 0 ? undefined : 1 + Math.floor(Math.random() * 60000),
    properties,
  });
}

async function expectDisconnect(client: RawClient, reasonCode: number): Promise<void> {
  const packets = await client.expectClose();
  const last = packets.at(-1);
  assert.equal(last?.type, 'disconnect', JSON.stringify(packets));
  assert.equal(last.type === 'disconnect' ? last.reasonCode : undefined, reasonCode);
}

describe('MQTT 5.0 topic aliases, flow control and packet size', () => {
  before(async () => {
    broker = await startBroker({ maxTopicAlias: 3, maxInflightMessages: 4 });
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  test('(5.0) CONNACK offers the configured Topic Alias Maximum (max_topic_alias) and Receive Maximum', async () => {
    const { connack } = await connect5(pool, uid());
    assert.equal(connack.properties?.topicAliasMaximum, 3);
    assert.equal(connack.properties?.receiveMaximum, 4);
  });

  test('(5.0) [MQTT-3.3.2-12] every alias 1..Topic Alias Maximum is accepted: set with a topic, then used with an empty topic', async () => {
    const topic = uid('t');
    const sub = await connected();
    await subscribe(sub, topic, 1);
    const pub = await connected();
    send(pub, topic, 'first', 0, { topicAlias: 3 });
    send(pub, '', 'second', 1, { topicAlias: 3 });
    await pub.expect('puback');
    const got = [await receive(sub), await receive(sub)];
    assert.deepEqual(
      got.map((p) => [p.topic, text(p), p.properties?.topicAlias]),
      [
        [topic, 'first', undefined],
        [topic, 'second', undefined],
      ],
      'subscribers get the full topic, never the publisher’s alias',
    );
  });

  test('(5.0) [MQTT-3.3.2-12] an alias can be redefined with a new topic', async () => {
    const [a, b] = [uid('t'), uid('t')];
    const sub = await connected();
    await subscribe(sub, [
      [a, 0],
      [b, 0],
    ]);
    const pub = await connected();
    send(pub, a, '1', 0, { topicAlias: 1 });
    send(pub, b, '2', 0, { topicAlias: 1 });
    send(pub, '', '3', 0, { topicAlias: 1 });
    const got = [await receive(sub), await receive(sub), await receive(sub)];
    assert.deepEqual(
      got.map((p) => p.topic),
      [a, b, b],
    );
  });

  for (const alias of [0, 4]) {
    test(`(5.0) [MQTT-3.3.2-12] Topic Alias ${alias} (0 or above the maximum) is answered with DISCONNECT 0x94`, async () => {
      const pub = await connected();
      send(pub, uid('t'), 'x', 1, { topicAlias: alias });
      await expectDisconnect(pub, 0x94);
    });
  }

  test('(5.0) an empty topic with an alias never set is a Protocol Error (DISCONNECT 0x82)', async () => {
    const pub = await connected();
    send(pub, '', 'x', 0, { topicAlias: 2 });
    await expectDisconnect(pub, 0x82);
  });

  test('(5.0) [MQTT-3.3.2-7] aliases die with the connection: the same session on a new connection does not know them', async () => {
    const id = uid();
    const first = await connected({ sessionExpiryInterval: 60 }, id);
    send(first, uid('t'), 'x', 1, { topicAlias: 1 });
    await first.expect('puback');
    first.disconnect();
    const { client, connack } = await connect5(pool, id, {
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    });
    assert.equal(connack.sessionPresent, true);
    send(client, '', 'y', 1, { topicAlias: 1 });
    await expectDisconnect(client, 0x82);
  });

  test('(5.0) [MQTT-3.1.2-26][MQTT-3.3.2-11][MQTT-3.3.2-8] the server assigns aliases 1..the client’s maximum, sends the topic once, then the alias alone', async () => {
    const [a, b, c] = [uid('t'), uid('t'), uid('t')];
    const sub = await connected({ topicAliasMaximum: 2 });
    await subscribe(sub, [
      [a, 1],
      [b, 1],
      [c, 1],
    ]);
    const pub = await connected();
    for (const topic of [a, b, c, a, b, c]) send(pub, topic, topic, 0);
    const got: PublishPacket[] = [];
    for (let i = 0; i < 6; i++) got.push(await receive(sub));
    assert.deepEqual(
      got.map((p) => [p.topic, p.properties?.topicAlias]),
      [
        [a, 1],
        [b, 2],
        [c, undefined],
        ['', 1],
        ['', 2],
        [c, undefined],
      ],
    );
    assert.deepEqual(
      got.map((p) => text(p)),
      [a, b, c, a, b, c],
    );
  });

  test('(5.0) [MQTT-3.1.2-27] a client that declared no Topic Alias Maximum gets no aliases', async () => {
    const topic = uid('t');
    const sub = await connected();
    await subscribe(sub, topic, 0);
    const pub = await connected();
    send(pub, topic, '1', 0);
    send(pub, topic, '2', 0);
    for (let i = 0; i < 2; i++) {
      const message = await receive(sub);
      assert.equal(message.topic, topic);
      assert.equal(message.properties?.topicAlias, undefined);
    }
  });

  test('(5.0) [MQTT-3.3.4-7] more QoS 2 messages awaiting PUBREL than our Receive Maximum: DISCONNECT 0x93', async () => {
    const pub = await connected();
    const topic = uid('t');
    for (let id = 1; id <= 4; id++) {
      pub.send({
        type: 'publish',
        topic,
        payload: Buffer.from('x'),
        qos: 2,
        retain: false,
        dup: false,
        packetId: id,
      });
      assert.equal((await pub.expect('pubrec')).packetId, id);
    }
    pub.send({
      type: 'publish',
      topic,
      payload: Buffer.from('x'),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 5,
    });
    await expectDisconnect(pub, 0x93);
  });

  test('(5.0) [MQTT-3.3.4-7] completed QoS 2 flows free the quota: many messages in sequence are fine', async () => {
    const pub = await connected();
    const topic = uid('t');
    for (let id = 1; id <= 10; id++) {
      pub.send({
        type: 'publish',
        topic,
        payload: Buffer.from('x'),
        qos: 2,
        retain: false,
        dup: false,
        packetId: id,
      });
      await pub.expect('pubrec');
      pub.send({ type: 'pubrel', packetId: id });
      await pub.expect('pubcomp');
    }
    await expectAlive(pub);
  });

  test('(5.0) [MQTT-3.3.4-9][MQTT-4.9.0-2] no more unacknowledged QoS 1 PUBLISH to a client than its Receive Maximum; an ack lets the next go [MQTT-3.3.4-10]', async () => {
    const topic = uid('t');
    const sub = await connected({ receiveMaximum: 2 });
    await subscribe(sub, topic, 1);
    const pub = await connected();
    for (let i = 1; i <= 3; i++) send(pub, topic, `m${i}`, 1);
    const first = await receive(sub, false);
    const second = await receive(sub, false);
    assert.equal(await sub.next(300), undefined, 'the third waits for an acknowledgement');
    await expectAlive(sub); // [MQTT-4.9.0-3] other packets are still answered
    sub.send({ type: 'puback', packetId: first.packetId as number });
    assert.equal(text(await receive(sub)), 'm3');
    sub.send({ type: 'puback', packetId: second.packetId as number });
  });

  test('(5.0) [MQTT-3.1.2-24][MQTT-3.1.2-25] a PUBLISH larger than the client’s Maximum Packet Size is dropped; the next one that fits is delivered', async () => {
    const topic = uid('t');
    const sub = await connected({ maximumPacketSize: 64 });
    await subscribe(sub, topic, 1);
    const pub = await connected();
    send(pub, topic, 'x'.repeat(64), 1);
    send(pub, topic, 'small', 1);
    const message = await receive(sub);
    assert.equal(text(message), 'small');
    await expectAlive(sub);
  });
});
