// MQTT 3.1.1 section 4.1 (session state), 4.3 / 4.4 (redelivery on reconnect) and 4.6 (ordering, in-flight
// window): offline queueing, DUP=1 redelivery, PUBREL resent for released QoS 2, clean sessions, the
// max_queued_messages and max_inflight_messages limits.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { RawClient } from '../helpers/raw-client.js';
import type { ConnackPacket, PublishPacket, QoS } from '../../src/protocol/types.js';
import {
  ClientPool,
  expectSettled,
  packetId,
  publish,
  receive,
  receiveAll,
  subscribe,
  text,
  uid,
} from './support.js';

/** Ends the connection with DISCONNECT and waits until the server closed it: the session is offline. */
async function goOffline(client: RawClient): Promise<void> {
  client.disconnect();
  await client.expectClose();
}

/** Reconnects a session by hand, returning the CONNACK too. */
async function reconnect(
  pool: ClientPool,
  clientId: string,
  clean = false,
): Promise<{ client: RawClient; connack: ConnackPacket }> {
  const client = await pool.open();
  client.send({ type: 'connect', protocolName: 'MQTT', protocolVersion: 4, clean, keepalive: 60, clientId });
  return { client, connack: await client.expect('connack') };
}

describe('4.1 session state', () => {
  const pool = new ClientPool();
  let broker: StartedBroker;
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  test('[MQTT-3.1.2-4][MQTT-4.1.0-1] CleanSession=0: subscriptions survive the connection and work after reconnecting', async () => {
    const clientId = uid('s');
    const topic = uid('t');
    const sub = await pool.connect(clientId, { clean: false });
    await subscribe(sub, topic, 1);
    await goOffline(sub);
    const { client, connack } = await reconnect(pool, clientId);
    assert.equal(connack.sessionPresent, true);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'no resubscribe needed', { qos: 1 });
    assert.equal(text(await receive(client)), 'no resubscribe needed');
  });

  test('[MQTT-3.1.2-5][MQTT-4.5.0-1] QoS 1 and 2 messages published while a CleanSession=0 client is offline are delivered, in order, on reconnect', async () => {
    const clientId = uid('s');
    const topic = uid('t');
    const sub = await pool.connect(clientId, { clean: false });
    await subscribe(sub, topic, 2);
    await goOffline(sub);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'q1-a', { qos: 1 });
    await publish(pub, topic, 'q2-b', { qos: 2 });
    await publish(pub, topic, 'q1-c', { qos: 1 });
    const { client } = await reconnect(pool, clientId);
    const got = await receiveAll(client, 3);
    assert.deepEqual(
      got.map((p) => [text(p), p.qos, p.dup]),
      [
        ['q1-a', 1, false],
        ['q2-b', 2, false],
        ['q1-c', 1, false],
      ],
    );
    await expectSettled(client);
  });

  test('[MQTT-3.1.2-5] only QoS 1 and 2 messages are queued for an offline client by default: QoS 0 is not', async () => {
    const clientId = uid('s');
    const topic = uid('t');
    const sub = await pool.connect(clientId, { clean: false });
    await subscribe(sub, topic, 2);
    await goOffline(sub);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'qos0 while offline', { qos: 0 });
    await publish(pub, topic, 'qos1 while offline', { qos: 1 });
    const { client } = await reconnect(pool, clientId);
    assert.equal(text(await receive(client)), 'qos1 while offline');
    await expectSettled(client);
  });

  test('[MQTT-4.4.0-1][MQTT-3.3.1-1] unacknowledged QoS 1 messages are sent again on reconnect with DUP=1, their original ids, in order', async () => {
    const clientId = uid('s');
    const topic = uid('t');
    const sub = await pool.connect(clientId, { clean: false });
    await subscribe(sub, topic, 1);
    const pub = await pool.connect(uid('p'));
    for (const payload of ['m0', 'm1', 'm2']) await publish(pub, topic, payload, { qos: 1 });
    const first: PublishPacket[] = [];
    for (let i = 0; i < 3; i++) first.push(await receive(sub, false));
    assert.ok(first.every((p) => !p.dup));
    sub.destroy();
    const { client, connack } = await reconnect(pool, clientId);
    assert.equal(connack.sessionPresent, true);
    const again: PublishPacket[] = [];
    for (let i = 0; i < 3; i++) again.push(await receive(client));
    assert.deepEqual(
      again.map((p) => [text(p), p.packetId, p.dup, p.qos]),
      first.map((p) => [text(p), p.packetId, true, 1]),
    );
    await expectSettled(client);
  });

  test('[MQTT-4.4.0-1][MQTT-3.3.1-1] a QoS 2 message not yet PUBRECed is sent again on reconnect with DUP=1 and its original id', async () => {
    const clientId = uid('s');
    const topic = uid('t');
    const sub = await pool.connect(clientId, { clean: false });
    await subscribe(sub, topic, 2);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'exactly once', { qos: 2 });
    const original = await receive(sub, false);
    sub.destroy();
    const { client } = await reconnect(pool, clientId);
    const resent = await receive(client, false);
    assert.deepEqual(
      [text(resent), resent.packetId, resent.dup, resent.qos],
      ['exactly once', original.packetId, true, 2],
    );
    client.send({ type: 'pubrec', packetId: resent.packetId as number });
    assert.deepEqual(await client.expect('pubrel'), { type: 'pubrel', packetId: original.packetId });
    client.send({ type: 'pubcomp', packetId: resent.packetId as number });
    await expectSettled(client);
  });

  test('[MQTT-4.4.0-1][MQTT-4.3.3-1] a QoS 2 message already PUBRECed gets its PUBREL resent on reconnect, never the PUBLISH', async () => {
    const clientId = uid('s');
    const topic = uid('t');
    const sub = await pool.connect(clientId, { clean: false });
    await subscribe(sub, topic, 2);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'released', { qos: 2 });
    const original = await receive(sub, false);
    sub.send({ type: 'pubrec', packetId: original.packetId as number });
    assert.deepEqual(await sub.expect('pubrel'), { type: 'pubrel', packetId: original.packetId });
    sub.destroy();
    const { client } = await reconnect(pool, clientId);
    assert.deepEqual(await client.next(), { type: 'pubrel', packetId: original.packetId });
    client.send({ type: 'pubcomp', packetId: original.packetId as number });
    await expectSettled(client);
  });

  test('[MQTT-4.4.0-1][MQTT-3.1.4-2] a CleanSession=0 takeover resends the unacknowledged messages on the new connection, DUP=1', async () => {
    const clientId = uid('s');
    const topic = uid('t');
    const first = await pool.connect(clientId, { clean: false });
    await subscribe(first, topic, 1);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'unacknowledged', { qos: 1 });
    const original = await receive(first, false);
    // The first connection is still open when the second one connects with the same ClientId.
    const { client, connack } = await reconnect(pool, clientId);
    assert.equal(connack.sessionPresent, true);
    const resent = await receive(client);
    assert.deepEqual(
      [text(resent), resent.packetId, resent.dup],
      ['unacknowledged', original.packetId, true],
    );
    await first.expectClose();
    await expectSettled(client);
  });

  test('[MQTT-4.3.3-2][MQTT-4.1.0-1] an inbound QoS 2 message PUBRECed before a reconnect is not delivered twice when the publisher resends it', async () => {
    const topic = uid('t');
    const sub = await pool.connect(uid('s'));
    await subscribe(sub, topic, 2);
    const publisherId = uid('p');
    const pub = await pool.connect(publisherId, { clean: false });
    const id = packetId();
    const message = {
      type: 'publish',
      topic,
      payload: Buffer.from('once only'),
      qos: 2,
      retain: false,
      packetId: id,
    } as const;
    pub.send({ ...message, dup: false });
    assert.equal((await pub.expect('pubrec')).packetId, id);
    pub.destroy();
    const { client } = await reconnect(pool, publisherId);
    client.send({ ...message, dup: true });
    assert.equal((await client.expect('pubrec')).packetId, id);
    client.send({ type: 'pubrel', packetId: id });
    assert.equal((await client.expect('pubcomp')).packetId, id);
    assert.equal(text(await receive(sub)), 'once only');
    await expectSettled(sub);
  });

  test('[MQTT-3.1.2-6][MQTT-3.1.4-3] CleanSession=1 discards the stored session: no queued messages, no subscriptions', async () => {
    const clientId = uid('s');
    const topic = uid('t');
    const sub = await pool.connect(clientId, { clean: false });
    await subscribe(sub, topic, 1);
    await goOffline(sub);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'queued, then discarded', { qos: 1 });
    const { client, connack } = await reconnect(pool, clientId, true);
    assert.equal(connack.sessionPresent, false);
    await publish(pub, topic, 'no subscription any more', { qos: 1 });
    await expectSettled(client);
    await goOffline(client);
    // The clean session ended with its connection: nothing is left to resume [MQTT-3.1.2-6].
    const { client: later, connack: laterAck } = await reconnect(pool, clientId, false);
    assert.equal(laterAck.sessionPresent, false);
    await publish(pub, topic, 'still nothing', { qos: 1 });
    await expectSettled(later);
  });

  test('[MQTT-3.1.2-6] a CleanSession=1 session is not kept after its connection: messages published meanwhile are not queued', async () => {
    const clientId = uid('s');
    const topic = uid('t');
    const sub = await pool.connect(clientId, { clean: true });
    await subscribe(sub, topic, 1);
    await goOffline(sub);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'nobody home', { qos: 1 });
    const { client, connack } = await reconnect(pool, clientId, false);
    assert.equal(connack.sessionPresent, false);
    await expectSettled(client);
  });

  test('[MQTT-4.1.0-2] the session lasts as long as the connection: a CleanSession=1 subscriber receives while connected', async () => {
    const topic = uid('t');
    const sub = await pool.connect(uid('s'), { clean: true });
    await subscribe(sub, topic, 2);
    const pub = await pool.connect(uid('p'));
    for (let i = 0; i < 3; i++) await publish(pub, topic, `m${i}`, { qos: 2 });
    assert.deepEqual((await receiveAll(sub, 3)).map(text), ['m0', 'm1', 'm2']);
  });
});

