// MQTT 5.0 PUBLISH checks beyond the basics: the Payload Format Indicator check (section 3.3.2.3.2), message
// expiry for queued messages of every protocol version [MQTT-3.3.2-5], and the mapping between 5.0 and 3.1.1.
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
  sleep,
  subscribe,
  text,
  uid,
} from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;

async function v5(clientId = uid()): Promise<RawClient> {
  const { client, connack } = await connect5(pool, clientId);
  assert.equal(connack.reasonCode, 0);
  return client;
}

function send(client: RawClient, topic: string, payload: Buffer, qos: QoS, properties: Properties): void {
  client.send({
    type: 'publish',
    topic,
    payload,
    qos,
    retain: false,
    dup: false,
    packetId: qos === 0 ? undefined : 41,
    properties,
  });
}

const NOT_UTF8 = Buffer.from([0x61, 0xff, 0x62]);

describe('MQTT 5.0 publish: payload format, expiry, mixed versions', () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  test('(5.0) Payload Format Indicator 1 with a payload that is not UTF-8: PUBACK 0x99 and the message is not forwarded', async () => {
    const topic = uid('t');
    const sub = await v5();
    await subscribe(sub, topic, 1);
    const pub = await v5();
    send(pub, topic, NOT_UTF8, 1, { payloadFormatIndicator: 1 });
    const puback = await pub.expect('puback');
    assert.equal(puback.reasonCode, 0x99);
    await expectSettled(sub);
  });

  test('(5.0) the same check on QoS 0, which has no ack: DISCONNECT 0x99', async () => {
    const pub = await v5();
    send(pub, uid('t'), NOT_UTF8, 0, { payloadFormatIndicator: 1 });
    assert.deepEqual(await pub.expectClose(), [{ type: 'disconnect', reasonCode: 0x99 }]);
  });

  test('(5.0) [MQTT-3.3.2-4] bytes that are not UTF-8 pass when the indicator is 0, and the indicator is forwarded unchanged', async () => {
    const topic = uid('t');
    const sub = await v5();
    await subscribe(sub, topic, 1);
    const pub = await v5();
    send(pub, topic, NOT_UTF8, 1, { payloadFormatIndicator: 0 });
    await pub.expect('puback');
    const message = await receive(sub);
    assert.deepEqual(message.payload, NOT_UTF8);
    assert.equal(message.properties?.payloadFormatIndicator, 0);
  });

  test('(5.0) [MQTT-3.3.2-5] an expired message is not delivered from the queue of an offline MQTT 3.1.1 session either', async () => {
    const topic = uid('t');
    const id = uid('v4');
    const sub = await pool.connect(id, { clean: false });
    await subscribe(sub, topic, 1);
    sub.disconnect();
    const pub = await v5();
    send(pub, topic, Buffer.from('short-lived'), 1, { messageExpiryInterval: 1 });
    await pub.expect('puback');
    await publish(pub, topic, 'lasting', { qos: 1 });
    await sleep(1100);
    const again = await pool.connect(id, { clean: false });
    assert.equal(text(await receive(again)), 'lasting');
    await expectSettled(again);
  });

  test('(5.0) a 5.0 message reaches a 3.1.1 subscriber without properties, and a 3.1.1 message reaches a 5.0 subscriber with none', async () => {
    const topic = uid('t');
    const old = await pool.connect(uid('v4'));
    await subscribe(old, topic, 1);
    const modern = await v5();
    await subscribe(modern, topic, 1);
    const pub = await v5();
    send(pub, topic, Buffer.from('from 5'), 1, {
      contentType: 'text/plain',
      userProperties: [['k', 'v']],
      messageExpiryInterval: 60,
    });
    await pub.expect('puback');
    const atOld = await receive(old);
    assert.equal(text(atOld), 'from 5');
    assert.equal(atOld.properties, undefined);
    const atModern = await receive(modern);
    assert.equal(atModern.properties?.contentType, 'text/plain');
    const oldPub = await pool.connect(uid('v4'));
    await publish(oldPub, topic, 'from 3.1.1', { qos: 1 });
    const fromOld = await receive(modern);
    assert.equal(text(fromOld), 'from 3.1.1');
    assert.deepEqual(fromOld.properties ?? {}, {});
  });

  test('(5.0) [MQTT-4.3.3-7] a QoS 2 message already sent does not expire: it is sent again with DUP on reconnect', async () => {
    const topic = uid('t');
    const id = uid('s');
    const { client: sub } = await connect5(pool, id, { properties: { sessionExpiryInterval: 60 } });
    await subscribe(sub, topic, 2);
    const pub = await v5();
    send(pub, topic, Buffer.from('in flight'), 2, { messageExpiryInterval: 1 });
    await pub.expect('pubrec');
    const first = await receive(sub, false);
    sub.destroy();
    await sleep(1100);
    const { client: again, connack } = await connect5(pool, id, {
      clean: false,
      properties: { sessionExpiryInterval: 60 },
    });
    assert.equal(connack.sessionPresent, true);
    const resent = await receive(again);
    assert.deepEqual([text(resent), resent.dup, resent.packetId], ['in flight', true, first.packetId]);
  });
});
