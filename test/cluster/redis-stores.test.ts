// The Redis stores as a cluster uses them: two nodes (two storages on one Redis) see each other's retained
// sets and clears; a session written by one node is read and resumed by another (takeover, failover);
// acknowledged writes survive SIGKILL of Redis with appendfsync always; while Redis is down nothing is
// confirmed, nothing crashes, and the writes made meanwhile reach Redis once it is back.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { openRedisStorage, type RedisStorage } from '../../src/store/redis/storage.js';
import { startRedis, type DatabaseService } from '../helpers/db-services.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { message } from '../contracts/harness.js';

let standalone: DatabaseService | undefined;
let cluster: RedisCluster | undefined;
const open: RedisStorage[] = [];
before(async () => {
  [standalone, cluster] = await Promise.all([
    startRedis({ appendfsync: 'always' }),
    startRedisCluster({ appendfsync: 'always' }),
  ]);
});
after(async () => {
  for (const storage of open) await storage.close().catch(() => undefined);
  await Promise.all([standalone?.destroy(), cluster?.destroy()]);
});

let prefixes = 0;
async function node(redis: string, nodeId: string, prefix: string): Promise<RedisStorage> {
  const storage = await openRedisStorage({ redis, nodeId, prefix });
  open.push(storage);
  return storage;
}

async function until(what: string, condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((ok) => setTimeout(ok, 20));
  }
}

const payloads = (storage: RedisStorage, filter: string): string[] =>
  storage.retained
    .match(filter)
    .map((m) => `${m.topic}=${m.payload.toString()}`)
    .sort();

for (const layout of ['standalone', 'cluster'] as const) {
  const address = (): string =>
    layout === 'standalone'
      ? `redis://127.0.0.1:${String(standalone?.port)}`
      : (cluster?.addresses.join(' ') ?? '');

  describe(`Redis stores across nodes (${layout})`, () => {
    test('a retained message set on one node is matched on the other; clearing it clears it everywhere', async () => {
      const prefix = `across-${++prefixes}:`;
      const a = await node(address(), 'a', prefix);
      const b = await node(address(), 'b', prefix);
      a.retained.set('room/1', message('room/1', 'warm', { retain: true }));
      b.retained.set('room/2', message('room/2', 'cold', { retain: true }));
      await Promise.all([a.flush(), b.flush()]);
      await until('both retained messages on both nodes', () =>
        [a, b].every((s) => payloads(s, 'room/+').join() === 'room/1=warm,room/2=cold'),
      );
      b.retained.set('room/1', null);
      await b.flush();
      await until('the clear on node a', () => payloads(a, 'room/#').join() === 'room/2=cold');
      // A node started later reads the current set.
      const c = await node(address(), 'c', prefix);
      assert.deepEqual(payloads(c, '#'), ['room/2=cold']);
    });

    test('a session written by node a is resumed by node b with everything in it (takeover / failover)', async () => {
      const prefix = `takeover-${++prefixes}:`;
      const a = await node(address(), 'a', prefix);
      const s = a.sessions;
      s.putSession('dev', { expiryInterval: 3600 });
      s.putSubscription('dev', 'cmd/#', {
        qos: 2,
        noLocal: false,
        retainAsPublished: false,
        retainHandling: 0,
      });
      const first = s.addOutgoing('dev', {
        message: message('cmd/1', 'one'),
        qos: 1,
        retain: false,
        packetId: 4,
      });
      const second = s.addOutgoing('dev', {
        message: message('cmd/2', 'two', { qos: 2 }),
        qos: 2,
        retain: false,
      });
      s.updateOutgoing('dev', second, 5, true);
      s.addOutgoing('dev', { message: message('cmd/3', 'three'), qos: 1, retain: false });
      s.addInbound('dev', 9);
      await a.flush();
      assert.deepEqual(await a.sessions.sessionsOf('a'), ['dev']);

      // Node a is gone without a word; node b reads the session.
      const b = await node(address(), 'b', prefix);
      assert.deepEqual(b.sessions.load(Date.now()), [], 'node b holds nothing of its own at start');
      const resumed = await b.sessions.loadSession('dev');
      assert.ok(resumed);
      assert.deepEqual([...resumed.subscriptions.keys()], ['cmd/#']);
      assert.deepEqual(
        resumed.outgoing.map((o) => [o.message.payload.toString(), o.packetId, o.released]),
        [
          ['one', 4, false],
          ['two', 5, true],
          ['three', undefined, false],
        ],
      );
      assert.equal(resumed.outgoing[0]?.seq, first);
      assert.deepEqual(resumed.inboundQos2, [9]);
      // Ownership moved, and b's new messages come after the ones it took over [MQTT-4.6.0-1].
      const later = b.sessions.addOutgoing('dev', {
        message: message('cmd/4', 'four'),
        qos: 1,
        retain: false,
      });
      assert.ok(later > (resumed.outgoing.at(-1)?.seq ?? Infinity));
      await b.flush();
      assert.deepEqual(await b.sessions.sessionsOf('a'), []);
      assert.deepEqual(await b.sessions.sessionsOf('b'), ['dev']);
      // Node a, told its session moved, lets go of it: its end there does not delete it from Redis.
      a.sessions.release('dev');
      a.sessions.deleteSession('dev');
      a.sessions.addInbound('dev', 11);
      await a.flush();
      // b restarting gets the session back as its own.
      const b2 = await node(address(), 'b', prefix);
      assert.deepEqual(
        b2.sessions.load(Date.now()).flatMap((x) => x.outgoing.map((o) => o.message.payload.toString())),
        ['one', 'two', 'three', 'four'],
      );
      assert.deepEqual(b2.sessions.load(Date.now())[0]?.inboundQos2, [9]);
    });

    test('a new session under a client id starts empty, whatever Redis still held under it', async () => {
      const prefix = `fresh-${++prefixes}:`;
      const a = await node(address(), 'a', prefix);
      a.sessions.putSession('dev', { expiryInterval: 60 });
      a.sessions.putSubscription('dev', 'old/#', {
        qos: 1,
        noLocal: false,
        retainAsPublished: false,
        retainHandling: 0,
      });
      a.sessions.addOutgoing('dev', { message: message('old/1', 'stale'), qos: 1, retain: false });
      await a.flush();
      const b = await node(address(), 'b', prefix);
      b.sessions.putSession('dev', { expiryInterval: 60 });
      await b.flush();
      const resumed = await (await node(address(), 'c', prefix)).sessions.loadSession('dev');
      assert.equal(resumed?.subscriptions.size, 0);
      assert.deepEqual(resumed?.outgoing, []);
    });
  });
}

