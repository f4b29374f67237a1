// MQTT 3.1.1 section 3.3 PUBLISH and the QoS flows of section 4.3: acknowledgements, DUP, QoS 2 duplicate
// suppression, forbidden QoS and topic names, retained messages, delivered QoS, overlapping subscriptions,
// ordering.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { hashPassword } from '../../src/auth/password.js';
import type { RawClient } from '../helpers/raw-client.js';
import type { PublishPacket, QoS } from '../../src/protocol/types.js';
import { frame, str, text as hexText, u16 } from '../fixtures/hex.js';
import {
  ClientPool,
  expectAlive,
  expectSettled,
  expectSilentClose,
  packetId,
  publish,
  receive,
  receiveAll,
  subscribe,
  text,
  uid,
} from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;

/** A subscriber to `filter` at `qos`, and a publisher. */
async function pair(filter: string, qos: QoS): Promise<{ sub: RawClient; pub: RawClient }> {
  const sub = await pool.connect(uid('s'));
  assert.deepEqual(await subscribe(sub, filter, qos), [qos]);
  const pub = await pool.connect(uid('p'));
  return { sub, pub };
}

function summary(packet: PublishPacket): [topic: string, payload: string, qos: QoS, retain: boolean] {
  return [packet.topic, text(packet), packet.qos, packet.retain];
}

