// Issue 20: memory_limit (mosquitto.conf(5)) refuses new PUBLISHes (MQTT 5: 0x97 Quota exceeded; 3.1.1:
// disconnected, as mosquitto does) and new connections once the broker holds that much, and recovers below it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { startBroker } from '../helpers/broker.js';
import { startMidge } from '../helpers/midge-process.js';
import { RawClient } from '../helpers/raw-client.js';
import { encode } from '../../src/protocol/encoder.js';

const MiB = 1024 * 1024;
const LIMIT = 320 * MiB;
const PAYLOAD = Buffer.alloc(10 * MiB, 0x62);

/** Resident memory of a process, from /proc. */
function rssOf(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match?.[1] ?? 0) * 1024;
}

/** A subscriber that never reads: everything for it piles up in the broker. */
function stuckSubscriber(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect({ port, host: '127.0.0.1' }, () => {
      socket.write(
        encode(
          {
            type: 'connect',
            protocolName: 'MQTT',
            protocolVersion: 4,
            clean: true,
            keepalive: 0,
            clientId: 'stuck',
          },
          4,
        ),
      );
      socket.write(
        encode({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'flood/#', qos: 1 }] }, 4),
      );
      // Read the CONNACK and SUBACK, then stop reading for good.
      socket.once('data', () => {
        socket.pause();
        resolve(socket);
      });
    });
    socket.once('error', reject);
  });
}

test('memory_limit: a flood of 10 MiB QoS 1 messages to a stuck subscriber is refused with 0x97 before the broker passes the limit, and publishing works again once the memory is free', async () => {
  const midge = await startMidge({
    conf: `memory_limit ${LIMIT}\nmax_queued_messages 0\nmax_queued_bytes 0\nmax_inflight_messages 0\n`,
  });
  const pid = midge.proc.pid as number;
  let peak = rssOf(pid);
  const sampler = setInterval(() => (peak = Math.max(peak, rssOf(pid))), 5);
  try {
    const stuck = await stuckSubscriber(midge.port);
    const publisher = await RawClient.connected(midge.port, 'flooder', { version: 5 });
    let refused = 0;
    let accepted = 0;
    for (let i = 1; i <= 60 && refused < 5; i++) {
      publisher.send({
        type: 'publish',
        topic: 'flood/big',
        payload: PAYLOAD,
        qos: 1,
        retain: false,
        dup: false,
        packetId: i,
      });
      const ack = await publisher.expect('puback', 10_000);
      if (ack.reasonCode === 0x97) refused++;
      else accepted++;
    }
    assert.ok(accepted >= 5, `some messages were taken before the limit (${accepted})`);
    assert.equal(refused, 5, '0x97 Quota exceeded once the limit is near');
    assert.ok(
      peak <= LIMIT,
      `resident memory peaked at ${(peak / MiB).toFixed(0)} MiB, limit ${LIMIT / MiB} MiB`,
    );

    // The stuck subscriber goes: what was held for it is freed, and the publisher is served again.
    stuck.destroy();
    const deadline = Date.now() + 10_000;
    let recovered = false;
    for (let id = 100; !recovered && Date.now() < deadline; id++) {
      publisher.send({
        type: 'publish',
        topic: 'flood/big',
        payload: Buffer.alloc(1024),
        qos: 1,
        retain: false,
        dup: false,
        packetId: id,
      });
      const ack = await publisher.expect('puback', 10_000);
      recovered = ack.reasonCode !== 0x97;
      if (!recovered) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(recovered, 'a PUBLISH is accepted again once memory is below the limit');
    publisher.disconnect();
  } finally {
    clearInterval(sampler);
    await midge.stop();
  }
});

test('memory_limit reached: CONNECT is refused (MQTT 5 0x97, 3.1.1 0x03 Server unavailable)', async () => {
  const broker = await startBroker({ memoryLimit: 1 });
  try {
    const v5 = await RawClient.open(broker.port, 5);
    v5.send({
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 5,
      clean: true,
      keepalive: 60,
      clientId: 'a',
    });
    assert.equal((await v5.expect('connack')).reasonCode, 0x97);
    await v5.expectClose();
    const v4 = await RawClient.open(broker.port, 4);
    v4.send({
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepalive: 60,
      clientId: 'b',
    });
    assert.equal((await v4.expect('connack')).reasonCode, 3);
    await v4.expectClose();
  } finally {
    await broker.stop();
  }
});
