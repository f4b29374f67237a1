// MQTT 3.1.1 sections 3.8 SUBSCRIBE and 3.9 SUBACK: one SUBACK per SUBSCRIBE with the same packet identifier,
// one return code per filter in order, 0x80 for filters that cannot be granted, resubscribing.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { QoS } from '../../src/protocol/types.js';
import { frame, str, u16, u8 } from '../fixtures/hex.js';
import {
  ClientPool,
  expectSettled,
  expectSilentClose,
  publish,
  receive,
  receiveAll,
  subscribe,
  text,
  uid,
} from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;

describe('3.8 SUBSCRIBE / 3.9 SUBACK', () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  for (const id of [1, 0x00ff, 0x1234, 65535]) {
    test(`[MQTT-3.8.4-1][MQTT-3.8.4-2][MQTT-2.3.1-7] SUBSCRIBE with packet id ${id} is answered by one SUBACK with packet id ${id}`, async () => {
      const client = await pool.connect(uid());
      client.send({ type: 'subscribe', packetId: id, subscriptions: [{ topicFilter: uid('t'), qos: 1 }] });
      assert.deepEqual(await client.expect('suback'), { type: 'suback', packetId: id, reasonCodes: [1] });
      await expectSettled(client);
    });
  }

  for (const qos of [0, 1, 2] as QoS[]) {
    test(`[MQTT-3.8.4-5][MQTT-3.9.3-2] a QoS ${qos} request is granted QoS ${qos}`, async () => {
      const client = await pool.connect(uid());
      assert.deepEqual(await subscribe(client, uid('t'), qos), [qos]);
    });
  }

  test('[MQTT-3.8.4-4][MQTT-3.8.4-5][MQTT-3.9.3-1] several filters get one SUBACK with one return code per filter, in order', async () => {
    const prefix = uid('t');
    const client = await pool.connect(uid());
    const filters: [string, QoS][] = [
      [`${prefix}/two`, 2],
      [`${prefix}/zero`, 0],
      [`${prefix}/one`, 1],
      [`${prefix}/+`, 1],
      [`${prefix}/#`, 0],
    ];
    assert.deepEqual(await subscribe(client, filters), [2, 0, 1, 1, 0]);
    await expectSettled(client);
  });

  test('[MQTT-3.8.4-4] each filter of a multi-filter SUBSCRIBE works like its own SUBSCRIBE', async () => {
    const prefix = uid('t');
    const sub = await pool.connect(uid('s'));
    await subscribe(sub, [
      [`${prefix}/a`, 0],
      [`${prefix}/b`, 1],
      [`${prefix}/c`, 2],
    ]);
    const pub = await pool.connect(uid('p'));
    for (const level of ['a', 'b', 'c']) await publish(pub, `${prefix}/${level}`, level, { qos: 2 });
    const got = await receiveAll(sub, 3);
    assert.deepEqual(
      got.map((p) => [text(p), p.qos]),
      [
        ['a', 0],
        ['b', 1],
        ['c', 2],
      ],
    );
  });

  const invalidFilters = ['a/#/b', 'a#', 'a/b#', '#/', 'a+', 'a/+b', '+a/b', 'a/b+/c', ''];
  for (const filter of invalidFilters) {
    test(`[MQTT-4.7.1-2][MQTT-4.7.1-3][MQTT-4.7.3-1][MQTT-4.8.0-1] malformed filter '${filter}' closes the connection without SUBACK, as mosquitto does`, async () => {
      const client = await pool.connect(uid());
      client.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: filter, qos: 1 }] });
      await expectSilentClose(client);
    });
  }

  test('[MQTT-3.9.3-1][MQTT-3.8.4-4][MQTT-3.9.3-2] a failure (a malformed $share name) among valid filters keeps its place as 0x80; the valid filters are subscribed', async () => {
    const prefix = uid('t');
    const sub = await pool.connect(uid('s'));
    const codes = await subscribe(sub, [
      [`${prefix}/ok1`, 1],
      [`$share/bad+/${prefix}/x`, 1],
      [`${prefix}/ok2`, 2],
      [`$share//${prefix}/x`, 0],
    ]);
    assert.deepEqual(codes, [1, 0x80, 2, 0x80]);
    const pub = await pool.connect(uid('p'));
    await publish(pub, `${prefix}/ok1`, 'ok1', { qos: 1 });
    await publish(pub, `${prefix}/ok2`, 'ok2', { qos: 1 });
    assert.deepEqual((await receiveAll(sub, 2)).map(text), ['ok1', 'ok2']);
  });

  test('[MQTT-4.5.0-1] a message the server took is added to the session of every matching subscriber, online or offline', async () => {
    const topic = uid('t');
    const offlineId = uid('off');
    const offline = await pool.connect(offlineId, { clean: false });
    await subscribe(offline, `${topic}/#`, 1);
    offline.disconnect();
    await offline.expectClose();
    const a = await pool.connect(uid('a'));
    await subscribe(a, topic, 1);
    const b = await pool.connect(uid('b'));
    await subscribe(b, '+/+', 0);
    const pub = await pool.connect(uid('p'));
    await publish(pub, `${topic}/x`, 'not for a', { qos: 1 });
    await publish(pub, topic, 'for all', { qos: 1 });
    assert.equal(text(await receive(a)), 'for all');
    const again = await pool.connect(offlineId, { clean: false });
    assert.deepEqual((await receiveAll(again, 2)).map(text), ['not for a', 'for all']);
    await expectSettled(a);
    assert.equal(text(await receive(b)), 'not for a');
    await expectSettled(b);
  });

  test('[MQTT-3.8.4-3] subscribing again to an identical filter replaces the subscription: the new QoS applies, one copy is delivered', async () => {
    const topic = uid('t');
    const sub = await pool.connect(uid('s'));
    assert.deepEqual(await subscribe(sub, topic, 0), [0]);
    assert.deepEqual(await subscribe(sub, topic, 2), [2]);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'upgraded', { qos: 2 });
    const packet = await receive(sub);
    assert.deepEqual([text(packet), packet.qos], ['upgraded', 2]);
    await expectSettled(sub);
    assert.deepEqual(await subscribe(sub, topic, 1), [1]);
    await publish(pub, topic, 'downgraded', { qos: 2 });
    const again = await receive(sub);
    assert.deepEqual([text(again), again.qos], ['downgraded', 1]);
    await expectSettled(sub);
  });

  test('[MQTT-3.8.4-4][MQTT-3.8.4-3] the same filter twice in one SUBSCRIBE: the later entry replaces the earlier, one copy is delivered', async () => {
    const topic = uid('t');
    const sub = await pool.connect(uid('s'));
    assert.deepEqual(
      await subscribe(sub, [
        [topic, 0],
        [topic, 2],
      ]),
      [0, 2],
    );
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'twice subscribed', { qos: 2 });
    const packet = await receive(sub);
    assert.deepEqual([text(packet), packet.qos], ['twice subscribed', 2]);
    await expectSettled(sub);
  });

  test('[MQTT-3.8.4-3][MQTT-3.3.1-6] subscribing again re-sends the matching retained messages', async () => {
    const topic = uid('t');
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'retained', { qos: 1, retain: true });
    const sub = await pool.connect(uid('s'));
    await subscribe(sub, topic, 1);
    assert.equal(text(await receive(sub)), 'retained');
    await expectSettled(sub);
    await subscribe(sub, topic, 1);
    const resent = await receive(sub);
    assert.deepEqual([text(resent), resent.retain], ['retained', true]);
    await expectSettled(sub);
  });

  test('[MQTT-3.8.4-3] resubscribing does not interrupt the flow of messages to the subscription', async () => {
    const topic = uid('t');
    const sub = await pool.connect(uid('s'));
    await subscribe(sub, topic, 1);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'before', { qos: 1 });
    sub.send({ type: 'subscribe', packetId: 77, subscriptions: [{ topicFilter: topic, qos: 1 }] });
    await publish(pub, topic, 'after', { qos: 1 });
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const packet = await sub.next();
      if (packet?.type === 'publish') {
        seen.push(text(packet));
        sub.send({ type: 'puback', packetId: packet.packetId as number });
      } else {
        seen.push(packet?.type ?? 'nothing');
      }
    }
    assert.deepEqual(seen, ['before', 'suback', 'after']);
    await expectSettled(sub);
  });

  const malformed: [title: string, bytes: string][] = [
    ['[MQTT-3.8.1-1] fixed header flags 0000', frame(0x80, u16(1), str('a'), u8(0))],
    ['[MQTT-3.8.1-1] fixed header flags 0011', frame(0x83, u16(1), str('a'), u8(0))],
    ['[MQTT-3.8.3-3] no topic filter at all', frame(0x82, u16(1))],
    ['[MQTT-3.8.3-4] requested QoS 3', frame(0x82, u16(1), str('a'), u8(3))],
    ['[MQTT-3.8.3-4] reserved bits set in the QoS byte', frame(0x82, u16(1), str('a'), u8(0x04))],
    ['[MQTT-2.3.1-1] packet identifier 0', frame(0x82, u16(0), str('a'), u8(0))],
  ];
  for (const [title, bytes] of malformed) {
    test(`${title} in SUBSCRIBE closes the connection without SUBACK [MQTT-4.8.0-1]`, async () => {
      const client = await pool.connect(uid());
      client.sendBytes(bytes);
      await expectSilentClose(client);
    });
  }
});
