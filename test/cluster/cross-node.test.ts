// Three real midge processes over one real redis-server: messages cross nodes at every QoS in MQTT 3.1.1 and
// 5.0, once each and in publishing order; a node without a matching subscriber gets nothing.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, connectClient, type TestClient } from '../helpers/mqttjs.js';
import { startCluster, waitForRoute, type TestCluster } from '../helpers/cluster.js';

describe('cluster: cross-node delivery', () => {
  let cluster: TestCluster;
  const clients: TestClient[] = [];
  const connect = async (node: number, options = {}): Promise<TestClient> => {
    const c = await connectClient(cluster.nodes[node]!.port, options);
    clients.push(c);
    return c;
  };

  before(async () => {
    cluster = await startCluster({ size: 3 });
  });
  after(async () => {
    await Promise.all(clients.map((c) => closeClient(c.client)));
    await cluster.stop();
  });

  for (const protocolVersion of [4, 5] as const) {
    for (const qos of [0, 1, 2] as const) {
      it(`QoS ${qos}, MQTT ${protocolVersion === 5 ? '5.0' : '3.1.1'}: a publisher on node 0 reaches a subscriber on node 1 once each, in order`, async () => {
        const base = `x/v${protocolVersion}/q${qos}`;
        const sub = await connect(1, { protocolVersion });
        await sub.client.subscribeAsync(`${base}/#`, { qos });
        const pub = await connect(0, { protocolVersion });
        await waitForRoute(pub.client, sub.inbox, `${base}/probe`);
        const count = 50;
        for (let i = 0; i < count; i++) {
          // QoS 1/2: publishAsync resolves on PUBACK/PUBCOMP, which waits until node 1's stream holds it.
          await pub.client.publishAsync(`${base}/m`, String(i), { qos });
        }
        const got = await sub.inbox.waitFor(count, 10_000, (m) => m.topic === `${base}/m`);
        assert.deepEqual(
          got.map((m) => m.payload.toString()),
          Array.from({ length: count }, (_, i) => String(i)),
        );
        assert.ok(got.every((m) => m.qos === qos));
        // Nothing more arrives (no duplicate): a last marker comes after every earlier message.
        await pub.client.publishAsync(`${base}/end`, 'end', { qos });
        await sub.inbox.waitFor(1, 5000, (m) => m.topic === `${base}/end`);
        assert.equal(sub.inbox.messages.filter((m) => m.topic === `${base}/m`).length, count);
      });
    }
  }

  it('a message reaches subscribers on every node that has one, and the publisher node too', async () => {
    const subs = [await connect(0), await connect(1), await connect(2)];
    for (const s of subs) await s.client.subscribeAsync('fan/#', { qos: 1 });
    const pub = await connect(2);
    for (const s of subs) await waitForRoute(pub.client, s.inbox, 'fan/probe');
    await pub.client.publishAsync('fan/one', 'hello', { qos: 1 });
    for (const s of subs) {
      const [m] = await s.inbox.waitFor(1, 5000, (x) => x.topic === 'fan/one');
      assert.equal(m?.payload.toString(), 'hello');
    }
  });

  it('an MQTT 5 publish to a topic nobody subscribes to anywhere gets 0x10 No matching subscribers', async () => {
    const pub = await connect(0);
    const acked = new Promise<number | undefined>((ok) =>
      pub.client.on('packetreceive', (packet) => {
        if (packet.cmd === 'puback') ok(packet.reasonCode);
      }),
    );
    await pub.client.publishAsync('nobody/here', 'x', { qos: 1 });
    assert.equal(await acked, 0x10);
  });
});
