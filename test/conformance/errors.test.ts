// MQTT 3.1.1 section 4.8 and the rules that close connections: the shared malformed fixtures, packets over
// maxPacketSize, a first packet that is not CONNECT, packets only a server may send; PINGREQ (3.12); DISCONNECT
// and the will (3.14, 3.1.2.5).
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { Packet, ProtocolVersion, QoS } from '../../src/protocol/types.js';
import { malformedFixtures } from '../fixtures/packets.js';
import { frame, str, text as hexText, u16, u8, varint } from '../fixtures/hex.js';
import type { RawClient } from '../helpers/raw-client.js';
import {
  ClientPool,
  expectAlive,
  expectQuiet,
  expectSettled,
  expectSilentClose,
  publish,
  receive,
  subscribe,
  text,
  uid,
} from './support.js';

const UNSUPPORTED_PROTOCOL_VERSION = 0x84;

const pool = new ClientPool();
let broker: StartedBroker;

/** What the server may send before closing, by the rules of the connection's version. */
function assertClosingPackets(
  packets: Packet[],
  version: ProtocolVersion,
  expected: Packet[],
  v5Optional: Packet,
): void {
  if (version === 5 && packets.length === 1) assert.deepEqual(packets, [v5Optional]);
  else assert.deepEqual(packets, expected);
}

describe('4.8 handling errors', () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  describe('malformed packets from the shared fixtures close the connection', () => {
    for (const fixture of malformedFixtures) {
      const isConnect = parseInt(fixture.bytes.slice(0, 1), 16) === 1;
      const where = isConnect ? 'as the first packet' : 'after CONNECT';
      test(`[MQTT-4.8.0-1] ${fixture.name} (MQTT ${fixture.version === 5 ? '5.0' : '3.1.1'}, ${where}): the server closes the connection`, async () => {
        const version = fixture.version;
        const client = isConnect ? await pool.open(version) : await pool.connect(uid(), { version });
        client.sendBytes(fixture.bytes);
        const packets = await client.expectClose();
        if (isConnect && fixture.reasonCode === UNSUPPORTED_PROTOCOL_VERSION) {
          // [MQTT-3.1.2-2] CONNACK 0x01 (3.1.1) / 0x84 (5.0), then close.
          const reasonCode = version === 5 ? UNSUPPORTED_PROTOCOL_VERSION : 1;
          assert.deepEqual(packets, [{ type: 'connack', sessionPresent: false, reasonCode }]);
        } else if (isConnect) {
          // [MQTT-3.1.4-1] no CONNACK in 3.1.1; MQTT 5 may send CONNACK with the reason code first.
          assertClosingPackets(packets, version, [], {
            type: 'connack',
            sessionPresent: false,
            reasonCode: fixture.reasonCode,
          });
        } else {
          // 3.1.1 just closes; MQTT 5 may send DISCONNECT with the reason code first [MQTT-4.13.1-1].
          assertClosingPackets(packets, version, [], { type: 'disconnect', reasonCode: fixture.reasonCode });
        }
      });
    }
  });

  const firstPackets: [name: string, bytes: string][] = [
    ['PUBLISH', frame(0x30, str('a'), hexText('x'))],
    ['PUBLISH QoS 1', frame(0x32, str('a'), u16(1), hexText('x'))],
    ['SUBSCRIBE', frame(0x82, u16(1), str('a'), u8(0))],
    ['UNSUBSCRIBE', frame(0xa2, u16(1), str('a'))],
    ['PINGREQ', 'c000'],
    ['PUBACK', frame(0x40, u16(1))],
    ['PUBREL', frame(0x62, u16(1))],
    ['DISCONNECT', 'e000'],
  ];
  for (const [name, bytes] of firstPackets) {
    test(`[MQTT-3.1.0-1][MQTT-4.8.0-1] ${name} as the first packet closes the connection without an answer`, async () => {
      const client = await pool.open();
      client.sendBytes(bytes);
      await expectSilentClose(client);
    });
  }

  test('[MQTT-3.1.0-1] a PUBLISH before CONNECT is not delivered', async () => {
    const topic = uid('t');
    const sub = await pool.connect(uid('s'));
    await subscribe(sub, topic, 0);
    const client = await pool.open();
    client.sendBytes(frame(0x30, str(topic), hexText('too early')));
    await expectSilentClose(client);
    await expectSettled(sub);
  });

  const serverOnly: [name: string, packet: Packet][] = [
    ['CONNACK', { type: 'connack', sessionPresent: false, reasonCode: 0 }],
    ['SUBACK', { type: 'suback', packetId: 1, reasonCodes: [0] }],
    ['UNSUBACK', { type: 'unsuback', packetId: 1 }],
    ['PINGRESP', { type: 'pingresp' }],
  ];
  for (const [name, packet] of serverOnly) {
    test(`[MQTT-4.8.0-1] a client sending ${name} (a packet only servers send) is disconnected`, async () => {
      const client = await pool.connect(uid());
      client.send(packet);
      await expectSilentClose(client);
    });
  }

  test('[MQTT-3.12.4-1] every PINGREQ is answered by a PINGRESP', async () => {
    const client = await pool.connect(uid());
    client.sendBytes('c000'.repeat(5));
    for (let i = 0; i < 5; i++) assert.deepEqual(await client.next(), { type: 'pingresp' });
    await expectSettled(client);
  });

  test('[MQTT-7.1.1-1] a packet arriving one byte per write is decoded like any other', async () => {
    const topic = uid('t');
    const sub = await pool.connect(uid('s'));
    await subscribe(sub, topic, 1);
    const pub = await pool.connect(uid('p'));
    const bytes = Buffer.from(frame(0x32, str(topic), u16(5), hexText('trickle')), 'hex');
    for (const byte of bytes) {
      pub.sendBytes([byte]);
      await new Promise((resolve) => setImmediate(resolve));
    }
    assert.deepEqual(await pub.expect('puback'), { type: 'puback', packetId: 5 });
    assert.equal(text(await receive(sub)), 'trickle');
  });
  test('[MQTT-7.1.1-1] a 2 MiB PUBLISH spanning many TCP reads is delivered intact', async () => {
    const topic = uid('t');
    const sub = await pool.connect(uid('s'));
    await subscribe(sub, topic, 1);
    const pub = await pool.connect(uid('p'));
    const payload = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = (i * 31) & 0xff;
    await publish(pub, topic, payload, { qos: 1 });
    const packet = await receive(sub);
    assert.equal(packet.payload.length, payload.length);
    assert.ok(packet.payload.equals(payload), 'payload bytes differ');
  });
});

