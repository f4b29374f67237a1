// MQTT 5.0 CONNECT, CONNACK, sessions and DISCONNECT, rule by rule with raw packets. Rule ids are those of the
// 5.0 list (test/conformance/spec/mqtt-5.0-rules.md).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { frame, props, str, text as hexText, u16, u8 } from '../fixtures/hex.js';
import {
  ClientPool,
  connect5,
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

function connectBytes(clientId: string, flags = 0x02, keepalive = 60, properties = props()): string {
  return frame(0x10, str('MQTT'), u8(5), u8(flags), u16(keepalive), properties, str(clientId));
}

describe('MQTT 5.0 CONNECT, CONNACK, sessions and DISCONNECT', { concurrency: true }, () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  after(async () => {
    pool.closeAll();
    await broker.stop();
  });

  test('(5.0) [MQTT-4.2.0-1][MQTT-3.1.3-5][MQTT-3.1.4-5][MQTT-3.2.0-1][MQTT-3.2.0-2] a 23-character alphanumeric ClientId over TCP gets one CONNACK 0x00, first, even with packets pipelined', async () => {
    const client = await pool.open(5);
    const id = `Ab0${uid()}`.padEnd(23, 'z').slice(0, 23);
    client.sendBytes(connectBytes(id) + 'c000' + connectBytes(id).slice(0, 0));
    const connack = await client.expect('connack');
    assert.equal(connack.reasonCode, 0);
    await client.expect('pingresp');
    await expectSettled(client);
  });

  test('(5.0) [MQTT-3.1.0-2] a second CONNECT gets DISCONNECT 0x82 (Protocol Error), then the connection closes', async () => {
    const { client } = await connect5(pool, uid());
    client.sendBytes(connectBytes(uid()));
    assert.deepEqual(await client.expectClose(), [{ type: 'disconnect', reasonCode: 0x82 }]);
  });

  test("(5.0) [MQTT-3.1.2-1][MQTT-3.1.4-1][MQTT-3.14.0-1] protocol name 'MQTX' closes the connection, never with DISCONNECT", async () => {
    const client = await pool.open(5);
    client.sendBytes(frame(0x10, str('MQTX'), u8(5), u8(2), u16(60), props(), str(uid())));
    await expectSilentClose(client);
  });

  test('(5.0) [MQTT-3.1.2-2] protocol version 6 gets a CONNACK refusing the version (3.1.1 form, as mosquitto), then the connection closes', async () => {
    const client = await pool.open(4);
    client.sendBytes(frame(0x10, str('MQTT'), u8(6), u8(2), u16(60), str(uid())));
    assert.deepEqual(await client.expectClose(), [{ type: 'connack', sessionPresent: false, reasonCode: 1 }]);
  });

  test('(5.0) [MQTT-3.1.2-6][MQTT-3.1.2-5][MQTT-3.2.2-3][MQTT-3.1.3-2][MQTT-4.1.0-1] Clean Start 0 without a session creates one (Session Present 0); the ClientId finds it again (Session Present 1) with its subscriptions', async () => {
    const id = uid();
    const topic = uid('t');
    const session = { sessionExpiryInterval: 600 };
    const { client, connack } = await connect5(pool, id, { clean: false, properties: session });
    assert.deepEqual([connack.reasonCode, connack.sessionPresent], [0, false]);
    await subscribe(client, topic, 1);
    client.destroy();
    const { client: again, connack: second } = await connect5(pool, id, {
      clean: false,
      properties: session,
    });
    assert.deepEqual([second.reasonCode, second.sessionPresent], [0, true]);
    const { client: p } = await connect5(pool, uid());
    await publish(p, topic, 'kept', { qos: 1 });
    assert.equal(text(await receive(again)), 'kept');
  });

  test('(5.0) [MQTT-3.1.2-4][MQTT-3.1.4-4] Clean Start 1 discards the existing session: Session Present 0, its subscriptions are gone', async () => {
    const id = uid();
    const topic = uid('t');
    const { client } = await connect5(pool, id, { clean: false, properties: { sessionExpiryInterval: 600 } });
    await subscribe(client, topic, 1);
    client.destroy();
    const { client: fresh, connack } = await connect5(pool, id, { clean: true });
    assert.equal(connack.sessionPresent, false);
    const { client: p } = await connect5(pool, uid());
    await publish(p, topic, 'nobody', { qos: 1 });
    await expectSettled(fresh);
  });

  test('(5.0) [MQTT-4.1.0-2] once the connection is gone and the Session Expiry Interval has passed, the session is deleted', async () => {
    const id = uid();
    const { client } = await connect5(pool, id, { clean: false, properties: { sessionExpiryInterval: 1 } });
    await subscribe(client, uid('t'), 1);
    client.destroy();
    await new Promise((resolve) => setTimeout(resolve, 1500)); // the rule is about elapsed time
    const { connack } = await connect5(pool, id, { clean: false, properties: { sessionExpiryInterval: 1 } });
    assert.equal(connack.sessionPresent, false);
  });

  test('(5.0) [MQTT-3.1.3-6] an empty ClientId gets a unique Assigned Client Identifier in CONNACK', async () => {
    const a = await connect5(pool, '');
    const b = await connect5(pool, '');
    const ids = [
      a.connack.properties?.assignedClientIdentifier,
      b.connack.properties?.assignedClientIdentifier,
    ];
    assert.ok(ids.every((id) => typeof id === 'string' && id.length > 0));
    assert.notEqual(ids[0], ids[1]);
  });

  test('(5.0) [MQTT-3.1.4-3][MQTT-3.14.2-2][MQTT-3.14.2-1][MQTT-3.14.4-1][MQTT-3.14.4-2] a second connection with the ClientId: the old one gets DISCONNECT 0x8E without Session Expiry, nothing after it, then close', async () => {
    const id = uid();
    const topic = uid('t');
    const { client: old } = await connect5(pool, id);
    await subscribe(old, topic, 0);
    const { client: fresh } = await connect5(pool, id);
    assert.deepEqual(await old.expectClose(), [{ type: 'disconnect', reasonCode: 0x8e }]);
    await expectAlive(fresh);
  });

  test('(5.0) [MQTT-3.2.2-22] without Server Keep Alive in CONNACK, the client Keep Alive of 1 s applies: silence closes it with DISCONNECT 0x8D', async () => {
    const client = await pool.open(5);
    client.sendBytes(connectBytes(uid(), 0x02, 1));
    const connack = await client.expect('connack');
    assert.equal(connack.properties?.serverKeepAlive, undefined);
    assert.deepEqual(await client.expectClose(4000), [{ type: 'disconnect', reasonCode: 0x8d }]);
  });

  test('(5.0) [MQTT-3.2.2-9][MQTT-3.2.2-10] Midge supports QoS 2: CONNACK carries no Maximum QoS and SUBSCRIBE at QoS 0, 1 and 2 is granted', async () => {
    const { client, connack } = await connect5(pool, uid());
    assert.equal(connack.properties?.maximumQoS, undefined);
    const t = uid('t');
    assert.deepEqual(
      await subscribe(client, [
        [`${t}/0`, 0],
        [`${t}/1`, 1],
        [`${t}/2`, 2],
      ]),
      [0, 1, 2],
    );
  });

  test('(5.0) [MQTT-3.1.2-7] the Will Message is kept with the session and published when the connection drops', async () => {
    const topic = uid('t');
    const { client: sub } = await connect5(pool, uid());
    await subscribe(sub, topic, 1);
    const { client } = await connect5(pool, uid(), {
      will: { topic, payload: Buffer.from('gone'), qos: 1, retain: false },
    });
    client.destroy();
    assert.equal(text(await receive(sub)), 'gone');
  });

  test('(5.0) [MQTT-3.14.1-1] a DISCONNECT with a reserved flag set gets DISCONNECT 0x81', async () => {
    const { client } = await connect5(pool, uid());
    client.sendBytes('e100');
    assert.deepEqual(await client.expectClose(), [{ type: 'disconnect', reasonCode: 0x81 }]);
  });

  const malformedFlags: [title: string, bytes: string][] = [
    ['(5.0) [MQTT-3.6.1-1] PUBREL with flags 0000', frame(0x60, u16(1))],
    ['(5.0) [MQTT-3.10.1-1] UNSUBSCRIBE with flags 0000', frame(0xa0, u16(1), props(), str('a'))],
    [
      '(5.0) [MQTT-3.3.2-13][MQTT-3.3.2-14] a Response Topic with a wildcard',
      frame(0x30, str('a'), props('08', str('r/#')), hexText('x')),
    ],
    [
      '(5.0) [MQTT-3.3.2-19] a Content Type that is not UTF-8',
      frame(0x30, str('a'), props('03', u16(2), 'c328'), hexText('x')),
    ],
  ];
  for (const [title, bytes] of malformedFlags) {
    test(`${title} closes the connection after a DISCONNECT of 0x80 or above`, async () => {
      const { client } = await connect5(pool, uid());
      client.sendBytes(bytes);
      const packets = await client.expectClose();
      assert.equal(packets.length, 1);
      const disconnect = packets[0] as { type: string; reasonCode: number };
      assert.equal(disconnect.type, 'disconnect');
      assert.ok(disconnect.reasonCode >= 0x80);
    });
  }
});

