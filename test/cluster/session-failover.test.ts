// cluster_session_store redis: a persistent client whose node is SIGKILLed resumes on another node through
// HAProxy with its subscriptions and the messages queued for it while it was away; nothing acknowledged to
// the publisher is lost. Real redis-server (appendfsync always), three midge processes, HAProxy round robin.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, connectClient, type TestClient } from '../helpers/mqttjs.js';
import { startCluster, waitForRoute, type TestCluster } from '../helpers/cluster.js';
import { startRedis } from '../helpers/db-services.js';
import { startHaproxy, type Haproxy } from '../helpers/haproxy.js';
import { redisCli } from '../helpers/redis-cluster.js';

describe('cluster: persistent sessions survive the loss of their node (cluster_session_store redis)', () => {
  let cluster: TestCluster | undefined;
  let proxy: Haproxy | undefined;
  const clients: TestClient[] = [];

  before(async () => {
    const redis = await startRedis({ appendfsync: 'always' });
    try {
      cluster = await startCluster({ size: 3, redis, conf: 'cluster_session_store redis' });
    } catch (error) {
      await redis.destroy();
      throw error;
    }
    proxy = await startHaproxy(cluster.nodes.map((n) => n.port));
  });
  after(async () => {
    await Promise.all(clients.map((c) => closeClient(c.client)));
    await proxy?.stop();
    await cluster?.stop();
    await cluster?.redis.destroy();
  });

  for (const protocolVersion of [4, 5] as const) {
    it(`MQTT ${protocolVersion === 5 ? '5.0' : '3.1.1'}: node SIGKILLed, the client resumes elsewhere with its subscriptions and queued messages`, async () => {
      assert.ok(cluster && proxy);
      const clientId = `failover-v${protocolVersion}`;
      const base = `fo/v${protocolVersion}`;
      const session =
        protocolVersion === 5
          ? { clean: false, properties: { sessionExpiryInterval: 3600 } }
          : { clean: false };
      // The subscriber's node is the one that dies: node 0 in the first case, node 1 in the second; the
      // publisher stays on node 2.
      const dying = protocolVersion === 4 ? 0 : 1;
      const victim = cluster.nodes[dying];
      assert.ok(victim);
      const sub = await connectClient(victim.port, { clientId, protocolVersion, ...session });
      clients.push(sub);
      await sub.client.subscribeAsync(`${base}/#`, { qos: 1 });
      const pub = await connectClient(cluster.nodes[2]!.port, { protocolVersion });
      clients.push(pub);
      await waitForRoute(pub.client, sub.inbox, `${base}/probe`);
      await closeClient(sub.client);

      const count = 20;
      // Each PUBACK: the dying node's inbound stream holds the message.
      for (let i = 0; i < count; i++) await pub.client.publishAsync(`${base}/m`, String(i), { qos: 1 });
      // That node queues them for the offline session in Redis; wait until all are there, then kill it.
      const queueKey = `midge:{c:${clientId}}:out`;
      const deadline = Date.now() + 10_000;
      while (Number((await redisCli(['-p', String(cluster.redis.port), 'hlen', queueKey])).trim()) < count) {
        assert.ok(Date.now() < deadline, 'the node stored the queued messages in Redis');
        await new Promise((ok) => setTimeout(ok, 50));
      }
      await victim.kill();
      await proxy.waitForServers(protocolVersion === 4 ? ['n1', 'n2'] : ['n2']);

      // Back through the load balancer: it can only reach a node still alive.
      const back = await connectClient(proxy.port, { clientId, protocolVersion, ...session });
      clients.push(back);
      assert.equal(back.connack.sessionPresent, true, '[MQTT-3.2.2-2] the session is present');
      const queued = await back.inbox.waitFor(count, 10_000, (m) => m.topic === `${base}/m`);
      assert.deepEqual(
        queued.map((m) => m.payload.toString()),
        Array.from({ length: count }, (_, i) => String(i)),
        'every acknowledged message, in order, once',
      );
      // Its subscription came with it: a new message reaches it where it is now.
      await waitForRoute(pub.client, back.inbox, `${base}/after`);
      await closeClient(back.client);
      await closeClient(pub.client);
    });
  }
});