describe('4.1 session state: maxQueuedMessages 3', () => {
  const pool = new ClientPool();
  let broker: StartedBroker;
  before(async () => {
    broker = await startBroker({ maxQueuedMessages: 3 });
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  test('[MQTT-3.1.2-5] the offline queue holds maxQueuedMessages messages; further ones are dropped', async () => {
    const clientId = uid('s');
    const topic = uid('t');
    const sub = await pool.connect(clientId, { clean: false });
    await subscribe(sub, topic, 1);
    await goOffline(sub);
    const pub = await pool.connect(uid('p'));
    for (let i = 0; i < 6; i++) await publish(pub, topic, `m${i}`, { qos: 1 });
    const { client } = await reconnect(pool, clientId);
    assert.deepEqual((await receiveAll(client, 3)).map(text), ['m0', 'm1', 'm2']);
    await expectSettled(client);
    // The queue has room again: new messages flow.
    await publish(pub, topic, 'm6', { qos: 1 });
    assert.equal(text(await receive(client)), 'm6');
  });
});

describe('4.6 message ordering: maxInflightMessages 2', () => {
  const pool = new ClientPool();
  let broker: StartedBroker;
  before(async () => {
    broker = await startBroker({ maxInflightMessages: 2 });
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  /** Reads PUBLISH packets until `count` arrived, without acknowledging them. */
  async function take(client: RawClient, count: number): Promise<PublishPacket[]> {
    const got: PublishPacket[] = [];
    for (let i = 0; i < count; i++) got.push(await receive(client, false));
    return got;
  }

  for (const qos of [1, 2] as QoS[]) {
    test(`[MQTT-4.6.0-6][MQTT-4.3.${qos + 1}-1] QoS ${qos}: a subscriber that does not acknowledge gets exactly 2 messages, then one more per completed flow, in order`, async () => {
      const topic = uid('t');
      const sub = await pool.connect(uid('s'));
      await subscribe(sub, topic, qos);
      const pub = await pool.connect(uid('p'));
      for (let i = 0; i < 5; i++) await publish(pub, topic, `m${i}`, { qos });
      const window = await take(sub, 2);
      assert.deepEqual(window.map(text), ['m0', 'm1']);
      await expectSettled(sub);
      const seen = window.map(text);
      const pending = [...window];
      while (pending.length > 0) {
        const oldest = pending.shift() as PublishPacket;
        const id = oldest.packetId as number;
        if (qos === 1) {
          sub.send({ type: 'puback', packetId: id });
        } else {
          // PUBREC does not free the slot: the flow ends with PUBCOMP.
          sub.send({ type: 'pubrec', packetId: id });
          assert.deepEqual(await sub.next(), { type: 'pubrel', packetId: id });
          await expectSettled(sub);
          sub.send({ type: 'pubcomp', packetId: id });
        }
        if (seen.length < 5) {
          const next = await receive(sub, false);
          seen.push(text(next));
          pending.push(next);
        }
        await expectSettled(sub);
      }
      assert.deepEqual(seen, ['m0', 'm1', 'm2', 'm3', 'm4']);
    });
  }

  test('[MQTT-4.4.0-1][MQTT-4.6.0-6] on reconnect the unacknowledged messages come first (DUP=1), then those queued behind the window, in order', async () => {
    const clientId = uid('s');
    const topic = uid('t');
    const sub = await pool.connect(clientId, { clean: false });
    await subscribe(sub, topic, 1);
    const pub = await pool.connect(uid('p'));
    for (let i = 0; i < 3; i++) await publish(pub, topic, `m${i}`, { qos: 1 });
    const window = await take(sub, 2);
    assert.deepEqual(window.map(text), ['m0', 'm1']);
    await goOffline(sub);
    await publish(pub, topic, 'm3', { qos: 1 });
    const { client } = await reconnect(pool, clientId);
    const resent = await take(client, 2);
    assert.deepEqual(
      resent.map((p) => [text(p), p.dup, p.packetId]),
      window.map((p) => [text(p), true, p.packetId]),
    );
    await expectSettled(client);
    for (const p of resent) client.send({ type: 'puback', packetId: p.packetId as number });
    const rest = await receiveAll(client, 2);
    assert.deepEqual(
      rest.map((p) => [text(p), p.dup]),
      [
        ['m2', false],
        ['m3', false],
      ],
    );
    await expectSettled(client);
  });

  test('[MQTT-4.6.0-6][MQTT-4.4.0-1] messages queued for an offline client come back 2 at a time on reconnect, in order', async () => {
    const clientId = uid('s');
    const topic = uid('t');
    const sub = await pool.connect(clientId, { clean: false });
    await subscribe(sub, topic, 1);
    await goOffline(sub);
    const pub = await pool.connect(uid('p'));
    for (let i = 0; i < 5; i++) await publish(pub, topic, `m${i}`, { qos: 1 });
    const { client } = await reconnect(pool, clientId);
    const window = await take(client, 2);
    assert.deepEqual(window.map(text), ['m0', 'm1']);
    await expectSettled(client);
    for (const p of window) client.send({ type: 'puback', packetId: p.packetId as number });
    assert.deepEqual((await receiveAll(client, 3)).map(text), ['m2', 'm3', 'm4']);
    await expectSettled(client);
  });
});