describe('MQTT 5.0 refused connections', { concurrency: true }, () => {
  let strict: StartedBroker;
  let dataDir = '';
  const strictPool = new ClientPool();
  before(async () => {
    // Anonymous access off makes the broker create its auth store: keep it out of the working directory.
    dataDir = mkdtempSync(join(tmpdir(), 'midge-strict-'));
    strict = await startBroker({
      allowAnonymous: false,
      allowZeroLengthClientId: false,
      retainAvailable: false,
      persistenceLocation: dataDir,
    });
    strictPool.port = strict.port;
  });
  after(async () => {
    strictPool.closeAll();
    await strict.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('(5.0) [MQTT-3.1.4-2][MQTT-3.2.2-6][MQTT-3.2.2-7][MQTT-3.2.2-8][MQTT-4.13.2-1][MQTT-3.1.4-6] a refused CONNECT: CONNACK 0x87, Session Present 0, close; a pipelined PUBLISH is not processed', async () => {
    const topic = uid('t');
    const sub = await strictPool.open(5);
    // Even the subscriber is refused, so watch the topic on the permissive broker's neighbour: not possible;
    // instead the refused client's own pipelined SUBSCRIBE must get no SUBACK.
    sub.sendBytes(
      connectBytes(uid(), 0x02) +
        frame(0x82, u16(1), props(), str(topic), u8(0)) +
        frame(0x30, str(topic), props(), hexText('x')),
    );
    assert.deepEqual(await sub.expectClose(), [{ type: 'connack', sessionPresent: false, reasonCode: 0x87 }]);
  });

  test('(5.0) [MQTT-3.1.3-8] a rejected (empty) ClientId gets CONNACK 0x85, then close', async () => {
    const client = await strictPool.open(5);
    client.sendBytes(connectBytes(''));
    assert.deepEqual(await client.expectClose(), [
      { type: 'connack', sessionPresent: false, reasonCode: 0x85 },
    ]);
  });

  test('(5.0) [MQTT-3.2.2-13] Will Retain on a server without retained messages gets CONNACK 0x9A, then close', async () => {
    const client = await strictPool.open(5);
    client.sendBytes(
      frame(0x10, str('MQTT'), u8(5), u8(0x26), u16(60), props(), str(uid()), props(), str('w'), str('x')),
    );
    assert.deepEqual(await client.expectClose(), [
      { type: 'connack', sessionPresent: false, reasonCode: 0x9a },
    ]);
  });
});
