// MQTT 3.1 ("MQIsdp", level 3) clients that still run, and the leniencies mosquitto grants them (its handlers
// skip these checks for `mosq_p_mqtt31`): any fixed-header flags on CONNECT, PUBACK, PUBREL, PUBCOMP, SUBSCRIBE,
// UNSUBSCRIBE and DISCONNECT; the reserved connect flag; Will QoS / Retain without a will; a User Name or Password
// flag whose field is missing; SUBSCRIBE / UNSUBSCRIBE without topics; client ids longer than 23 characters.
// 3.1.1 and 5.0 keep the strict rules; each strict counterpart is proven here next to its leniency.
//
// `PhpMqttLike` writes the bytes phpMQTT (bluerhinos/phpMQTT, PHP's most used MQTT client) writes, taken from
// its documented packet layout: CONNECT "MQIsdp" level 3 with a one-byte remaining length and twice its
// keep alive; SUBSCRIBE with first byte 0x80 | (qos << 1), where qos is the subscribe() call's own argument
// (default 0), with one QoS byte per topic; PUBLISH 0x30 | qos << 1 | retain; PINGREQ C0 00; DISCONNECT E0 00.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { frame, str, u16, u8 } from '../fixtures/hex.js';
import type { RawClient } from '../helpers/raw-client.js';
import {
  ClientPool,
  expectAlive,
  expectSettled,
  expectSilentClose,
  publish,
  receive,
  subscribe,
  text,
  uid,
} from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;

/** The byte layouts of phpMQTT's connect(), subscribe(), publish(), ping() and disconnect(). */
class PhpMqttLike {
  #msgid = 1;
  constructor(readonly raw: RawClient) {}

  static async connect(clientId: string, options: { username?: string; password?: string } = {}) {
    const client = new PhpMqttLike(await pool.open(3));
    let flags = 0x02; // clean session
    if (options.username !== undefined) flags |= 0x80;
    if (options.password !== undefined) flags |= 0x40;
    const body =
      str('MQIsdp') +
      u8(3) +
      u8(flags) +
      u16(20) + // phpMQTT sends keepalive * 2 with its default keepalive of 10
      str(clientId) +
      (options.username === undefined ? '' : str(options.username)) +
      (options.password === undefined ? '' : str(options.password));
    // phpMQTT writes the remaining length as one byte, whatever the length.
    client.raw.sendBytes(u8(0x10) + u8(body.length / 2) + body);
    return client;
  }

  /** subscribe($topics, $qos = 0): the fixed header carries the call's $qos, each topic its own QoS. */
  subscribe(topics: Record<string, number>, qos = 0): number {
    const id = this.#msgid;
    let body = u16(id);
    for (const [topic, topicQos] of Object.entries(topics)) body += str(topic) + u8(topicQos);
    this.raw.sendBytes(u8(0x80 + (qos << 1)) + u8(body.length / 2) + body);
    return id;
  }

