// MQTT 5.0 subscriptions, retained messages, overlapping matches, message expiry, shared subscriptions and the
// acknowledgements a client with a small Maximum Packet Size gets, rule by rule with raw packets. Rule ids are
// those of the 5.0 list (test/conformance/spec/mqtt-5.0-rules.md).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { RawClient } from '../helpers/raw-client.js';
import type { Packet, Properties, Subscription } from '../../src/protocol/types.js';
import { ClientPool, connect5, expectSettled, publish, receive, subscribe, text, uid } from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;
const SUBACK_CODES = [0x00, 0x01, 0x02, 0x80, 0x83, 0x87, 0x8f, 0x91, 0x97, 0x9e, 0xa1, 0xa2];
const SESSION = { sessionExpiryInterval: 600 };

/** SUBSCRIBE with MQTT 5 options (and a Subscription Identifier); returns the reason codes. */
async function subscribe5(client: RawClient, subscriptions: Subscription[], id?: number): Promise<number[]> {
  const packetId = Math.floor(Math.random() * 60000) + 1;
  client.send({
    type: 'subscribe',
    packetId,
    subscriptions,
    properties: id === undefined ? undefined : { subscriptionIdentifiers: [id] },
  });
  const suback = await client.expect('suback');
  assert.equal(suback.packetId, packetId);
  return suback.reasonCodes;
}

function retainedPublish(topic: string, payload: string, retain = true, properties?: Properties): Packet {
  return {
    type: 'publish',
    topic,
    payload: Buffer.from(payload),
    qos: 0,
    retain,
    dup: false,
    properties,
  } as Packet;
}

