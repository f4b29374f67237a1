// Protocol violations that close the connection, with the reaction each version names: 3.1.1 closes
// [MQTT-4.8.0-1]; MQTT 5 sends DISCONNECT with the reason code first [MQTT-4.13.1-1] (0x81 Malformed Packet,
// 0x82 Protocol Error). Rule ids are those of the 3.1.1 list unless the title says "(5.0)".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { frame, props, str, text as hexText, u16, u8 } from '../fixtures/hex.js';
import { ClientPool, connect5, expectSettled, expectSilentClose, subscribe, uid } from './support.js';

const MALFORMED = 0x81;
const pool = new ClientPool();
let broker: StartedBroker;

describe('protocol violations close the connection', { concurrency: true }, () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  after(async () => {
    pool.closeAll();
    await broker.stop();
  });

  test('[MQTT-3.3.1-2] a QoS 0 PUBLISH with DUP set closes a 3.1.1 connection and is not delivered', async () => {
    const topic = uid('t');
    const sub = await pool.connect(uid('s'));
    await subscribe(sub, topic, 0);
    const client = await pool.connect(uid());
    client.sendBytes(frame(0x38, str(topic), hexText('dup')));
    await expectSilentClose(client);
    await expectSettled(sub);
  });

  test('(5.0) [MQTT-3.3.1-2] a QoS 0 PUBLISH with DUP set gets DISCONNECT 0x81, then the connection closes', async () => {
    const { client } = await connect5(pool, uid());
    client.sendBytes(frame(0x38, str('a/b'), props(), hexText('dup')));
    assert.deepEqual(await client.expectClose(), [{ type: 'disconnect', reasonCode: MALFORMED }]);
  });

  const malformedFilters: [rule311: string, rule5: string, filter: string][] = [
    ['[MQTT-4.7.1-2]', '(5.0) [MQTT-4.7.1-1]', 'a/#/b'],
    ['[MQTT-4.7.1-2]', '(5.0) [MQTT-4.7.1-1]', 'a#'],
    ['[MQTT-4.7.1-3]', '(5.0) [MQTT-4.7.1-2]', 'a/+b'],
    ['[MQTT-4.7.3-1]', '(5.0) [MQTT-4.7.3-1]', ''],
  ];
  for (const [rule311, rule5, filter] of malformedFilters) {
    test(`${rule311}[MQTT-4.8.0-1] UNSUBSCRIBE with the malformed filter '${filter}' closes a 3.1.1 connection without UNSUBACK`, async () => {
      const client = await pool.connect(uid());
      client.sendBytes(frame(0xa2, u16(2), str(filter)));
      await expectSilentClose(client);
    });

    test(`${rule5} SUBSCRIBE with the malformed filter '${filter}' gets DISCONNECT 0x81, no SUBACK`, async () => {
      const { client } = await connect5(pool, uid());
      client.sendBytes(frame(0x82, u16(2), props(), str('ok/filter'), u8(0), str(filter), u8(0)));
      assert.deepEqual(await client.expectClose(), [{ type: 'disconnect', reasonCode: MALFORMED }]);
    });

    test(`${rule5} UNSUBSCRIBE with the malformed filter '${filter}' gets DISCONNECT 0x81, no UNSUBACK`, async () => {
      const { client } = await connect5(pool, uid());
      client.sendBytes(frame(0xa2, u16(2), props(), str(filter)));
      assert.deepEqual(await client.expectClose(), [{ type: 'disconnect', reasonCode: MALFORMED }]);
    });
  }

  test('(5.0) [MQTT-4.7.3-2] a topic filter containing U+0000 gets DISCONNECT 0x81', async () => {
    const { client } = await connect5(pool, uid());
    client.sendBytes(frame(0x82, u16(2), props(), str('a\u0000b'), u8(0)));
    assert.deepEqual(await client.expectClose(), [{ type: 'disconnect', reasonCode: MALFORMED }]);
  });

  test('(5.0) [MQTT-4.7.3-3] a topic of 65,535 bytes, the most a UTF-8 string holds, is subscribed and delivered', async () => {
    const topic = uid('t').padEnd(65535, 'x');
    const { client: sub } = await connect5(pool, uid());
    assert.deepEqual(await subscribe(sub, topic, 0), [0]);
    const { client: pub } = await connect5(pool, uid());
    pub.send({ type: 'publish', topic, payload: Buffer.from('long'), qos: 0, retain: false, dup: false });
    const got = await sub.expect('publish');
    assert.equal(got.topic.length, 65535);
  });

  test('[MQTT-4.8.0-1] a SUBSCRIBE that mixes valid filters with a malformed one subscribes none of them', async () => {
    const topic = uid('t');
    const client = await pool.connect(uid());
    client.sendBytes(frame(0x82, u16(3), str(topic), u8(0), str(`${topic}/#/x`), u8(0)));
    await expectSilentClose(client);
    const pub = await pool.connect(uid('p'));
    const again = await pool.connect(uid('s'));
    await subscribe(again, `${topic}/probe`, 0);
    pub.sendBytes(frame(0x30, str(topic), hexText('nobody')));
    await expectSettled(pub);
  });
});
