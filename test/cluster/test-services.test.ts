// The cluster test infrastructure itself: the Redis Cluster serves keys in every slot and survives a node
// restart, the append-only Redis keeps an acknowledged write across SIGKILL, and HAProxy spreads
// connections round robin and stops sending them to a killed server.
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server } from 'node:net';
import { startRedis } from '../helpers/db-services.js';
import { redisCli, startRedisCluster } from '../helpers/redis-cluster.js';
import { startHaproxy } from '../helpers/haproxy.js';

const cleanups: (() => Promise<void>)[] = [];
after(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

describe('cluster test services', () => {
  test('standalone Redis with appendfsync always keeps an acknowledged write across SIGKILL', async () => {
    const redis = await startRedis({ appendfsync: 'always' });
    cleanups.push(() => redis.destroy());
    const port = String(redis.port);
    assert.equal((await redisCli(['-p', port, 'set', 'k', 'v'])).trim(), 'OK');
    await redis.kill();
    await redis.start();
    assert.equal((await redisCli(['-p', port, 'get', 'k'])).trim(), 'v');
  });

  test('three-master Redis Cluster: keys in every slot range, a restarted master rejoins', async () => {
    const cluster = await startRedisCluster({ appendfsync: 'always' });
    cleanups.push(() => cluster.destroy());
    assert.equal(cluster.nodes.length, 3);
    const first = String(cluster.nodes[0]?.port);
    const masters = (await redisCli(['-p', first, 'cluster', 'nodes']))
      .split('\n')
      .filter((l) => l.includes('master'));
    assert.equal(masters.length, 3);
    // -c follows MOVED redirections: keys land on all three masters.
    for (let i = 0; i < 30; i++) await redisCli(['-c', '-p', first, 'set', `key-${i}`, String(i)]);
    const sizes = await Promise.all(
      cluster.nodes.map(async (n) => Number((await redisCli(['-p', String(n.port), 'dbsize'])).trim())),
    );
    assert.equal(
      sizes.reduce((a, b) => a + b, 0),
      30,
    );
    assert.ok(
      sizes.every((size) => size > 0),
      `keys on every master: ${sizes.join(',')}`,
    );
    const node = cluster.nodes[1];
    assert.ok(node);
    await node.kill();
    await node.start();
    await cluster.waitHealthy();
    for (let i = 0; i < 30; i++)
      assert.equal((await redisCli(['-c', '-p', first, 'get', `key-${i}`])).trim(), String(i));
  });

  test('HAProxy: round robin over the servers, a killed one is taken out', async () => {
    const servers: Server[] = [];
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      const server = createServer((socket) => {
        // HAProxy's health checks connect and reset at once: the reset is expected here.
        socket.on('error', () => undefined);
        socket.end(`server ${i}\n`);
      });
      await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
      servers.push(server);
      const address = server.address();
      assert.ok(address !== null && typeof address !== 'string');
      ports.push(address.port);
    }
    cleanups.push(async () => {
      for (const server of servers) await new Promise<void>((ok) => server.close(() => ok()));
    });
    const proxy = await startHaproxy(ports);
    cleanups.push(() => proxy.stop());
    await proxy.waitForServers(['n0', 'n1', 'n2']);
    const ask = (): Promise<string> =>
      new Promise((ok, fail) => {
        const socket = connect(proxy.port, '127.0.0.1');
        let answer = '';
        socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
        socket.once('error', fail);
        socket.once('close', () => ok(answer.trim()));
      });
    const seen = new Set<string>();
    for (let i = 0; i < 6; i++) seen.add(await ask());
    assert.deepEqual([...seen].sort(), ['server 0', 'server 1', 'server 2']);
    servers[1]?.close();
    await proxy.waitForServers(['n0', 'n2']);
    const after = new Set<string>();
    for (let i = 0; i < 6; i++) after.add(await ask());
    assert.deepEqual([...after].sort(), ['server 0', 'server 2']);
  });
});