describe('4.8 handling errors: maxPacketSize 100', () => {
  let limited: StartedBroker;
  const clients = new ClientPool();
  before(async () => {
    limited = await startBroker({ maxPacketSize: 100 });
    clients.port = limited.port;
  });
  afterEach(() => clients.closeAll());
  after(() => limited.stop());

  /** A QoS 0 PUBLISH of exactly `size` bytes on the wire. */
  function publishOfSize(topic: string, size: number): string {
    const body = 2 + topic.length; // topic length prefix + topic
    return frame(0x30, str(topic), 'ab'.repeat(size - 2 - body));
  }

  test('[MQTT-4.8.0-1] a packet of exactly maxPacketSize bytes is accepted', async () => {
    const topic = uid('t');
    const sub = await clients.connect(uid('s'));
    await subscribe(sub, topic, 0);
    const pub = await clients.connect(uid('p'));
    const bytes = publishOfSize(topic, 100);
    assert.equal(bytes.length / 2, 100);
    pub.sendBytes(bytes);
    assert.equal((await receive(sub)).payload.length, 100 - 4 - topic.length);
    await expectAlive(pub);
  });

  test('[MQTT-4.8.0-1] a packet one byte over maxPacketSize closes the connection and is not delivered', async () => {
    const topic = uid('t');
    const sub = await clients.connect(uid('s'));
    await subscribe(sub, topic, 0);
    const pub = await clients.connect(uid('p'));
    const bytes = publishOfSize(topic, 101);
    assert.equal(bytes.length / 2, 101);
    pub.sendBytes(bytes);
    await expectSilentClose(pub);
    await expectSettled(sub);
  });

  test('[MQTT-4.8.0-1] a fixed header announcing a packet over maxPacketSize closes the connection before the body arrives', async () => {
    const pub = await clients.connect(uid('p'));
    pub.sendBytes('30' + varint(1_000_000));
    await expectSilentClose(pub);
  });
});

