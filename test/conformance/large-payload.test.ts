// Large payloads travel as a frame head plus the payload bytes themselves (not copied into each frame): what
// subscribers receive must still be the exact packet, with each delivery's own packet id and DUP flag.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { ClientPool, publish, receive, subscribe, uid } from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;

/** 20,000 bytes that differ along their length, so a shifted or truncated payload cannot pass. */
function payloadOf(seed: number): Buffer {
  const bytes = Buffer.alloc(20000);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

describe('large payloads', () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  test('[MQTT-3.3.5-1] subscribers at QoS 0, 1 and 2 (3.1.1 and 5.0) each get the exact 20,000 byte payload', async () => {
    const topic = uid('t');
    const subs = [];
    for (const version of [4, 5] as const) {
      for (const qos of [0, 1, 2] as const) {
        const sub = await pool.connect(uid('s'), { version });
        assert.deepEqual(await subscribe(sub, topic, qos), [qos]);
        subs.push({ sub, qos });
      }
    }
    const pub = await pool.connect(uid('p'));
    for (const [i, qos] of [2, 1, 0].entries()) {
      const payload = payloadOf(i);
      await publish(pub, topic, payload, { qos: qos as 0 | 1 | 2 });
      for (const { sub, qos: granted } of subs) {
        const packet = await receive(sub);
        assert.equal(packet.qos, Math.min(granted, qos));
        assert.equal(packet.dup, false);
        assert.equal(packet.topic, topic);
        assert.ok(packet.payload.equals(payload), `payload intact at QoS ${packet.qos}`);
      }
    }
  });

  test('[MQTT-4.4.0-1][MQTT-3.3.1-1] an unacknowledged large QoS 1 message goes out again with DUP=1, its id and its payload', async () => {
    const clientId = uid('s');
    const topic = uid('t');
    const sub = await pool.connect(clientId, { clean: false });
    await subscribe(sub, topic, 1);
    const pub = await pool.connect(uid('p'));
    const payloads = [payloadOf(7), payloadOf(8)];
    for (const payload of payloads) await publish(pub, topic, payload, { qos: 1 });
    const first = [await receive(sub, false), await receive(sub, false)];
    assert.notEqual(first[0]?.packetId, first[1]?.packetId);
    sub.destroy();
    const again = await pool.connect(clientId, { clean: false });
    for (const [i, sent] of first.entries()) {
      const packet = await receive(again);
      assert.deepEqual([packet.packetId, packet.dup, packet.qos], [sent.packetId, true, 1]);
      assert.ok(packet.payload.equals(payloads[i] as Buffer));
    }
  });
});
