// Client ids are cluster-wide [MQTT-3.1.4-2] and wills of a crashed node are published once by another node.
// Real midge processes over a real redis-server, leases of 2 s.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IDisconnectPacket } from 'mqtt';
import { closeClient, connectClient, type TestClient } from '../helpers/mqttjs.js';
import { startCluster, waitForRoute, type TestCluster } from '../helpers/cluster.js';

describe('cluster: takeover and wills across nodes', () => {
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

  it('MQTT-3.1.4-2: CONNECT on another node closes the old connection with DISCONNECT 0x8E and brings the subscriptions', async () => {
    const options = { clientId: 'moving', clean: false, properties: { sessionExpiryInterval: 300 } };
    const old = await connect(0, options);
    await old.client.subscribeAsync('mv/#', { qos: 1 });
    const disconnected = new Promise<number | undefined>((ok) =>
      old.client.once('disconnect', (packet: IDisconnectPacket) => ok(packet.reasonCode)),
    );
    const moved = await connect(1, options);
    assert.equal(await disconnected, 0x8e);
    assert.equal(moved.connack.sessionPresent, true);
    const pub = await connect(2);
    await waitForRoute(pub.client, moved.inbox, 'mv/probe');
    await pub.client.publishAsync('mv/1', 'after the move', { qos: 1 });
    const [m] = await moved.inbox.waitFor(1, 5000, (x) => x.topic === 'mv/1');
    assert.equal(m?.payload.toString(), 'after the move');
    assert.equal(old.inbox.messages.filter((x) => x.topic === 'mv/1').length, 0);
  });

  it('MQTT-3.1.4-2: two simultaneous CONNECTs with one id on two nodes: exactly one connection survives', async () => {
    const options = { clientId: 'twin', reconnectPeriod: 0 };
    const results = await Promise.allSettled([connect(0, options), connect(1, options)]);
    const connected = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    assert.ok(connected.length >= 1);
    if (connected.length === 2) {
      // One of them is told to go; wait for that, then the other must still work.
      await Promise.race(connected.map((c) => new Promise<void>((ok) => c.client.once('close', () => ok()))));
    }
    const alive = connected.filter((c) => c.client.connected);
    assert.equal(alive.length, 1);
    const survivor = alive[0]!;
    await survivor.client.subscribeAsync('twin/#', { qos: 1 });
    const pub = await connect(2);
    await waitForRoute(pub.client, survivor.inbox, 'twin/probe');
    assert.equal(survivor.client.connected, true);
  });

  it('wills of a SIGKILLed node are published once by another node, the delayed one after its delay', async () => {
    const sub = await connect(1);
    await sub.client.subscribeAsync('will/#', { qos: 1 });
    const willOptions = (clientId: string, delay: number) => ({
      clientId,
      properties: { sessionExpiryInterval: 60 },
      will: {
        topic: `will/${clientId}`,
        payload: Buffer.from(`gone ${clientId}`),
        qos: 1 as const,
        retain: false,
        properties: { willDelayInterval: delay },
      },
    });
    const prompt = await connect(0, willOptions('prompt', 0));
    await connect(0, willOptions('delayed', 4));
    await waitForRoute(prompt.client, sub.inbox, 'will/probe');
    const killedAt = Date.now();
    cluster.nodes[0]!.proc.kill('SIGKILL');
    const [first] = await sub.inbox.waitFor(1, 10_000, (m) => m.topic === 'will/prompt');
    assert.equal(first?.payload.toString(), 'gone prompt');
    await sub.inbox.waitFor(1, 12_000, (m) => m.topic === 'will/delayed');
    assert.ok(Date.now() - killedAt >= 4000, 'the Will Delay Interval was respected');
    // Exactly once: nothing more arrives for either (every node runs the reaper; one wins each will).
    await assert.rejects(sub.inbox.waitFor(2, 1500, (m) => m.topic === 'will/prompt'));
    assert.equal(sub.inbox.messages.filter((m) => m.topic === 'will/delayed').length, 1);
  });

  it('a restarted node rejoins by itself and gets messages again', async () => {
    await cluster.restart(0);
    const sub = await connect(0);
    await sub.client.subscribeAsync('back/#', { qos: 1 });
    const pub = await connect(2);
    await waitForRoute(pub.client, sub.inbox, 'back/probe', 10_000);
    await pub.client.publishAsync('back/1', 'welcome back', { qos: 1 });
    const [m] = await sub.inbox.waitFor(1, 5000, (x) => x.topic === 'back/1');
    assert.equal(m?.payload.toString(), 'welcome back');
  });
});
