// MQTT 5.0 basics next to the 3.1.1 suite: an MQTT 5 client connects, subscribes and publishes; CONNACK carries
// properties; 3.1.1 and 5.0 clients exchange messages. Rule ids in this file are those of the 5.0 list
// (/work/shared/spec/mqtt-5.0-rules.md), marked "(5.0)".
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { RawClient } from '../helpers/raw-client.js';
import type { ConnackPacket, Properties } from '../../src/protocol/types.js';
import { frame, str, text as hexText, u16, varint } from '../fixtures/hex.js';
import {
  ClientPool,
  connect5 as connectV5,
  expectAlive,
  expectQuiet,
  expectSettled,
  packetId,
  publish,
  receive,
  subscribe,
  text,
  uid,
} from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;

function connect5(
  clientId: string,
  properties?: Properties,
): Promise<{ client: RawClient; connack: ConnackPacket }> {
  return connectV5(pool, clientId, { properties });
}

describe('MQTT 5.0 basics', () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  test('(5.0) [MQTT-3.2.2-2] an MQTT 5 client is accepted: CONNACK 0x00, Session Present 0, with the server capabilities as properties', async () => {
    const { client, connack } = await connect5(uid());
    assert.equal(connack.reasonCode, 0);
    assert.equal(connack.sessionPresent, false);
    const properties = connack.properties ?? {};
    assert.ok(
      typeof properties.receiveMaximum === 'number' &&
        properties.receiveMaximum >= 1 &&
        properties.receiveMaximum <= 65535,
      `Receive Maximum ${properties.receiveMaximum}`,
    );
    assert.equal(properties.wildcardSubscriptionAvailable, 1);
    assert.equal(properties.subscriptionIdentifiersAvailable, 1);
    assert.notEqual(properties.sharedSubscriptionAvailable, 0, 'shared subscriptions are available');
    assert.equal(
      properties.assignedClientIdentifier,
      undefined,
      'no id is assigned when the client sent one',
    );
    await expectAlive(client);
  });

  test('(5.0) [MQTT-3.1.2-28] Response Information only when requested: the base of a response topic for this client id', async () => {
    const id = uid('resp');
    const asked = await connect5(id, { requestResponseInformation: 1 });
    assert.equal(asked.connack.properties?.responseInformation, `response/${id}`);
    const notAsked = await connect5(uid('resp'), { requestResponseInformation: 0 });
    assert.equal(notAsked.connack.properties?.responseInformation, undefined);
    const silent = await connect5(uid('resp'));
    assert.equal(silent.connack.properties?.responseInformation, undefined);
    const crossing = await connect5(`${uid('a')}/b`, { requestResponseInformation: 1 });
    assert.equal(crossing.connack.reasonCode, 0);
    assert.equal(crossing.connack.properties?.responseInformation, undefined, 'an id with "/" gets no base');
  });

  test('(5.0) [MQTT-3.2.2-16][MQTT-3.1.3-7] an empty ClientId gets an Assigned Client Identifier no other session uses', async () => {
    const first = await connect5('');
    const second = await connect5('');
    const ids = [
      first.connack.properties?.assignedClientIdentifier,
      second.connack.properties?.assignedClientIdentifier,
    ];
    assert.ok(
      ids.every((id) => typeof id === 'string' && id.length > 0),
      `assigned ${JSON.stringify(ids)}`,
    );
    assert.notEqual(ids[0], ids[1]);
    // Both connections live side by side: neither took the other over.
    await expectAlive(first.client);
    await expectAlive(second.client);
  });

  test('(5.0) [MQTT-3.8.4-1][MQTT-3.8.4-7][MQTT-3.9.3-1] SUBSCRIBE gets a SUBACK with the granted QoS per filter, shared subscriptions included; a malformed shared filter gets 0x8F [MQTT-4.8.2-2]', async () => {
    const { client } = await connect5(uid());
    const prefix = uid('t');
    client.send({
      type: 'subscribe',
      packetId: 3,
      subscriptions: [
        { topicFilter: `${prefix}/a`, qos: 2 },
        { topicFilter: `$share/g/${prefix}/b`, qos: 1 },
        { topicFilter: `${prefix}/+`, qos: 0 },
        { topicFilter: `$share/g+/${prefix}/c`, qos: 0 },
      ],
    });
    const suback = await client.expect('suback');
    assert.deepEqual([suback.packetId, suback.reasonCodes], [3, [2, 1, 0, 0x8f]]);
  });

  test('(5.0) [MQTT-3.3.2-4][MQTT-3.3.2-15][MQTT-3.3.2-16][MQTT-3.3.2-17][MQTT-3.3.2-18][MQTT-3.3.2-20] PUBLISH properties reach an MQTT 5 subscriber unchanged, user properties in order', async () => {
    const topic = uid('t');
    const { client: sub } = await connect5(uid('s'));
    await subscribe(sub, topic, 1);
    const { client: pub } = await connect5(uid('p'));
    const properties: Properties = {
      payloadFormatIndicator: 1,
      contentType: 'application/json',
      responseTopic: `${topic}/reply`,
      correlationData: Buffer.from('0a0b0c', 'hex'),
      userProperties: [
        ['b', '2'],
        ['a', '1'],
        ['b', '3'],
      ],
    };
    const id = packetId();
    pub.send({
      type: 'publish',
      topic,
      payload: Buffer.from('{"x":1}'),
      qos: 1,
      retain: false,
      dup: false,
      packetId: id,
      properties,
    });
    assert.deepEqual(await pub.expect('puback'), { type: 'puback', packetId: id });
    const packet = await receive(sub);
    assert.deepEqual([packet.topic, text(packet), packet.qos], [topic, '{"x":1}', 1]);
    assert.deepEqual(packet.properties, properties);
  });

  test('(5.0) [MQTT-3.4.2-1] a QoS 1 PUBLISH nobody subscribed to is acknowledged with PUBACK 0x10 (No matching subscribers)', async () => {
    const { client } = await connect5(uid());
    const id = packetId();
    client.send({
      type: 'publish',
      topic: uid('nobody'),
      payload: Buffer.from('x'),
      qos: 1,
      retain: false,
      dup: false,
      packetId: id,
    });
    assert.deepEqual(await client.expect('puback'), { type: 'puback', packetId: id, reasonCode: 0x10 });
  });

  test('(5.0) [MQTT-3.11.3-1][MQTT-3.11.3-2] UNSUBACK has one reason code per filter, in order: 0x00 Success, 0x11 No subscription existed', async () => {
    const prefix = uid('t');
    const { client } = await connect5(uid());
    await subscribe(client, `${prefix}/a`, 1);
    client.send({ type: 'unsubscribe', packetId: 8, topicFilters: [`${prefix}/none`, `${prefix}/a`] });
    assert.deepEqual(await client.expect('unsuback'), {
      type: 'unsuback',
      packetId: 8,
      reasonCodes: [0x11, 0x00],
    });
  });

  test("[MQTT-4.5.0-1] a 3.1.1 subscriber receives an MQTT 5 client's PUBLISH, without the 5.0 properties", async () => {
    const topic = uid('t');
    const sub = await pool.connect(uid('s'));
    await subscribe(sub, topic, 2);
    const { client: pub } = await connect5(uid('p'));
    pub.send({
      type: 'publish',
      topic,
      payload: Buffer.from('from 5.0'),
      qos: 2,
      retain: false,
      dup: false,
      packetId: 21,
      properties: { contentType: 'text/plain', userProperties: [['k', 'v']] },
    });
    assert.equal((await pub.expect('pubrec')).packetId, 21);
    pub.send({ type: 'pubrel', packetId: 21 });
    assert.equal((await pub.expect('pubcomp')).packetId, 21);
    const packet = await receive(sub);
    assert.deepEqual(
      [packet.topic, text(packet), packet.qos, packet.properties],
      [topic, 'from 5.0', 2, undefined],
    );
  });

  test("[MQTT-4.5.0-1] an MQTT 5 subscriber receives a 3.1.1 client's PUBLISH", async () => {
    const topic = uid('t');
    const { client: sub } = await connect5(uid('s'));
    await subscribe(sub, topic, 1);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'from 3.1.1', { qos: 1 });
    const packet = await receive(sub);
    assert.deepEqual([packet.topic, text(packet), packet.qos], [topic, 'from 3.1.1', 1]);
    await expectSettled(sub);
  });

  test('(5.0) [MQTT-4.13.1-1] a malformed packet (PUBLISH QoS 3) gets DISCONNECT 0x81 Malformed Packet, then the connection closes', async () => {
    const { client } = await connect5(uid());
    client.sendBytes(frame(0x36, str('a'), u16(1), varint(0), hexText('x')));
    assert.deepEqual(await client.expectClose(), [{ type: 'disconnect', reasonCode: 0x81 }]);
  });

  test('(5.0) [MQTT-3.14.4-3] DISCONNECT 0x00 discards the will; DISCONNECT 0x04 (with will message) publishes it', async () => {
    const topic = uid('will');
    const watcher = await pool.connect(uid('w'));
    await subscribe(watcher, topic, 1);
    const will = { topic, payload: Buffer.from('gone'), qos: 1, retain: false } as const;
    const normal = await pool.open(5);
    normal.send({
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 5,
      clean: true,
      keepalive: 60,
      clientId: uid(),
      will,
    });
    await normal.expect('connack');
    normal.send({ type: 'disconnect', reasonCode: 0x00 });
    await normal.expectClose();
    await expectQuiet(watcher);
    const withWill = await pool.open(5);
    withWill.send({
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 5,
      clean: true,
      keepalive: 60,
      clientId: uid(),
      will,
    });
    await withWill.expect('connack');
    withWill.send({ type: 'disconnect', reasonCode: 0x04 });
    await withWill.expectClose();
    assert.equal(text(await receive(watcher)), 'gone');
  });
});