describe('3.3 PUBLISH', () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  describe('acknowledgements a publisher gets', () => {
    test('[MQTT-3.3.4-1] a QoS 0 PUBLISH is not acknowledged (and is delivered)', async () => {
      const topic = uid('t');
      const { sub, pub } = await pair(topic, 0);
      pub.send({ type: 'publish', topic, payload: Buffer.from('q0'), qos: 0, retain: false, dup: false });
      assert.equal(text(await receive(sub)), 'q0');
      await expectSettled(pub);
    });

    for (const id of [1, 0x1234, 65535]) {
      test(`[MQTT-3.3.4-1][MQTT-2.3.1-6] a QoS 1 PUBLISH with packet id ${id} is answered by PUBACK ${id}`, async () => {
        const pub = await pool.connect(uid('p'));
        pub.send({
          type: 'publish',
          topic: uid('t'),
          payload: Buffer.from('q1'),
          qos: 1,
          retain: false,
          dup: false,
          packetId: id,
        });
        assert.deepEqual(await pub.expect('puback'), { type: 'puback', packetId: id });
        await expectSettled(pub);
      });

      test(`[MQTT-3.3.4-1][MQTT-2.3.1-6][MQTT-4.3.3-2] a QoS 2 PUBLISH with packet id ${id} gets PUBREC ${id}, its PUBREL gets PUBCOMP ${id}`, async () => {
        const pub = await pool.connect(uid('p'));
        pub.send({
          type: 'publish',
          topic: uid('t'),
          payload: Buffer.from('q2'),
          qos: 2,
          retain: false,
          dup: false,
          packetId: id,
        });
        assert.deepEqual(await pub.expect('pubrec'), { type: 'pubrec', packetId: id });
        pub.send({ type: 'pubrel', packetId: id });
        assert.deepEqual(await pub.expect('pubcomp'), { type: 'pubcomp', packetId: id });
        await expectSettled(pub);
      });
    }
  });

  describe('deliveries a subscriber gets', () => {
    test('[MQTT-4.3.1-1][MQTT-2.3.1-5][MQTT-3.3.1-2] QoS 0 is delivered with QoS 0, DUP 0 and no packet identifier', async () => {
      const topic = uid('t');
      const { sub, pub } = await pair(topic, 0);
      await publish(pub, topic, 'zero');
      const packet = await receive(sub);
      assert.deepEqual(packet, {
        type: 'publish',
        topic,
        payload: Buffer.from('zero'),
        qos: 0,
        retain: false,
        dup: false,
      });
    });

    test('[MQTT-4.3.2-1][MQTT-2.3.1-1] QoS 1 is delivered with DUP 0 and a non-zero packet identifier, held until PUBACK', async () => {
      const topic = uid('t');
      const { sub, pub } = await pair(topic, 1);
      await publish(pub, topic, 'one', { qos: 1 });
      const packet = await receive(sub, false);
      assert.equal(packet.qos, 1);
      assert.equal(packet.dup, false);
      assert.ok(packet.packetId !== undefined && packet.packetId > 0 && packet.packetId <= 65535);
      sub.send({ type: 'puback', packetId: packet.packetId });
      await expectSettled(sub);
    });

    test('[MQTT-4.3.3-1] QoS 2 is delivered with DUP 0; PUBREC is answered by PUBREL with the same id; the PUBLISH is not sent again', async () => {
      const topic = uid('t');
      const { sub, pub } = await pair(topic, 2);
      await publish(pub, topic, 'two', { qos: 2 });
      const packet = await receive(sub, false);
      assert.deepEqual([packet.qos, packet.dup], [2, false]);
      const id = packet.packetId as number;
      assert.ok(id > 0);
      sub.send({ type: 'pubrec', packetId: id });
      assert.deepEqual(await sub.expect('pubrel'), { type: 'pubrel', packetId: id });
      sub.send({ type: 'pubcomp', packetId: id });
      await expectSettled(sub);
    });

    test('[MQTT-2.3.1-4] the server gives each unacknowledged QoS 1 delivery its own packet identifier', async () => {
      const topic = uid('t');
      const { sub, pub } = await pair(topic, 1);
      for (let i = 0; i < 5; i++) await publish(pub, topic, `m${i}`, { qos: 1 });
      const ids: number[] = [];
      for (let i = 0; i < 5; i++) ids.push((await receive(sub, false)).packetId as number);
      assert.equal(new Set(ids).size, 5, `ids ${ids.join(',')}`);
      assert.ok(ids.every((id) => id > 0));
    });

    test('[MQTT-3.3.1-3] a PUBLISH the publisher marked DUP=1 is forwarded with DUP=0', async () => {
      const topic = uid('t');
      const { sub, pub } = await pair(topic, 1);
      await publish(pub, topic, 'dup from publisher', { qos: 1, dup: true });
      const packet = await receive(sub);
      assert.deepEqual([text(packet), packet.dup], ['dup from publisher', false]);
    });

    test('[MQTT-3.3.2-3] a delivered PUBLISH carries the published Topic Name, which matches the subscription filter', async () => {
      const prefix = uid('t');
      const { sub, pub } = await pair(`${prefix}/+/x/#`, 0);
      await publish(pub, `${prefix}/a/x/b/c`, 'deep', { qos: 1 });
      assert.equal((await receive(sub)).topic, `${prefix}/a/x/b/c`);
    });

    test("[MQTT-4.5.0-1] a publisher's own matching subscription receives its message (3.1.1 has no 'no local')", async () => {
      const topic = uid('t');
      const client = await pool.connect(uid('c'));
      await subscribe(client, topic, 1);
      const id = packetId();
      client.send({
        type: 'publish',
        topic,
        payload: Buffer.from('echo'),
        qos: 1,
        retain: false,
        dup: false,
        packetId: id,
      });
      const first = await client.next();
      const second = await client.next();
      const packets = [first, second];
      assert.ok(
        packets.some((p) => p?.type === 'puback' && p.packetId === id),
        `PUBACK missing: ${JSON.stringify(packets)}`,
      );
      const echo = packets.find((p) => p?.type === 'publish');
      assert.ok(echo?.type === 'publish' && text(echo) === 'echo', `no delivery: ${JSON.stringify(packets)}`);
    });

    test('[MQTT-4.5.0-1] a message goes to every client with a matching subscription', async () => {
      const prefix = uid('t');
      const filters = [`${prefix}/a`, `${prefix}/+`, `${prefix}/#`, '#'];
      const subscribers: RawClient[] = [];
      for (const filter of filters) {
        const sub = await pool.connect(uid('s'));
        await subscribe(sub, filter, 1);
        subscribers.push(sub);
      }
      const pub = await pool.connect(uid('p'));
      await publish(pub, `${prefix}/a`, 'to all', { qos: 1 });
      for (const sub of subscribers) assert.equal(text(await receive(sub)), 'to all');
    });
  });

  describe('QoS 2 duplicates and packet identifier reuse', () => {
    test('[MQTT-4.3.3-2] a QoS 2 PUBLISH repeated before PUBREL gets PUBREC again but is delivered once', async () => {
      const topic = uid('t');
      const { sub, pub } = await pair(topic, 2);
      const id = packetId();
      const message = {
        type: 'publish',
        topic,
        payload: Buffer.from('once'),
        qos: 2,
        retain: false,
        packetId: id,
      } as const;
      pub.send({ ...message, dup: false });
      assert.equal((await pub.expect('pubrec')).packetId, id);
      pub.send({ ...message, dup: true });
      assert.equal((await pub.expect('pubrec')).packetId, id);
      pub.send({ ...message, dup: true });
      assert.equal((await pub.expect('pubrec')).packetId, id);
      pub.send({ type: 'pubrel', packetId: id });
      assert.equal((await pub.expect('pubcomp')).packetId, id);
      assert.equal(text(await receive(sub)), 'once');
      await expectSettled(sub);
    });

    test('[MQTT-4.3.3-2] after PUBCOMP the same packet identifier starts a new QoS 2 message', async () => {
      const topic = uid('t');
      const { sub, pub } = await pair(topic, 2);
      const id = packetId();
      await publish(pub, topic, 'first', { qos: 2, packetId: id });
      await publish(pub, topic, 'second', { qos: 2, packetId: id });
      const got = await receiveAll(sub, 2);
      assert.deepEqual(got.map(text), ['first', 'second']);
      await expectSettled(sub);
    });

    test('[MQTT-4.3.2-2] after PUBACK a QoS 1 PUBLISH reusing the packet identifier is a new message, DUP notwithstanding', async () => {
      const topic = uid('t');
      const { sub, pub } = await pair(topic, 1);
      const id = packetId();
      await publish(pub, topic, 'first', { qos: 1, packetId: id });
      await publish(pub, topic, 'second', { qos: 1, packetId: id, dup: true });
      assert.deepEqual((await receiveAll(sub, 2)).map(text), ['first', 'second']);
    });
    test('[MQTT-4.3.3-2] a PUBREL for a packet identifier the server does not hold is still answered by PUBCOMP', async () => {
      const pub = await pool.connect(uid('p'));
      pub.send({ type: 'pubrel', packetId: 4242 });
      assert.deepEqual(await pub.expect('pubcomp'), { type: 'pubcomp', packetId: 4242 });
      await expectSettled(pub);
    });
  });

  describe('forbidden PUBLISH packets close the connection', () => {
    test('[MQTT-3.3.1-4] a PUBLISH with QoS 3 closes the connection and is not delivered', async () => {
      const topic = uid('t');
      const { sub, pub } = await pair(topic, 2);
      pub.sendBytes(frame(0x36, str(topic), u16(1), hexText('x')));
      await expectSilentClose(pub);
      await expectSettled(sub);
    });

    for (const name of ['a/+', 'a/#', '#', '+', 'a+', 'a/b#', '+/a']) {
      test(`[MQTT-3.3.2-2][MQTT-4.7.1-1] a PUBLISH to '${name}' (a wildcard in the Topic Name) closes the connection`, async () => {
        const pub = await pool.connect(uid('p'));
        pub.send({
          type: 'publish',
          topic: name,
          payload: Buffer.from('x'),
          qos: 1,
          retain: false,
          dup: false,
          packetId: 1,
        });
        await expectSilentClose(pub);
      });
    }

    test('[MQTT-4.7.3-1] a PUBLISH with an empty Topic Name closes the connection', async () => {
      const pub = await pool.connect(uid('p'));
      pub.sendBytes(frame(0x30, str(''), hexText('x')));
      await expectSilentClose(pub);
    });
  });

  describe('retained messages', () => {
    test('[MQTT-3.3.1-5][MQTT-3.3.1-6][MQTT-3.3.1-8] a RETAIN=1 message is stored with its QoS and sent with RETAIN=1 to a new subscriber', async () => {
      const topic = uid('t');
      const pub = await pool.connect(uid('p'));
      await publish(pub, topic, 'kept', { qos: 1, retain: true });
      const sub = await pool.connect(uid('s'));
      await subscribe(sub, topic, 2);
      const packet = await receive(sub);
      assert.deepEqual(summary(packet), [topic, 'kept', 1, true]);
      await expectSettled(sub);
    });

    test('[MQTT-3.3.1-6] a new subscription gets the latest retained message of every matching topic', async () => {
      const prefix = uid('t');
      const pub = await pool.connect(uid('p'));
      await publish(pub, `${prefix}/a`, 'a old', { qos: 1, retain: true });
      await publish(pub, `${prefix}/b`, 'b', { qos: 1, retain: true });
      await publish(pub, `${prefix}/c/d`, 'c/d', { qos: 1, retain: true });
      await publish(pub, `${prefix}/a`, 'a new', { qos: 1, retain: true });
      await publish(pub, `${prefix}x/a`, 'not matching', { qos: 1, retain: true });
      const sub = await pool.connect(uid('s'));
      await subscribe(sub, `${prefix}/#`, 1);
      const got = (await receiveAll(sub, 3)).map(
        (p) => `${p.topic.slice(prefix.length)}=${text(p)}:${p.retain}`,
      );
      assert.deepEqual(got.sort(), ['/a=a new:true', '/b=b:true', '/c/d=c/d:true']);
      await expectSettled(sub);
    });

    test('[MQTT-3.3.1-7] a QoS 0 RETAIN=1 message replaces the retained message of its topic', async () => {
      const topic = uid('t');
      const pub = await pool.connect(uid('p'));
      await publish(pub, topic, 'qos1 retained', { qos: 1, retain: true });
      await publish(pub, topic, 'qos0 retained', { qos: 0, retain: true });
      await expectAlive(pub); // the QoS 0 PUBLISH has been handled
      const sub = await pool.connect(uid('s'));
      await subscribe(sub, topic, 1);
      assert.deepEqual(summary(await receive(sub)), [topic, 'qos0 retained', 0, true]);
      await expectSettled(sub);
    });

    test('[MQTT-3.3.1-9] a RETAIN=1 message forwarded to an existing subscription goes out with RETAIN=0', async () => {
      const topic = uid('t');
      const { sub, pub } = await pair(topic, 1);
      await publish(pub, topic, 'live', { qos: 1, retain: true });
      assert.deepEqual(summary(await receive(sub)), [topic, 'live', 1, false]);
    });

    test('[MQTT-3.3.1-10] a RETAIN=1 message with an empty payload is delivered as usual to existing subscribers', async () => {
      const topic = uid('t');
      const { sub, pub } = await pair(topic, 1);
      await publish(pub, topic, 'something', { qos: 1, retain: true });
      await publish(pub, topic, '', { qos: 1, retain: true });
      const got = await receiveAll(sub, 2);
      assert.deepEqual(got.map(summary), [
        [topic, 'something', 1, false],
        [topic, '', 1, false],
      ]);
    });

    test('[MQTT-3.3.1-10][MQTT-3.3.1-11] a RETAIN=1 message with an empty payload clears the retained message and is not stored', async () => {
      const topic = uid('t');
      const pub = await pool.connect(uid('p'));
      await publish(pub, topic, 'to be cleared', { qos: 1, retain: true });
      await publish(pub, topic, '', { qos: 1, retain: true });
      const sub = await pool.connect(uid('s'));
      await subscribe(sub, topic, 1);
      await expectSettled(sub);
    });

    test('[MQTT-3.3.1-12] a RETAIN=0 message neither is stored nor replaces the retained message', async () => {
      const topic = uid('t');
      const pub = await pool.connect(uid('p'));
      await publish(pub, topic, 'retained', { qos: 1, retain: true });
      await publish(pub, topic, 'not retained', { qos: 1, retain: false });
      const sub = await pool.connect(uid('s'));
      await subscribe(sub, topic, 1);
      assert.deepEqual(summary(await receive(sub)), [topic, 'retained', 1, true]);
      await expectSettled(sub);
      const fresh = uid('t');
      await publish(pub, fresh, 'never stored', { qos: 1 });
      await subscribe(sub, fresh, 1);
      await expectSettled(sub);
    });

    test('[MQTT-3.1.2-7] retained messages outlive the session of their publisher', async () => {
      const topic = uid('t');
      const pub = await pool.connect(uid('p'), { clean: true });
      await publish(pub, topic, 'outlives', { qos: 1, retain: true });
      pub.disconnect();
      await pub.expectClose();
      const sub = await pool.connect(uid('s'));
      await subscribe(sub, topic, 1);
      assert.deepEqual(summary(await receive(sub)), [topic, 'outlives', 1, true]);
    });

    for (const [stored, granted] of [
      [2, 0],
      [2, 1],
      [1, 0],
      [0, 2],
    ] as [QoS, QoS][]) {
      test(`[MQTT-3.8.4-6] a retained QoS ${stored} message is sent to a QoS ${granted} subscription at QoS ${Math.min(stored, granted)}`, async () => {
        const topic = uid('t');
        const pub = await pool.connect(uid('p'));
        await publish(pub, topic, 'r', { qos: stored, retain: true });
        await expectAlive(pub);
        const sub = await pool.connect(uid('s'));
        await subscribe(sub, topic, granted);
        assert.equal((await receive(sub)).qos, Math.min(stored, granted));
      });
    }
  });

  describe('delivered QoS', () => {
    for (const published of [0, 1, 2] as QoS[]) {
      for (const granted of [0, 1, 2] as QoS[]) {
        const expected = Math.min(published, granted);
        test(`[MQTT-3.8.4-6] published at QoS ${published} to a QoS ${granted} subscription: delivered at QoS ${expected}`, async () => {
          const topic = uid('t');
          const { sub, pub } = await pair(topic, granted);
          await publish(pub, topic, 'm', { qos: published });
          const packet = await receive(sub);
          assert.equal(packet.qos, expected);
          await expectSettled(sub);
        });
      }
    }

    const overlaps: [title: string, filters: [string, QoS][], published: QoS, expected: QoS][] = [
      [
        'QoS 0, 2 and 1 subscriptions, QoS 2 message',
        [
          ['+', 0],
          ['#', 2],
          ['x', 1],
        ],
        2,
        2,
      ],
      [
        'QoS 0, 2 and 1 subscriptions, QoS 1 message',
        [
          ['+', 0],
          ['#', 2],
          ['x', 1],
        ],
        1,
        1,
      ],
      [
        'QoS 1 and 0 subscriptions, QoS 2 message',
        [
          ['#', 1],
          ['+', 0],
        ],
        2,
        1,
      ],
      [
        'two QoS 0 subscriptions, QoS 2 message',
        [
          ['x', 0],
          ['#', 0],
        ],
        2,
        0,
      ],
    ];
    for (const [title, filters, published, expected] of overlaps) {
      test(`[MQTT-3.3.5-1] overlapping subscriptions (${title}) deliver one copy at QoS ${expected}`, async () => {
        const prefix = uid('t');
        const sub = await pool.connect(uid('s'));
        // Filters are relative to the test's own prefix ('#' → 'prefix/#'); the message goes to 'prefix/x'.
        const absolute = filters.map(([f, q]) => [`${prefix}/${f}`, q] as [string, QoS]);
        assert.deepEqual(
          await subscribe(sub, absolute),
          filters.map(([, q]) => q),
        );
        const pub = await pool.connect(uid('p'));
        await publish(pub, `${prefix}/x`, 'overlap', { qos: published });
        const packet = await receive(sub);
        assert.deepEqual([text(packet), packet.qos], ['overlap', expected]);
        await expectSettled(sub);
      });
    }
  });

  describe('ordering', () => {
    for (const qos of [0, 1, 2] as QoS[]) {
      test(`[MQTT-4.6.0-5][MQTT-4.6.0-6] QoS ${qos} messages on one topic reach the subscriber in the order they were published`, async () => {
        const topic = uid('t');
        const { sub, pub } = await pair(topic, qos);
        const count = 30;
        // Pipelined: all PUBLISH packets are written before any acknowledgement is read.
        for (let i = 0; i < count; i++) {
          pub.send({
            type: 'publish',
            topic,
            payload: Buffer.from(`m${i}`),
            qos,
            retain: false,
            dup: false,
            packetId: qos === 0 ? undefined : i + 1,
          });
        }
        const got = await receiveAll(sub, count);
        assert.deepEqual(
          got.map(text),
          Array.from({ length: count }, (_, i) => `m${i}`),
        );
      });
    }
  });
});