describe('Redis stores and Redis faults (standalone, appendfsync always)', () => {
  test('an acknowledged write survives SIGKILL of Redis', async () => {
    const redis = standalone;
    assert.ok(redis);
    const prefix = `kill-${++prefixes}:`;
    const address = `redis://127.0.0.1:${redis.port}`;
    const a = await node(address, 'a', prefix);
    a.sessions.putSession('kept', { expiryInterval: 60 });
    a.sessions.addOutgoing('kept', { message: message('t', 'acknowledged'), qos: 1, retain: false });
    a.retained.set('r', message('r', 'retained', { retain: true }));
    await a.flush();
    await redis.kill();
    await redis.start();
    const b = await node(address, 'a', prefix);
    assert.deepEqual(
      b.sessions.load(Date.now()).flatMap((x) => x.outgoing.map((o) => o.message.payload.toString())),
      ['acknowledged'],
    );
    assert.deepEqual(payloads(b, '#'), ['r=retained']);
  });

  test('Redis down: flush rejects (nothing confirmed), then the writes reach Redis once it is back', async () => {
    const redis = standalone;
    assert.ok(redis);
    const prefix = `down-${++prefixes}:`;
    const address = `redis://127.0.0.1:${redis.port}`;
    const failures: Error[] = [];
    const a = await openRedisStorage({
      redis: address,
      nodeId: 'a',
      prefix,
      onFailure: (e) => failures.push(e),
    });
    open.push(a);
    a.sessions.putSession('s', { expiryInterval: 60 });
    await a.flush();
    await redis.stop();
    a.sessions.putSubscription('s', 'while/down', {
      qos: 1,
      noLocal: false,
      retainAsPublished: false,
      retainHandling: 0,
    });
    a.retained.set('down', message('down', 'set while down', { retain: true }));
    await assert.rejects(a.flush());
    assert.ok(failures.length > 0, 'the failure was reported');
    assert.equal(a.pending, true, 'what failed is still to be written');
    await redis.start();
    // The next batch carries what failed: it settles once Redis took it.
    await until('a flush that succeeds', () => !a.pending, 15_000);
    await a.flush();
    const b = await node(address, 'a', prefix);
    assert.deepEqual([...(b.sessions.load(Date.now())[0]?.subscriptions.keys() ?? [])], ['while/down']);
    assert.deepEqual(payloads(b, '#'), ['down=set while down']);
  });
});

describe('Redis stores and Redis Cluster faults', () => {
  test('a master restarted under writes: nothing is confirmed while its slots are down, everything lands after', async () => {
    const redis = cluster;
    assert.ok(redis);
    const prefix = `cluster-restart-${++prefixes}:`;
    const address = redis.addresses.join(' ');
    const a = await openRedisStorage({ redis: address, nodeId: 'a', prefix, onFailure: () => undefined });
    open.push(a);
    // Enough sessions that every master holds some of them.
    const ids = Array.from({ length: 30 }, (_, i) => `dev-${i}`);
    for (const id of ids) a.sessions.putSession(id, { expiryInterval: 600 });
    await a.flush();
    const master = redis.nodes[0];
    assert.ok(master);
    await master.kill();
    for (const id of ids) a.sessions.addOutgoing(id, { message: message('t', id), qos: 1, retain: false });
    await assert.rejects(a.flush(), 'a batch touching the dead master is not confirmed');
    await master.start();
    await redis.waitHealthy();
    await until('the writes made meanwhile to be acknowledged', () => !a.pending, 20_000);
    const b = await node(address, 'a', prefix);
    const loaded = b.sessions.load(Date.now());
    assert.equal(loaded.length, ids.length);
    for (const session of loaded)
      assert.deepEqual(
        session.outgoing.map((o) => o.message.payload.toString()),
        [session.clientId],
      );
  });
});