describe('MQTT 5.0 subscriptions and retained messages', { concurrency: true }, () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  after(async () => {
    pool.closeAll();
    await broker.stop();
  });

  test('(5.0) [MQTT-3.3.1-5][MQTT-3.3.1-6][MQTT-3.3.1-7][MQTT-3.3.1-8] RETAIN=1 replaces the retained message; RETAIN=0 leaves it; an empty retained payload is delivered but removes it', async () => {
    const topic = uid('t');
    const { client: p } = await connect5(pool, uid());
    p.send(retainedPublish(topic, 'first'));
    p.send(retainedPublish(topic, 'second'));
    p.send(retainedPublish(topic, 'not retained', false));
    await expectSettled(p);
    const { client: a } = await connect5(pool, uid());
    await subscribe(a, topic, 0);
    const got = await receive(a);
    assert.deepEqual([text(got), got.retain], ['second', true]);
    p.send(retainedPublish(topic, ''));
    await expectSettled(p);
    const live = await receive(a);
    assert.deepEqual([live.payload.length, live.retain], [0, false]);
    const { client: b } = await connect5(pool, uid());
    await subscribe(b, topic, 0);
    await expectSettled(b);
  });

  test('(5.0) [MQTT-3.3.1-9][MQTT-3.3.1-10][MQTT-3.3.1-11][MQTT-3.8.4-3][MQTT-3.8.4-4] Retain Handling 0 sends retained messages on every SUBSCRIBE, 1 only for a new one, 2 never', async () => {
    const topic = uid('t');
    const { client: p } = await connect5(pool, uid());
    p.send(retainedPublish(`${topic}/0`, 'r0'));
    p.send(retainedPublish(`${topic}/1`, 'r1'));
    p.send(retainedPublish(`${topic}/2`, 'r2'));
    await expectSettled(p);
    const { client } = await connect5(pool, uid());
    for (let round = 0; round < 2; round++) {
      await subscribe5(client, [
        { topicFilter: `${topic}/0`, qos: 0, retainHandling: 0 },
        { topicFilter: `${topic}/1`, qos: 0, retainHandling: 1 },
        { topicFilter: `${topic}/2`, qos: 0, retainHandling: 2 },
      ]);
      const got: string[] = [];
      for (;;) {
        const packet = await client.next(300);
        if (packet === undefined) break;
        assert.equal(packet.type, 'publish');
        got.push(text(packet as never));
      }
      assert.deepEqual(got.sort(), round === 0 ? ['r0', 'r1'] : ['r0']);
    }
  });

  test('(5.0) [MQTT-3.3.1-12][MQTT-3.3.1-13] Retain As Published 0 forwards RETAIN=0, 1 keeps the publisher flag', async () => {
    const topic = uid('t');
    const { client } = await connect5(pool, uid());
    await subscribe5(client, [{ topicFilter: `${topic}/plain`, qos: 0 }]);
    await subscribe5(client, [{ topicFilter: `${topic}/rap`, qos: 0, retainAsPublished: true }]);
    const { client: p } = await connect5(pool, uid());
    p.send(retainedPublish(`${topic}/plain`, 'a'));
    p.send(retainedPublish(`${topic}/rap`, 'b'));
    const first = await receive(client);
    const second = await receive(client);
    assert.deepEqual(
      [first, second].map((m) => [text(m), m.retain]),
      [
        ['a', false],
        ['b', true],
      ],
    );
  });

  test('(5.0) [MQTT-3.3.4-2][MQTT-3.3.4-3][MQTT-3.3.4-4][MQTT-3.3.4-5][MQTT-3.8.4-8] overlapping subscriptions: one copy at the highest granted QoS with both Subscription Identifiers', async () => {
    const topic = uid('t');
    const { client } = await connect5(pool, uid());
    await subscribe5(client, [{ topicFilter: `${topic}/#`, qos: 1 }], 5);
    await subscribe5(client, [{ topicFilter: `${topic}/+`, qos: 2 }], 7);
    await subscribe5(client, [{ topicFilter: `${topic}/low/#`, qos: 0 }]);
    const { client: p } = await connect5(pool, uid());
    await publish(p, `${topic}/x`, 'both', { qos: 2 });
    const got = await receive(client);
    assert.equal(got.qos, 2);
    assert.deepEqual([...(got.properties?.subscriptionIdentifiers ?? [])].sort(), [5, 7]);
    await expectSettled(client);
    await publish(p, `${topic}/low/y`, 'capped', { qos: 2 });
    const capped = await receive(client);
    assert.deepEqual([text(capped), capped.qos], ['capped', 1]); // min(2, max(1 from #, 0))
  });

  test('(5.0) [MQTT-3.8.3-3] No Local: the subscriber does not get its own messages, others still do', async () => {
    const topic = uid('t');
    const { client } = await connect5(pool, uid());
    await subscribe5(client, [{ topicFilter: topic, qos: 1, noLocal: true }]);
    await publish(client, topic, 'own', { qos: 1 });
    await expectSettled(client);
    const { client: other } = await connect5(pool, uid());
    await publish(other, topic, 'other', { qos: 1 });
    assert.equal(text(await receive(client)), 'other');
  });

  test('(5.0) [MQTT-3.8.4-5][MQTT-3.8.4-6][MQTT-3.9.3-2] a SUBSCRIBE of several filters gets one SUBACK, one defined reason code per filter in order', async () => {
    const topic = uid('t');
    const { client } = await connect5(pool, uid());
    const codes = await subscribe5(client, [
      { topicFilter: `${topic}/a`, qos: 2 },
      { topicFilter: `$share/bad+/${topic}`, qos: 0 },
      { topicFilter: `${topic}/b`, qos: 1 },
    ]);
    assert.deepEqual(codes, [2, 0x8f, 1]);
    assert.ok(codes.every((c) => SUBACK_CODES.includes(c)));
  });

  test('(5.0) [MQTT-3.10.4-3] a QoS 2 delivery started before UNSUBSCRIBE is completed', async () => {
    const topic = uid('t');
    const { client } = await connect5(pool, uid());
    await subscribe(client, topic, 2);
    const { client: p } = await connect5(pool, uid());
    await publish(p, topic, 'in flight', { qos: 2 });
    const got = await client.expect('publish');
    client.send({ type: 'unsubscribe', packetId: 3, topicFilters: [topic] });
    await client.expect('unsuback');
    client.send({ type: 'pubrec', packetId: got.packetId as number });
    assert.deepEqual(await client.expect('pubrel'), { type: 'pubrel', packetId: got.packetId });
  });

  test('(5.0) [MQTT-3.3.2-6][MQTT-4.3.3-13] the forwarded Message Expiry Interval is reduced by the time waited; an expired QoS 2 exchange still completes', async () => {
    const topic = uid('t');
    const id = uid();
    const { client: sub } = await connect5(pool, id, { properties: SESSION });
    await subscribe(sub, topic, 1);
    sub.destroy();
    const { client: p } = await connect5(pool, uid());
    p.send(retainedPublish(`${topic}/r`, 'kept', true, { messageExpiryInterval: 30 }));
    await publish(p, topic, 'queued', { qos: 1 });
    // Inbound QoS 2 with a 1 s expiry: PUBREC now, PUBREL after it expired.
    p.send({
      type: 'publish',
      topic: uid('t'),
      payload: Buffer.from('x'),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 77,
      properties: { messageExpiryInterval: 1 },
    });
    await p.expect('pubrec');
    await new Promise((resolve) => setTimeout(resolve, 1200)); // the rule is about time spent in the server
    p.send({ type: 'pubrel', packetId: 77 });
    assert.equal((await p.expect('pubcomp')).packetId, 77);
    // The queued copy of a message published with an expiry carries what is left of it.
    await publish(p, topic, 'with expiry', { qos: 1 });
    const { client: again } = await connect5(pool, id, { clean: false, properties: SESSION });
    const queued = await receive(again);
    assert.equal(text(queued), 'queued');
    await receive(again);
    await subscribe(again, `${topic}/r`, 0);
    const retained = await receive(again);
    const left = retained.properties?.messageExpiryInterval ?? 0;
    assert.ok(left >= 1 && left <= 29, `expiry ${left} counts down from 30`);
  });
});

