// MQTT 5.0 server rules proven one by one with raw packets: packet identifiers, the QoS 1 and QoS 2 sender and
// receiver states, CONNECT / CONNACK, DISCONNECT, and the acknowledgements a client with a small Maximum Packet
// Size gets. Rule ids are those of the 5.0 list (test/conformance/spec/mqtt-5.0-rules.md).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { PublishPacket } from '../../src/protocol/types.js';
import { frame, props, str, text as hexText } from '../fixtures/hex.js';
import { ClientPool, connect5, expectSettled, publish, receive, subscribe, text, uid } from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;

const SESSION = { sessionExpiryInterval: 600 };

function pub(topic: string, payload: string, qos: 0 | 1 | 2, id?: number, dup = false): PublishPacket {
  return { type: 'publish', topic, payload: Buffer.from(payload), qos, retain: false, dup, packetId: id };
}

describe('MQTT 5.0 rules by id', { concurrency: true }, () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  after(async () => {
    pool.closeAll();
    await broker.stop();
  });

  test('(5.0) [MQTT-2.2.1-2][MQTT-4.3.1-1] a QoS 0 delivery has no Packet Identifier and DUP 0', async () => {
    const topic = uid('t');
    const { client: sub } = await connect5(pool, uid());
    await subscribe(sub, topic, 2);
    const { client: p } = await connect5(pool, uid());
    await publish(p, topic, 'zero');
    const got = await receive(sub);
    assert.deepEqual([got.qos, got.packetId, got.dup], [0, undefined, false]);
  });

  test('(5.0) [MQTT-2.2.1-4][MQTT-4.3.2-1][MQTT-4.3.2-2][MQTT-4.3.3-1][MQTT-4.3.3-2] new QoS 1 and 2 deliveries get distinct non-zero ids, DUP 0', async () => {
    const topic = uid('t');
    const { client: sub } = await connect5(pool, uid());
    await subscribe(sub, topic, 2);
    const { client: p } = await connect5(pool, uid());
    for (const qos of [1, 2, 1, 2] as const) await publish(p, topic, `q${qos}`, { qos });
    const ids = new Set<number>();
    for (let i = 0; i < 4; i++) {
      const got = await sub.expect('publish');
      assert.equal(got.dup, false);
      assert.ok((got.packetId ?? 0) > 0, 'non-zero packet id');
      assert.ok(!ids.has(got.packetId as number), 'not in use');
      ids.add(got.packetId as number);
    }
  });

  test('(5.0) [MQTT-2.2.1-5][MQTT-3.3.4-1][MQTT-4.3.2-4][MQTT-4.3.3-8][MQTT-4.3.3-11] PUBACK, PUBREC and PUBCOMP echo the identifier', async () => {
    const { client } = await connect5(pool, uid());
    client.send(pub(uid('t'), 'one', 1, 301));
    // 0x10 No matching subscribers: nobody subscribed to the fresh topic.
    assert.deepEqual(await client.expect('puback'), { type: 'puback', packetId: 301, reasonCode: 0x10 });
    client.send(pub(uid('t'), 'two', 2, 302));
    assert.deepEqual(await client.expect('pubrec'), { type: 'pubrec', packetId: 302, reasonCode: 0x10 });
    client.send({ type: 'pubrel', packetId: 302 });
    assert.deepEqual(await client.expect('pubcomp'), { type: 'pubcomp', packetId: 302 });
    client.send(pub(uid('t'), 'zero', 0));
    await expectSettled(client);
  });

  test('(5.0) [MQTT-2.2.1-6][MQTT-3.8.4-2][MQTT-3.10.4-4][MQTT-3.10.4-5] SUBACK and UNSUBACK echo the identifier; UNSUBACK also when nothing matched', async () => {
    const { client } = await connect5(pool, uid());
    client.send({ type: 'subscribe', packetId: 4242, subscriptions: [{ topicFilter: uid('t'), qos: 1 }] });
    assert.deepEqual(await client.expect('suback'), { type: 'suback', packetId: 4242, reasonCodes: [1] });
    client.send({ type: 'unsubscribe', packetId: 4343, topicFilters: [uid('none')] });
    assert.deepEqual(await client.expect('unsuback'), {
      type: 'unsuback',
      packetId: 4343,
      reasonCodes: [0x11],
    });
  });

  test('(5.0) [MQTT-3.10.4-6][MQTT-3.10.4-1][MQTT-3.10.4-2] one UNSUBSCRIBE removes several filters, compared literally; nothing more arrives for them', async () => {
    const topic = uid('t');
    const { client } = await connect5(pool, uid());
    await subscribe(client, [
      [`${topic}/a`, 1],
      [`${topic}/+`, 1],
    ]);
    client.send({
      type: 'unsubscribe',
      packetId: 7,
      topicFilters: [`${topic}/a`, `${topic}/#`, `${topic}/+`],
    });
    assert.deepEqual((await client.expect('unsuback')).reasonCodes, [0, 0x11, 0]);
    const { client: p } = await connect5(pool, uid());
    await publish(p, `${topic}/a`, 'gone', { qos: 1 });
    await expectSettled(client);
  });

  test('(5.0) [MQTT-4.3.2-5] after PUBACK, a PUBLISH reusing the id (even with DUP=1) is a new message', async () => {
    const topic = uid('t');
    const { client: sub } = await connect5(pool, uid());
    await subscribe(sub, topic, 1);
    const { client } = await connect5(pool, uid());
    client.send(pub(topic, 'first', 1, 9));
    await client.expect('puback');
    client.send(pub(topic, 'second', 1, 9, true));
    await client.expect('puback');
    assert.deepEqual([text(await receive(sub)), text(await receive(sub))], ['first', 'second']);
  });

  test('(5.0) [MQTT-4.3.3-10][MQTT-4.3.3-12] QoS 2 repeats before PUBREL get PUBREC and are delivered once; after PUBCOMP the id is new', async () => {
    const topic = uid('t');
    const { client: sub } = await connect5(pool, uid());
    await subscribe(sub, topic, 0);
    const { client } = await connect5(pool, uid());
    client.send(pub(topic, 'once', 2, 11));
    await client.expect('pubrec');
    client.send(pub(topic, 'once', 2, 11, true));
    assert.deepEqual(await client.expect('pubrec'), { type: 'pubrec', packetId: 11 });
    client.send({ type: 'pubrel', packetId: 11 });
    await client.expect('pubcomp');
    client.send(pub(topic, 'again', 2, 11));
    await client.expect('pubrec');
    client.send({ type: 'pubrel', packetId: 11 });
    await client.expect('pubcomp');
    assert.deepEqual([text(await receive(sub)), text(await receive(sub))], ['once', 'again']);
    await expectSettled(sub);
  });

  test('(5.0) [MQTT-4.3.2-3][MQTT-4.3.3-3][MQTT-4.4.0-1][MQTT-3.3.1-1] unacknowledged QoS 1 and 2 deliveries are sent again on reconnect with DUP=1 and the same ids', async () => {
    const topic = uid('t');
    const id = uid();
    const { client: sub } = await connect5(pool, id, { clean: true, properties: SESSION });
    await subscribe(sub, topic, 2);
    const { client: p } = await connect5(pool, uid());
    await publish(p, topic, 'one', { qos: 1 });
    await publish(p, topic, 'two', { qos: 2 });
    const first = [await sub.expect('publish'), await sub.expect('publish')];
    sub.destroy();
    const { client: again, connack } = await connect5(pool, id, { clean: false, properties: SESSION });
    assert.equal(connack.sessionPresent, true);
    const resent = [await again.expect('publish'), await again.expect('publish')];
    assert.deepEqual(
      resent.map((r) => [r.packetId, r.dup, r.qos, text(r)]),
      first.map((f) => [f.packetId, true, f.qos, text(f)]),
    );
  });

  test('(5.0) [MQTT-4.3.3-4][MQTT-4.3.3-5][MQTT-4.3.3-6] after PUBREC the server sends PUBREL, keeps it until PUBCOMP, and resends only PUBREL on reconnect', async () => {
    const topic = uid('t');
    const id = uid();
    const { client: sub } = await connect5(pool, id, { properties: SESSION });
    await subscribe(sub, topic, 2);
    const { client: p } = await connect5(pool, uid());
    await publish(p, topic, 'two', { qos: 2 });
    const got = await sub.expect('publish');
    sub.send({ type: 'pubrec', packetId: got.packetId as number });
    assert.deepEqual(await sub.expect('pubrel'), { type: 'pubrel', packetId: got.packetId });
    sub.destroy();
    const { client: again } = await connect5(pool, id, { clean: false, properties: SESSION });
    assert.deepEqual(await again.expect('pubrel'), { type: 'pubrel', packetId: got.packetId });
    again.send({ type: 'pubcomp', packetId: got.packetId as number });
    await expectSettled(again);
  });

  test('(5.0) [MQTT-4.4.0-2] a PUBACK with reason 0x80 counts as acknowledged: the PUBLISH is not sent again', async () => {
    const topic = uid('t');
    const id = uid();
    const { client: sub } = await connect5(pool, id, { properties: SESSION });
    await subscribe(sub, topic, 1);
    const { client: p } = await connect5(pool, uid());
    await publish(p, topic, 'refused', { qos: 1 });
    const got = await sub.expect('publish');
    sub.send({ type: 'puback', packetId: got.packetId as number, reasonCode: 0x80 });
    await expectSettled(sub);
    sub.destroy();
    const { client: again } = await connect5(pool, id, { clean: false, properties: SESSION });
    await expectSettled(again);
  });

  test('(5.0) [MQTT-3.3.1-3] an incoming DUP=1 does not make the forwarded PUBLISH a duplicate', async () => {
    const topic = uid('t');
    const { client: sub } = await connect5(pool, uid());
    await subscribe(sub, topic, 1);
    const { client: p } = await connect5(pool, uid());
    await publish(p, topic, 'dup in', { qos: 1, dup: true });
    assert.equal((await receive(sub)).dup, false);
  });

  test('(5.0) [MQTT-4.9.0-1][MQTT-4.9.0-3] the send quota starts at the client Receive Maximum; at zero PINGREQ is still answered', async () => {
    const topic = uid('t');
    const { client: sub } = await connect5(pool, uid(), { properties: { receiveMaximum: 2 } });
    await subscribe(sub, topic, 1);
    const { client: p } = await connect5(pool, uid());
    for (let i = 0; i < 4; i++) await publish(p, topic, `m${i}`, { qos: 1 });
    const inFlight = [await sub.expect('publish'), await sub.expect('publish')];
    await expectSettled(sub); // quota 0: nothing more, yet PINGRESP comes
    sub.send({ type: 'puback', packetId: inFlight[0]?.packetId as number });
    assert.equal(text(await sub.expect('publish')), 'm2');
  });

  test('(5.0) [MQTT-4.6.0-5][MQTT-4.6.0-6] messages of one topic and QoS arrive in the order they were published', async () => {
    const topic = uid('t');
    const { client: sub } = await connect5(pool, uid());
    await subscribe(sub, topic, 1);
    const { client: p } = await connect5(pool, uid());
    for (let i = 0; i < 20; i++) p.send(pub(topic, `m${i}`, 1, i + 1));
    const got: string[] = [];
    for (let i = 0; i < 20; i++) got.push(text(await receive(sub)));
    assert.deepEqual(
      got,
      Array.from({ length: 20 }, (_, i) => `m${i}`),
    );
  });

  test('(5.0) [MQTT-3.12.4-1] every PINGREQ gets a PINGRESP', async () => {
    const { client } = await connect5(pool, uid());
    client.sendBytes('c000c000c000');
    for (let i = 0; i < 3; i++) await client.expect('pingresp');
  });

  test('(5.0) [MQTT-1.5.4-3] a leading BOM in a topic is kept: it is a different topic', async () => {
    const topic = uid('t');
    const { client: sub } = await connect5(pool, uid());
    await subscribe(sub, `\uFEFF${topic}`, 0);
    const { client: p } = await connect5(pool, uid());
    await publish(p, topic, 'plain');
    await publish(p, `\uFEFF${topic}`, 'bom');
    const got = await receive(sub);
    assert.deepEqual([got.topic, text(got)], [`\uFEFF${topic}`, 'bom']);
    await expectSettled(sub);
  });

  test('(5.0) [MQTT-3.3.2-1][MQTT-3.3.2-2] a PUBLISH Topic Name with a wildcard gets DISCONNECT 0x90', async () => {
    const { client } = await connect5(pool, uid());
    client.sendBytes(frame(0x30, str('a/+'), props(), hexText('x')));
    assert.deepEqual(await client.expectClose(), [{ type: 'disconnect', reasonCode: 0x90 }]);
  });

  test('(5.0) [MQTT-3.3.2-3][MQTT-4.7.2-1][MQTT-4.7.3-4] delivered topic names match the filter exactly; # does not match $ topics', async () => {
    const topic = uid('t');
    const { client: sub } = await connect5(pool, uid());
    await subscribe(sub, `${topic}/+`, 0);
    const { client: p } = await connect5(pool, uid());
    await publish(p, `${topic}/A`, 'A');
    await publish(p, `${topic}/a/b`, 'deep');
    await publish(p, `${topic.toUpperCase()}/a`, 'case');
    const got = await receive(sub);
    assert.equal(got.topic, `${topic}/A`);
    await expectSettled(sub);
    const { client: all } = await connect5(pool, uid());
    await subscribe(all, '+/x', 0);
    await publish(p, '$dollar/x', 'no');
    await expectSettled(all);
  });
});
