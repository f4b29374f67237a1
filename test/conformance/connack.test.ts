// MQTT 3.1.1 section 3.2 CONNACK: Session Present and the return code, and closing after a refusal.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { RawClient } from '../helpers/raw-client.js';
import type { ConnackPacket } from '../../src/protocol/types.js';
import { frame, str, u16, u8 } from '../fixtures/hex.js';
import { ClientPool, expectAlive, subscribe, uid } from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;

/** Sends a 3.1.1 CONNECT and returns the CONNACK (the connection stays with the caller). */
async function connack(
  clientId: string,
  clean: boolean,
): Promise<{ client: RawClient; connack: ConnackPacket }> {
  const client = await pool.open();
  client.send({ type: 'connect', protocolName: 'MQTT', protocolVersion: 4, clean, keepalive: 60, clientId });
  return { client, connack: await client.expect('connack') };
}

/** Ends a connection with DISCONNECT and waits until the server has closed it (the session is released). */
async function leave(client: RawClient): Promise<void> {
  client.disconnect();
  await client.expectClose();
}

describe('3.2 CONNACK', () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  test('[MQTT-3.2.2-1] CleanSession=1 is accepted with Session Present 0 and return code 0', async () => {
    const { client, connack: ack } = await connack(uid(), true);
    assert.deepEqual(ack, { type: 'connack', sessionPresent: false, reasonCode: 0 });
    await expectAlive(client);
  });

  test('[MQTT-3.2.2-1] CleanSession=1 answers Session Present 0 even when a stored session existed for the ClientId', async () => {
    const clientId = uid();
    const first = await connack(clientId, false);
    await subscribe(first.client, uid('t'), 1);
    await leave(first.client);
    const { connack: ack } = await connack(clientId, true);
    assert.deepEqual(ack, { type: 'connack', sessionPresent: false, reasonCode: 0 });
  });

  test('[MQTT-3.2.2-3] CleanSession=0 without stored session state: Session Present 0, return code 0', async () => {
    const { connack: ack } = await connack(uid(), false);
    assert.deepEqual(ack, { type: 'connack', sessionPresent: false, reasonCode: 0 });
  });

  test('[MQTT-3.2.2-2] CleanSession=0 with stored session state: Session Present 1', async () => {
    const clientId = uid();
    const first = await connack(clientId, false);
    await subscribe(first.client, uid('t'), 1);
    await leave(first.client);
    const { connack: ack } = await connack(clientId, false);
    assert.deepEqual(ack, { type: 'connack', sessionPresent: true, reasonCode: 0 });
  });

  test('[MQTT-3.2.2-2] a CleanSession=0 session is stored even without subscriptions: Session Present 1 on return', async () => {
    const clientId = uid();
    const first = await connack(clientId, false);
    await leave(first.client);
    const { connack: ack } = await connack(clientId, false);
    assert.equal(ack.sessionPresent, true);
  });

  test('[MQTT-3.2.2-2] a session dropped without DISCONNECT is stored too: Session Present 1', async () => {
    const clientId = uid();
    const first = await connack(clientId, false);
    first.client.destroy();
    const { connack: ack } = await connack(clientId, false);
    assert.equal(ack.sessionPresent, true);
  });

  test('[MQTT-3.2.2-3][MQTT-3.1.2-6] a CleanSession=1 session is not stored: CleanSession=0 afterwards gets Session Present 0', async () => {
    const clientId = uid();
    const first = await connack(clientId, true);
    await subscribe(first.client, uid('t'), 1);
    await leave(first.client);
    const { connack: ack } = await connack(clientId, false);
    assert.deepEqual(ack, { type: 'connack', sessionPresent: false, reasonCode: 0 });
  });

  test('[MQTT-3.2.2-2] CleanSession=0 taking over a live connection of the same ClientId gets Session Present 1', async () => {
    const clientId = uid();
    const first = await connack(clientId, false);
    const { connack: ack } = await connack(clientId, false);
    assert.deepEqual(ack, { type: 'connack', sessionPresent: true, reasonCode: 0 });
    await first.client.expectClose();
  });

  test('[MQTT-3.2.2-3][MQTT-3.1.2-6] CleanSession=0 taking over a live CleanSession=1 connection gets Session Present 0', async () => {
    const clientId = uid();
    const first = await connack(clientId, true);
    await subscribe(first.client, uid('t'), 1);
    const { connack: ack } = await connack(clientId, false);
    assert.deepEqual(ack, { type: 'connack', sessionPresent: false, reasonCode: 0 });
    await first.client.expectClose();
  });

  const refusals: [title: string, bytes: () => string, returnCode: number][] = [
    [
      'unacceptable protocol level (0x01)',
      () => frame(0x10, str('MQTT'), u8(7), u8(0x00), u16(60), str(uid())),
      1,
    ],
    [
      'identifier rejected (0x02): empty ClientId with CleanSession=0',
      () => frame(0x10, str('MQTT'), u8(4), u8(0x00), u16(60), str('')),
      2,
    ],
  ];
  for (const [title, bytes, returnCode] of refusals) {
    test(`[MQTT-3.2.2-4][MQTT-3.2.2-5] ${title}: Session Present 0 with CleanSession=0, then the connection closes`, async () => {
      const client = await pool.open();
      client.sendBytes(bytes());
      const packets = await client.expectClose();
      assert.deepEqual(packets, [{ type: 'connack', sessionPresent: false, reasonCode: returnCode }]);
    });
  }

  test('[MQTT-3.2.2-4] a refused CleanSession=0 CONNECT answers Session Present 0 even when the session exists', async () => {
    const clientId = uid();
    const first = await connack(clientId, false);
    await leave(first.client);
    const client = await pool.open();
    // The same ClientId, but protocol level 6: refused although its session is stored.
    client.sendBytes(frame(0x10, str('MQTT'), u8(6), u8(0x00), u16(60), str(clientId)));
    const packets = await client.expectClose();
    assert.deepEqual(packets, [{ type: 'connack', sessionPresent: false, reasonCode: 1 }]);
  });

  test('[MQTT-3.2.2-6] a CONNECT no return code fits (protocol name "MQTX") is closed without any CONNACK', async () => {
    const client = await pool.open();
    client.sendBytes(frame(0x10, str('MQTX'), u8(4), u8(0x02), u16(60), str(uid())));
    assert.deepEqual(await client.expectClose(), []);
  });
});