describe('3.14 DISCONNECT and the will', () => {
  let willBroker: StartedBroker;
  const pool = new ClientPool();
  before(async () => {
    willBroker = await startBroker();
    pool.port = willBroker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => willBroker.stop());

  /** A client with a will on `topic`; a watcher subscribed to it at QoS 2. */
  async function withWill(
    topic: string,
    qos: QoS,
    retain: boolean,
  ): Promise<{ client: RawClient; watcher: RawClient }> {
    const watcher = await pool.connect(uid('w'));
    await subscribe(watcher, topic, 2);
    const client = await pool.connect(uid('c'), {
      extra: { will: { topic, payload: Buffer.from(`will of ${topic}`), qos, retain } },
    });
    return { client, watcher };
  }

  for (const qos of [0, 1, 2] as QoS[]) {
    for (const retain of [false, true]) {
      const rules = retain ? '[MQTT-3.1.2-8][MQTT-3.1.2-17]' : '[MQTT-3.1.2-8][MQTT-3.1.2-16]';
      test(`${rules} a connection dropped without DISCONNECT publishes its will once, at QoS ${qos}, ${retain ? 'retained' : 'not retained'}`, async () => {
        const topic = uid('will');
        const { client, watcher } = await withWill(topic, qos, retain);
        client.destroy();
        const will = await receive(watcher);
        // A live subscription gets RETAIN=0 whatever the will said [MQTT-3.3.1-9].
        assert.deepEqual(
          [will.topic, text(will), will.qos, will.retain],
          [topic, `will of ${topic}`, qos, false],
        );
        await expectSettled(watcher); // [MQTT-3.1.2-10] sent once
        const late = await pool.connect(uid('l'));
        await subscribe(late, topic, 2);
        if (retain) {
          const stored = await receive(late);
          assert.deepEqual([text(stored), stored.qos, stored.retain], [`will of ${topic}`, qos, true]);
        }
        await expectSettled(late);
      });
    }
  }

  test('[MQTT-3.14.4-3][MQTT-3.1.2-10] DISCONNECT discards the will: nothing is published when the connection then closes', async () => {
    const topic = uid('will');
    const { client, watcher } = await withWill(topic, 1, true);
    client.disconnect();
    await client.expectClose();
    await expectQuiet(watcher);
    const late = await pool.connect(uid('l'));
    await subscribe(late, topic, 2);
    await expectSettled(late);
  });

  test('[MQTT-3.1.2-8][MQTT-4.8.0-1] a connection the server closes for a protocol violation publishes its will', async () => {
    const topic = uid('will');
    const { client, watcher } = await withWill(topic, 1, false);
    client.sendBytes(frame(0x36, str('a'), u16(1), hexText('x'))); // QoS 3
    await expectSilentClose(client);
    assert.equal(text(await receive(watcher)), `will of ${topic}`);
  });

  test('[MQTT-3.14.1-1] a DISCONNECT with reserved flags set closes the connection, and the will is published', async () => {
    const topic = uid('will');
    const { client, watcher } = await withWill(topic, 0, false);
    client.sendBytes('e100');
    await expectSilentClose(client);
    assert.equal(text(await receive(watcher)), `will of ${topic}`);
  });

  test('[MQTT-3.1.4-2][MQTT-3.1.2-8] a session taken over by a new connection publishes the will of the old one', async () => {
    const topic = uid('will');
    const watcher = await pool.connect(uid('w'));
    await subscribe(watcher, topic, 1);
    const clientId = uid('c');
    const first = await pool.connect(clientId, {
      extra: { will: { topic, payload: Buffer.from('taken over'), qos: 1, retain: false } },
    });
    await pool.connect(clientId);
    await first.expectClose();
    assert.equal(text(await receive(watcher)), 'taken over');
  });
});
