// MQTT 3.1.1 sections 3.10 UNSUBSCRIBE and 3.11 UNSUBACK: literal filter comparison, UNSUBACK with the same
// packet identifier even when nothing matched, deliveries in flight finish.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { RawClient } from '../helpers/raw-client.js';
import { frame, str, u16 } from '../fixtures/hex.js';
import {
  ClientPool,
  expectSettled,
  expectSilentClose,
  publish,
  receive,
  receiveAll,
  subscribe,
  text,
  unsubscribe,
  uid,
} from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;

/** Publishes one QoS 1 message to each topic, in order. */
async function publishEach(pub: RawClient, topics: string[]): Promise<void> {
  for (const topic of topics) await publish(pub, topic, topic, { qos: 1 });
}

describe('3.10 UNSUBSCRIBE / 3.11 UNSUBACK', () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  for (const id of [1, 0x4321, 65535]) {
    test(`[MQTT-3.10.4-4][MQTT-2.3.1-7] UNSUBSCRIBE with packet id ${id} is answered by UNSUBACK ${id}`, async () => {
      const topic = uid('t');
      const client = await pool.connect(uid());
      await subscribe(client, topic, 1);
      client.send({ type: 'unsubscribe', packetId: id, topicFilters: [topic] });
      assert.deepEqual(await client.expect('unsuback'), { type: 'unsuback', packetId: id });
      await expectSettled(client);
    });
  }

  test('[MQTT-3.10.4-5] UNSUBACK is sent even when no subscription matched', async () => {
    const client = await pool.connect(uid());
    client.send({ type: 'unsubscribe', packetId: 4, topicFilters: [uid('never')] });
    assert.deepEqual(await client.expect('unsuback'), { type: 'unsuback', packetId: 4 });
    await expectSettled(client);
  });

  test('[MQTT-3.10.4-2] after UNSUBSCRIBE no new messages are sent for the subscription', async () => {
    const topic = uid('t');
    const sub = await pool.connect(uid('s'));
    await subscribe(sub, topic, 1);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'before', { qos: 1 });
    assert.equal(text(await receive(sub)), 'before');
    await unsubscribe(sub, topic);
    await publish(pub, topic, 'after', { qos: 1 });
    await expectSettled(sub);
  });

  const literal: [
    title: string,
    subscribed: string[],
    unsubscribed: string,
    published: string[],
    expected: string[],
  ][] = [
    ["'a/+' is not removed by UNSUBSCRIBE 'a/x'", ['a/+'], 'a/x', ['a/x'], ['a/x']],
    ["'a/x' is not removed by UNSUBSCRIBE 'a/+'", ['a/x'], 'a/+', ['a/x'], ['a/x']],
    ["'a/#' is not removed by UNSUBSCRIBE 'a/+'", ['a/#'], 'a/+', ['a/x'], ['a/x']],
    [
      "'a/+' is removed by UNSUBSCRIBE 'a/+'; 'a/#' stays",
      ['a/+', 'a/#'],
      'a/+',
      ['a/x', 'a/x/y'],
      ['a/x', 'a/x/y'],
    ],
    ["'a/x' is not removed by UNSUBSCRIBE 'A/x' (case matters)", ['a/x'], 'A/x', ['a/x'], ['a/x']],
    ["'a/x' is not removed by UNSUBSCRIBE 'a/x/'", ['a/x'], 'a/x/', ['a/x'], ['a/x']],
    ["'a/x' is removed by UNSUBSCRIBE 'a/x'", ['a/x', 'b'], 'a/x', ['a/x', 'b'], ['b']],
  ];
  for (const [title, subscribed, unsubscribed, published, expected] of literal) {
    test(`[MQTT-3.10.4-1] filters compare character by character: ${title}`, async () => {
      const prefix = uid('t');
      const at = (f: string): string => `${prefix}/${f}`;
      const sub = await pool.connect(uid('s'));
      await subscribe(
        sub,
        subscribed.map((f) => [at(f), 1]),
      );
      await unsubscribe(sub, at(unsubscribed));
      const pub = await pool.connect(uid('p'));
      await publishEach(pub, published.map(at));
      const got = await receiveAll(sub, expected.length);
      assert.deepEqual(
        got.map((p) => p.topic),
        expected.map(at),
      );
      await expectSettled(sub);
    });
  }

  test('[MQTT-3.10.4-6] several filters are removed by one UNSUBSCRIBE, answered by one UNSUBACK', async () => {
    const prefix = uid('t');
    const sub = await pool.connect(uid('s'));
    await subscribe(sub, [
      [`${prefix}/a`, 1],
      [`${prefix}/b`, 1],
      [`${prefix}/c`, 1],
    ]);
    sub.send({
      type: 'unsubscribe',
      packetId: 9,
      topicFilters: [`${prefix}/a`, `${prefix}/nothing`, `${prefix}/b`],
    });
    assert.deepEqual(await sub.expect('unsuback'), { type: 'unsuback', packetId: 9 });
    await expectSettled(sub);
    const pub = await pool.connect(uid('p'));
    await publishEach(pub, [`${prefix}/a`, `${prefix}/b`, `${prefix}/c`]);
    assert.deepEqual(
      (await receiveAll(sub, 1)).map((p) => p.topic),
      [`${prefix}/c`],
    );
    await expectSettled(sub);
  });

  test('[MQTT-3.10.4-3] a QoS 2 delivery started before UNSUBSCRIBE is completed', async () => {
    const topic = uid('t');
    const sub = await pool.connect(uid('s'));
    await subscribe(sub, topic, 2);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'in flight', { qos: 2 });
    const packet = await receive(sub, false);
    await unsubscribe(sub, topic);
    sub.send({ type: 'pubrec', packetId: packet.packetId as number });
    assert.deepEqual(await sub.expect('pubrel'), { type: 'pubrel', packetId: packet.packetId });
    sub.send({ type: 'pubcomp', packetId: packet.packetId as number });
    await expectSettled(sub);
  });

  test('[MQTT-3.10.4-3] an unacknowledged QoS 1 delivery is completed after UNSUBSCRIBE: resent with DUP=1 on reconnect', async () => {
    const topic = uid('t');
    const clientId = uid('s');
    const sub = await pool.connect(clientId, { clean: false });
    await subscribe(sub, topic, 1);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'unacknowledged', { qos: 1 });
    const packet = await receive(sub, false);
    await unsubscribe(sub, topic);
    sub.disconnect();
    await sub.expectClose();
    const again = await pool.connect(clientId, { clean: false });
    const resent = await receive(again);
    assert.deepEqual([resent.packetId, resent.dup, text(resent)], [packet.packetId, true, 'unacknowledged']);
    await publish(pub, topic, 'after unsubscribe', { qos: 1 });
    await expectSettled(again);
  });

  const malformed: [title: string, bytes: string][] = [
    ['[MQTT-3.10.1-1] fixed header flags 0000', frame(0xa0, u16(1), str('a'))],
    ['[MQTT-3.10.1-1] fixed header flags 0011', frame(0xa3, u16(1), str('a'))],
    ['[MQTT-3.10.3-2] no topic filter at all', frame(0xa2, u16(1))],
    ['[MQTT-2.3.1-1] packet identifier 0', frame(0xa2, u16(0), str('a'))],
  ];
  for (const [title, bytes] of malformed) {
    test(`${title} in UNSUBSCRIBE closes the connection without UNSUBACK [MQTT-4.8.0-1]`, async () => {
      const client = await pool.connect(uid());
      client.sendBytes(bytes);
      await expectSilentClose(client);
    });
  }
});
