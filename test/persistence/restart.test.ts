// Persistence across a broker restart (in process, SQLite on a temp directory): sessions, subscriptions,
// queues, in-flight messages and retained messages come back; expired sessions and messages do not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../helpers/raw-client.js';
import { text, uid, sleep } from '../conformance/support.js';
import { publishAcked, receive, startPersistent, subscribeOffline } from './support.js';

test('queued QoS 1 and 2 messages, subscriptions and retained messages survive a restart', async () => {
  const broker = await startPersistent();
  try {
    const topic = uid('t');
    const sub = uid('sub');
    await subscribeOffline(broker.current.port, sub, `${topic}/#`, 2);
    const pub = await RawClient.connected(broker.current.port, uid('pub'));
    await publishAcked(pub, `${topic}/a`, 'q1', 1, 1);
    await publishAcked(pub, `${topic}/b`, 'q2', 2, 2);
    await publishAcked(pub, `${topic}/r`, 'kept', 1, 3, true);
    pub.disconnect();

    const { port } = await broker.restart();
    const again = await RawClient.connected(port, sub, { clean: false });
    const received = await receive(again, 3);
    // [MQTT-4.6.0-1] in the order they were published, at the QoS they were granted.
    assert.deepEqual(
      received.map((p) => [p.topic, text(p), p.qos]),
      [
        [`${topic}/a`, 'q1', 1],
        [`${topic}/b`, 'q2', 2],
        [`${topic}/r`, 'kept', 1],
      ],
    );
    // The subscription came back too: a new message reaches the session.
    const pub2 = await RawClient.connected(port, uid('pub'));
    await publishAcked(pub2, `${topic}/c`, 'after', 1, 1);
    assert.equal(text(await again.expect('publish')), 'after');
    again.disconnect();

    const fresh = await RawClient.connected(port, uid('new'));
    fresh.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: `${topic}/#`, qos: 1 }] });
    await fresh.expect('suback');
    const retained = await fresh.expect('publish');
    assert.deepEqual([retained.topic, text(retained), retained.retain], [`${topic}/r`, 'kept', true]);
    fresh.disconnect();
    pub2.disconnect();
  } finally {
    await broker.dispose();
  }
});

test('[MQTT-4.4.0-1] unacknowledged messages come back after a restart with DUP=1 and their packet ids', async () => {
  const broker = await startPersistent();
  try {
    const topic = uid('t');
    const sub = uid('sub');
    const subscriber = await RawClient.connected(broker.current.port, sub, { clean: false });
    subscriber.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: topic, qos: 2 }] });
    await subscriber.expect('suback');
    const pub = await RawClient.connected(broker.current.port, uid('pub'));
    await publishAcked(pub, topic, 'one', 1, 1);
    await publishAcked(pub, topic, 'two', 2, 2);
    const first = await subscriber.expect('publish');
    const second = await subscriber.expect('publish');
    // PUBREC for the QoS 2 message: after the restart only PUBREL is owed for it.
    subscriber.send({ type: 'pubrec', packetId: second.packetId as number });
    await subscriber.expect('pubrel');
    await publishAcked(pub, topic, 'three', 1, 3);
    const third = await subscriber.expect('publish');
    pub.disconnect();
    subscriber.destroy();

    const { port } = await broker.restart();
    const again = await RawClient.connected(port, sub, { clean: false });
    const replayed = [await again.next(), await again.next(), await again.next()];
    assert.deepEqual(
      replayed.map((p) =>
        p?.type === 'publish'
          ? [p.type, text(p), p.packetId, p.dup]
          : [p?.type, p && 'packetId' in p ? p.packetId : undefined],
      ),
      [
        ['publish', 'one', first.packetId, true],
        ['pubrel', second.packetId],
        ['publish', 'three', third.packetId, true],
      ],
    );
    again.disconnect();
  } finally {
    await broker.dispose();
  }
});

test('[MQTT-4.3.3-2] a QoS 2 message whose PUBREL was not sent before the restart is not routed twice', async () => {
  const broker = await startPersistent();
  try {
    const topic = uid('t');
    const sub = uid('sub');
    const pubId = uid('pub');
    await subscribeOffline(broker.current.port, sub, topic, 2);
    const pub = await RawClient.connected(broker.current.port, pubId, { clean: false });
    pub.send({
      type: 'publish',
      topic,
      payload: Buffer.from('once'),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 9,
    });
    await pub.expect('pubrec');
    pub.destroy();

    const { port } = await broker.restart();
    const again = await RawClient.connected(port, pubId, { clean: false });
    again.send({
      type: 'publish',
      topic,
      payload: Buffer.from('once'),
      qos: 2,
      retain: false,
      dup: true,
      packetId: 9,
    });
    await again.expect('pubrec');
    again.send({ type: 'pubrel', packetId: 9 });
    await again.expect('pubcomp');
    again.disconnect();

    const subscriber = await RawClient.connected(port, sub, { clean: false });
    assert.deepEqual((await receive(subscriber, 1)).map(text), ['once']);
    await subscriber.expectNothing();
    subscriber.disconnect();
  } finally {
    await broker.dispose();
  }
});

test('[MQTT-3.1.2-23][MQTT-3.3.2-5] session and message expiry count across the downtime', async () => {
  const broker = await startPersistent();
  try {
    const topic = uid('t');
    const shortLived = uid('short');
    const longLived = uid('long');
    for (const [id, expiry] of [
      [shortLived, 1],
      [longLived, 3600],
    ] as const) {
      const c = await RawClient.connected(broker.current.port, id, {
        version: 5,
        clean: true,
        extra: { properties: { sessionExpiryInterval: expiry } },
      });
      c.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: topic, qos: 1 }] });
      await c.expect('suback');
      c.disconnect();
    }
    const pub = await RawClient.connected(broker.current.port, uid('pub'), { version: 5 });
    const send = (payload: string, expiry: number, packetId: number) => {
      pub.send({
        type: 'publish',
        topic,
        payload: Buffer.from(payload),
        qos: 1,
        retain: false,
        dup: false,
        packetId,
        properties: { messageExpiryInterval: expiry },
      });
      return pub.expect('puback');
    };
    await send('expires', 1, 1);
    await send('stays', 3600, 2);
    pub.disconnect();
    await broker.current.stop();
    await sleep(1600);

    const { port } = await broker.restart();
    const gone = await RawClient.open(port, 5);
    gone.send({
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 5,
      clean: false,
      keepalive: 0,
      clientId: shortLived,
      properties: { sessionExpiryInterval: 60 },
    });
    const connack = await gone.expect('connack');
    assert.equal(connack.sessionPresent, false, 'the 1 s session expired while the broker was down');
    await gone.expectNothing();
    gone.disconnect();

    const kept = await RawClient.open(port, 5);
    kept.send({
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 5,
      clean: false,
      keepalive: 0,
      clientId: longLived,
      properties: { sessionExpiryInterval: 3600 },
    });
    assert.equal((await kept.expect('connack')).sessionPresent, true);
    const [only] = await receive(kept, 1);
    assert.equal(only && text(only), 'stays');
    const remaining = only?.properties?.messageExpiryInterval ?? 0;
    assert.ok(remaining < 3600 && remaining >= 3590, `expiry counted down across the restart: ${remaining}`);
    await kept.expectNothing();
    kept.disconnect();
  } finally {
    await broker.dispose();
  }
});
