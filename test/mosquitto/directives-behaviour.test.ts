// mosquitto directives Midge used to accept and ignore, now doing what mosquitto.conf(5) says:
// set_tcp_nodelay, upgrade_outgoing_qos, max_inflight_bytes (connection_messages: test/logging).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import type { ConfigInput } from '../../src/index.js';

const nodelayScript = join(dirname(fileURLToPath(import.meta.url)), '..', 'helpers', 'tcp-nodelay.py');

/** TCP_NODELAY of the broker's end of a client connection, read from the kernel. */
function brokerNoDelay(brokerPort: number, clientPort: number): number {
  const out = execFileSync(
    'python3',
    [nodelayScript, String(process.pid), String(brokerPort), String(clientPort)],
    {
      encoding: 'utf8',
    },
  );
  return Number(out.trim());
}

test('set_tcp_nodelay: TCP_NODELAY on the accepted socket when true (the default), off when false', async () => {
  for (const [config, expected] of [
    [{}, 1],
    [{ setTcpNodelay: true }, 1],
    [{ setTcpNodelay: false }, 0],
  ] as [ConfigInput, number][]) {
    const broker = await startBroker(config);
    try {
      const client = await RawClient.connected(broker.port, 'nodelay');
      assert.equal(brokerNoDelay(broker.port, client.localPort), expected, JSON.stringify(config));
      client.destroy();
    } finally {
      await broker.stop();
    }
  }
});

async function subscribeRaw(
  port: number,
  clientId: string,
  filter: string,
  qos: 0 | 1 | 2,
): Promise<RawClient> {
  const client = await RawClient.connected(port, clientId);
  client.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: filter, qos }] });
  await client.expect('suback');
  return client;
}

async function publishRaw(
  port: number,
  topic: string,
  payloads: Buffer[],
  qos: 0 | 1,
  retain = false,
): Promise<void> {
  const publisher = await RawClient.connected(port, `pub-${topic}`);
  for (const [i, payload] of payloads.entries()) {
    publisher.send({
      type: 'publish',
      topic,
      payload,
      qos,
      retain,
      dup: false,
      packetId: qos === 0 ? undefined : i + 1,
    });
    if (qos === 1) await publisher.expect('puback');
  }
  publisher.disconnect();
}

test('upgrade_outgoing_qos: a QoS 0 message reaches a QoS 2 subscription at QoS 2, retained ones too', async () => {
  for (const upgrade of [false, true]) {
    const broker = await startBroker({ upgradeOutgoingQos: upgrade });
    try {
      await publishRaw(broker.port, 'up/retained', [Buffer.from('kept')], 0, true);
      const sub = await subscribeRaw(broker.port, 'up-sub', 'up/#', 2);
      const retained = await sub.expect('publish');
      assert.equal(retained.qos, upgrade ? 2 : 0);
      await publishRaw(broker.port, 'up/live', [Buffer.from('live')], 0);
      const live = await sub.expect('publish');
      assert.equal(live.topic, 'up/live');
      // Without the option the spec's rule holds: the lower of the two QoS [MQTT-3.8.4-8].
      assert.equal(live.qos, upgrade ? 2 : 0);
      sub.destroy();
    } finally {
      await broker.stop();
    }
  }
});

test('max_inflight_bytes: QoS 1 messages go into flight only while the bytes in flight are below the limit', async () => {
  const broker = await startBroker({ maxInflightBytes: 100, maxInflightMessages: 20 });
  try {
    const sub = await subscribeRaw(broker.port, 'bytes-sub', 'bytes/#', 1);
    await publishRaw(
      broker.port,
      'bytes/small',
      Array.from({ length: 5 }, () => Buffer.alloc(40)),
      1,
    );
    // 0, 40 and 80 bytes in flight are below 100: three go; at 120 the rest wait.
    const first = [await sub.expect('publish'), await sub.expect('publish'), await sub.expect('publish')];
    await sub.expectNothing(300);
    sub.send({ type: 'puback', packetId: first[0]?.packetId as number });
    const fourth = await sub.expect('publish');
    await sub.expectNothing(300);
    for (const p of [...first.slice(1), fourth]) sub.send({ type: 'puback', packetId: p.packetId as number });
    await sub.expect('publish');

    // A message larger than the limit still goes, but alone.
    await publishRaw(broker.port, 'bytes/large', [Buffer.alloc(150), Buffer.alloc(150)], 1);
    const large = await sub.expect('publish');
    await sub.expectNothing(300);
    sub.send({ type: 'puback', packetId: large.packetId as number });
    assert.equal((await sub.expect('publish')).payload.length, 150);
    sub.destroy();
  } finally {
    await broker.stop();
  }

  // Without the limit all five are in flight at once.
  const open = await startBroker({ maxInflightMessages: 20 });
  try {
    const sub = await subscribeRaw(open.port, 'bytes-open', 'bytes/#', 1);
    await publishRaw(
      open.port,
      'bytes/small',
      Array.from({ length: 5 }, () => Buffer.alloc(40)),
      1,
    );
    for (let i = 0; i < 5; i++) await sub.expect('publish');
    sub.destroy();
  } finally {
    await open.stop();
  }
});