describe('3.3 PUBLISH over messageSizeLimit', () => {
  let limited: StartedBroker;
  const clients = new ClientPool();
  before(async () => {
    limited = await startBroker({ messageSizeLimit: 10 });
    clients.port = limited.port;
  });
  afterEach(() => clients.closeAll());
  after(() => limited.stop());

  test('[MQTT-3.3.4-1] a QoS 1 PUBLISH over messageSizeLimit is still acknowledged, but not delivered', async () => {
    const topic = uid('t');
    const sub = await clients.connect(uid('s'));
    await subscribe(sub, topic, 1);
    const pub = await clients.connect(uid('p'));
    await publish(pub, topic, '12345678901', { qos: 1 });
    await publish(pub, topic, '1234567890', { qos: 1 });
    assert.equal(text(await receive(sub)), '1234567890');
    await expectSettled(sub);
  });
});

describe('3.3.5 PUBLISH the client is not authorized to make', () => {
  let secured: StartedBroker;
  const clients = new ClientPool();
  const login = (username: string): Record<string, unknown> => ({
    username,
    password: Buffer.from(`${username}-secret`),
  });
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'midge-conformance-'));
    const passwordFile = join(dir, 'passwd');
    const aclFile = join(dir, 'acl');
    writeFileSync(
      passwordFile,
      ['writer', 'reader'].map((u) => `${u}:${hashPassword(`${u}-secret`)}`).join('\n') + '\n',
    );
    writeFileSync(
      aclFile,
      ['user writer', 'topic write allowed/#', 'user reader', 'topic read #'].join('\n') + '\n',
    );
    secured = await startBroker({ allowAnonymous: false, passwordFile, aclFile });
    clients.port = secured.port;
  });
  afterEach(() => clients.closeAll());
  after(() => secured.stop());

  for (const qos of [0, 1, 2] as QoS[]) {
    test(`[MQTT-3.3.5-2] an unauthorized QoS ${qos} PUBLISH is acknowledged as usual (3.1.1) and not delivered`, async () => {
      const prefix = uid('t');
      const reader = await clients.connect(uid('r'), { extra: login('reader') });
      await subscribe(reader, '#', 2);
      const writer = await clients.connect(uid('w'), { extra: login('writer') });
      await publish(writer, `denied/${prefix}`, 'must not arrive', { qos });
      await publish(writer, `allowed/${prefix}`, 'may arrive', { qos });
      await expectSettled(writer);
      const packet = await receive(reader);
      assert.deepEqual([packet.topic, text(packet)], [`allowed/${prefix}`, 'may arrive']);
      await expectSettled(reader);
    });
  }
});