  publish(topic: string, content: string, qos = 0, retain = false): void {
    let body = str(topic);
    if (qos > 0) body += u16(this.#msgid++);
    body += Buffer.from(content).toString('hex');
    this.raw.sendBytes(frame(0x30 + (qos << 1) + (retain ? 1 : 0), body));
  }

  ping(): void {
    this.raw.sendBytes('c000');
  }
}

describe(
  'MQTT 3.1 clients (phpMQTT) and the leniencies mosquitto grants level 3',
  { concurrency: true },
  () => {
    before(async () => {
      broker = await startBroker();
      pool.port = broker.port;
    });
    after(async () => {
      pool.closeAll();
      await broker.stop();
    });

    test('phpMQTT: CONNECT, SUBSCRIBE with fixed-header flags 0, then a message from a 3.1.1 publisher arrives', async () => {
      const topic = `php/${uid()}`;
      const php = await PhpMqttLike.connect(`phpMQTT-client-${uid()}`);
      assert.deepEqual(await php.raw.expect('connack'), {
        type: 'connack',
        sessionPresent: false,
        reasonCode: 0,
      });
      const id = php.subscribe({ [topic]: 0 });
      assert.deepEqual(await php.raw.expect('suback'), { type: 'suback', packetId: id, reasonCodes: [0] });
      const publisher = await pool.connect(uid());
      await publish(publisher, topic, 'hello php');
      const message = await receive(php.raw);
      assert.equal(text(message), 'hello php');
      php.ping();
      await php.raw.expect('pingresp');
    });

    test('phpMQTT: subscribe($topics, 1) sends flags 0010 with a QoS 1 topic; its own publish() reaches a 3.1.1 subscriber', async () => {
      const topic = `php/${uid()}`;
      const php = await PhpMqttLike.connect(uid(), { username: 'u', password: 'p' });
      await php.raw.expect('connack');
      php.subscribe({ [topic]: 1 }, 1);
      assert.deepEqual((await php.raw.expect('suback')).reasonCodes, [1]);
      const subscriber = await pool.connect(uid());
      await subscribe(subscriber, `${topic}/out`, 1);
      php.publish(`${topic}/out`, 'from php', 1);
      await php.raw.expect('puback');
      assert.equal(text(await receive(subscriber)), 'from php');
    });

    test('MQTT 3.1 UNSUBSCRIBE, PUBACK, PUBREL, PUBCOMP and DISCONNECT with flags other than the table are accepted', async () => {
      const topic = `php/${uid()}`;
      const client = await pool.connect(uid(), { version: 3 });
      await subscribe(client, topic, 2);
      // UNSUBSCRIBE with flags 0000 instead of 0010.
      client.sendBytes(frame(0xa0, u16(77), str(topic)));
      assert.deepEqual(await client.expect('unsuback'), { type: 'unsuback', packetId: 77 });
      // PUBREL with flags 0000: the broker completes the inbound QoS 2 flow.
      client.send({
        type: 'publish',
        topic,
        payload: Buffer.from('x'),
        qos: 2,
        packetId: 5,
        retain: false,
        dup: false,
      });
      await client.expect('pubrec');
      client.sendBytes(frame(0x60, u16(5)));
      assert.deepEqual(await client.expect('pubcomp'), { type: 'pubcomp', packetId: 5 });
      // PUBACK and PUBCOMP with stray flags for ids the broker never sent are accepted and ignored.
      client.sendBytes(frame(0x41, u16(9)) + frame(0x7f, u16(9)));
      await expectSettled(client);
      // DISCONNECT with flags 0001: a normal disconnection, so no will.
      client.sendBytes('e100');
      await expectSilentClose(client);
    });

    test('MQTT 3.1 CONNECT: fixed-header flags, the reserved bit and Will QoS / Retain without a will are ignored', async () => {
      const client = await pool.open(3);
      // First byte 0x1f, connect flags 0x3b = reserved bit, clean, Will QoS 3 and Will Retain without the Will Flag.
      client.sendBytes(frame(0x1f, str('MQIsdp'), u8(3), u8(0x3b), u16(60), str(uid())));
      assert.deepEqual(await client.expect('connack'), {
        type: 'connack',
        sessionPresent: false,
        reasonCode: 0,
      });
      await expectAlive(client);
    });

    test('MQTT 3.1 CONNECT: a User Name and Password flag whose fields are missing are ignored', async () => {
      const client = await pool.open(3);
      client.sendBytes(frame(0x10, str('MQIsdp'), u8(3), u8(0xc2), u16(60), str(uid())));
      assert.equal((await client.expect('connack')).reasonCode, 0);
      await expectAlive(client);
    });

    test('MQTT 3.1 CONNECT: a Password without a User Name still closes the connection, as in mosquitto', async () => {
      const client = await pool.open(3);
      client.sendBytes(frame(0x10, str('MQIsdp'), u8(3), u8(0x42), u16(60), str(uid()), str('secret')));
      await expectSilentClose(client);
    });

    test('MQTT 3.1 ClientId over 23 characters is accepted, as mosquitto does since 2014', async () => {
      const client = await pool.open(3);
      client.sendBytes(frame(0x10, str('MQIsdp'), u8(3), u8(0x02), u16(60), str('a'.repeat(64) + uid())));
      assert.equal((await client.expect('connack')).reasonCode, 0);
      await expectAlive(client);
    });

    test('MQTT 3.1 SUBSCRIBE and UNSUBSCRIBE without any topic are answered with an empty SUBACK / UNSUBACK', async () => {
      const client = await pool.connect(uid(), { version: 3 });
      client.sendBytes(frame(0x82, u16(3)));
      assert.deepEqual(await client.expect('suback'), { type: 'suback', packetId: 3, reasonCodes: [] });
      client.sendBytes(frame(0xa2, u16(4)));
      assert.deepEqual(await client.expect('unsuback'), { type: 'unsuback', packetId: 4 });
    });

    test('[MQTT-3.3.1-2] MQTT 3.1 too: a QoS 0 PUBLISH with DUP set closes the connection', async () => {
      const client = await pool.connect(uid(), { version: 3 });
      client.sendBytes(frame(0x38, str('a/b'), '00'));
      await expectSilentClose(client);
    });

    test('MQTT 3.1 PUBREC and PINGREQ keep their flags: mosquitto checks them for every level', async () => {
      for (const bytes of [frame(0x52, u16(1)), 'c100']) {
        const client = await pool.connect(uid(), { version: 3 });
        client.sendBytes(bytes);
        await expectSilentClose(client);
      }
    });
  },
);

describe('3.1.1 keeps the strict rules MQTT 3.1 is spared', { concurrency: true }, () => {
  let strict: StartedBroker;
  const strictPool = new ClientPool();
  before(async () => {
    strict = await startBroker();
    strictPool.port = strict.port;
  });
  after(async () => {
    strictPool.closeAll();
    await strict.stop();
  });

  const cases: [rule: string, title: string, hex: string][] = [
    ['MQTT-3.8.1-1', 'SUBSCRIBE with flags 0000 (phpMQTT style)', frame(0x80, u16(1), str('a'), u8(0))],
    ['MQTT-3.10.1-1', 'UNSUBSCRIBE with flags 0000', frame(0xa0, u16(1), str('a'))],
    ['MQTT-3.6.1-1', 'PUBREL with flags 0000', frame(0x60, u16(1))],
    ['MQTT-3.14.1-1', 'DISCONNECT with flags 0001', 'e100'],
    ['MQTT-2.2.2-2', 'PUBACK with flags 0001', frame(0x41, u16(1))],
    ['MQTT-3.8.3-3', 'SUBSCRIBE without any topic filter', frame(0x82, u16(1))],
    ['MQTT-3.10.3-2', 'UNSUBSCRIBE without any topic filter', frame(0xa2, u16(1))],
  ];
  for (const [rule, title, bytes] of cases) {
    test(`[${rule}] 3.1.1: ${title} closes the connection`, async () => {
      const client = await strictPool.connect(uid());
      client.sendBytes(bytes);
      await expectSilentClose(client);
    });
  }

  test('[MQTT-2.2.2-2] 3.1.1: a CONNECT with fixed-header flags 1111 closes the connection without CONNACK', async () => {
    const client = await strictPool.open();
    client.sendBytes(frame(0x1f, str('MQTT'), u8(4), u8(0x02), u16(60), str(uid())));
    await expectSilentClose(client);
  });

  test('[MQTT-3.1.2-13] 3.1.1: Will QoS without the Will Flag closes the connection without CONNACK', async () => {
    const client = await strictPool.open();
    client.sendBytes(frame(0x10, str('MQTT'), u8(4), u8(0x0a), u16(60), str(uid())));
    await expectSilentClose(client);
  });
});