describe('MQTT 5.0 acknowledgements to a client with a small Maximum Packet Size', () => {
  let small: StartedBroker;
  const smallPool = new ClientPool();
  before(async () => {
    small = await startBroker();
    smallPool.port = small.port;
  });
  after(async () => {
    smallPool.closeAll();
    await small.stop();
  });

  test('(5.0) [MQTT-3.1.2-29][MQTT-3.2.2-19][MQTT-3.2.2-20][MQTT-3.4.2-2][MQTT-3.4.2-3][MQTT-3.5.2-1][MQTT-3.5.2-2][MQTT-3.5.2-3][MQTT-3.6.2-1][MQTT-3.6.2-2][MQTT-3.6.2-3][MQTT-3.7.2-1][MQTT-3.7.2-2][MQTT-3.7.2-3][MQTT-3.9.2-1][MQTT-3.9.2-2][MQTT-3.11.2-1][MQTT-3.11.2-2][MQTT-3.14.2-3][MQTT-3.14.2-4] CONNACK, PUBACK, PUBREC, PUBREL, PUBCOMP, SUBACK, UNSUBACK and DISCONNECT carry defined codes and no Reason String or User Property', async () => {
    const topic = uid('t');
    const limits = { maximumPacketSize: 48, requestProblemInformation: 0 };
    const { client, connack } = await connect5(smallPool, uid(), { properties: limits });
    const seen: Packet[] = [connack];
    const expect = async <T extends Packet['type']>(type: T) => {
      const packet = await client.expect(type);
      seen.push(packet);
      return packet;
    };
    client.send({
      type: 'subscribe',
      packetId: 1,
      subscriptions: [
        { topicFilter: topic, qos: 2 },
        { topicFilter: '$share//x', qos: 0 },
      ],
    });
    assert.deepEqual((await expect('suback')).reasonCodes, [2, 0x8f]);
    client.send({ type: 'unsubscribe', packetId: 2, topicFilters: [uid('none')] });
    assert.deepEqual((await expect('unsuback')).reasonCodes, [0x11]);
    client.send({
      type: 'publish',
      topic: uid('nobody'),
      payload: Buffer.from('x'),
      qos: 1,
      retain: false,
      dup: false,
      packetId: 3,
    });
    assert.equal((await expect('puback')).reasonCode, 0x10);
    client.send({
      type: 'publish',
      topic,
      payload: Buffer.from('x'),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 4,
    });
    // The delivery to this same client is routed before the PUBREC goes out.
    const delivered = await expect('publish');
    assert.equal((await expect('pubrec')).reasonCode ?? 0, 0);
    client.send({ type: 'pubrel', packetId: 4 });
    await expect('pubcomp');
    client.send({ type: 'pubrec', packetId: delivered.packetId as number });
    await expect('pubrel');
    client.send({ type: 'pubcomp', packetId: delivered.packetId as number });
    client.send({ type: 'pubrel', packetId: 999 }); // unknown id: PUBCOMP 0x92 or 0x00
    const pubcomp = await expect('pubcomp');
    assert.ok([0x00, 0x92].includes(pubcomp.reasonCode ?? 0));
    client.sendBytes('e100'); // malformed DISCONNECT: the server answers DISCONNECT 0x81
    seen.push(...(await client.expectClose()));
    assert.equal(seen.at(-1)?.type, 'disconnect');
    for (const packet of seen) {
      const properties = (packet as { properties?: Properties }).properties;
      assert.equal(properties?.reasonString, undefined, `${packet.type} has no Reason String`);
      assert.equal(properties?.userProperties, undefined, `${packet.type} has no User Property`);
    }
  });
});

describe('MQTT 5.0 shared subscriptions and refused deliveries', { concurrency: true }, () => {
  let shared: StartedBroker;
  const sharedPool = new ClientPool();
  before(async () => {
    shared = await startBroker();
    sharedPool.port = shared.port;
  });
  after(async () => {
    sharedPool.closeAll();
    await shared.stop();
  });

  test('(5.0) [MQTT-4.8.2-6] a shared message refused with PUBACK 0x80 is discarded, not offered to another member', async () => {
    const topic = uid('t');
    const group = `$share/${uid('g')}/${topic}`;
    const { client: a } = await connect5(sharedPool, uid());
    await subscribe(a, group, 1);
    const { client: p } = await connect5(sharedPool, uid());
    await publish(p, topic, 'refused', { qos: 1 });
    const got = await a.expect('publish');
    const { client: b } = await connect5(sharedPool, uid());
    await subscribe(b, group, 1);
    a.send({ type: 'puback', packetId: got.packetId as number, reasonCode: 0x80 });
    await expectSettled(a);
    a.destroy();
    await expectSettled(b);
  });

  test('(5.0) [MQTT-4.8.2-5] a QoS 2 shared delivery whose member session ends is not sent to another member', async () => {
    const topic = uid('t');
    const group = `$share/${uid('g')}/${topic}`;
    const { client: a } = await connect5(sharedPool, uid());
    await subscribe(a, group, 2);
    const { client: p } = await connect5(sharedPool, uid());
    await publish(p, topic, 'exactly once', { qos: 2 });
    await a.expect('publish');
    const { client: b } = await connect5(sharedPool, uid());
    await subscribe(b, group, 2);
    a.destroy(); // Session Expiry 0: the session ends with the connection
    await expectSettled(b);
    await publish(p, topic, 'next', { qos: 2 });
    assert.equal(text(await receive(b)), 'next');
  });
});
