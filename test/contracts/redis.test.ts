// The store contracts against Redis: a standalone redis-server with appendfsync always, and a three-master
// Redis Cluster. Every harness gets its own key prefix; reopen closes the storage and opens it again as the
// same node (a restart reads back the sessions that node held).
import { after, before } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withRetainedFrom } from '../../src/store/combine.js';
import { openRedisRetained, openRedisStorage } from '../../src/store/redis/storage.js';
import { openSqliteStorage } from '../../src/store/sqlite/storage.js';
import { startRedis, type DatabaseService } from '../helpers/db-services.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-cluster.js';
import { retainedStoreContract } from './retained-store.js';
import { sessionStoreContract } from './session-store.js';
import type { StorageHarness } from './harness.js';

let standalone: DatabaseService | undefined;
let cluster: RedisCluster | undefined;
before(async () => {
  [standalone, cluster] = await Promise.all([
    startRedis({ appendfsync: 'always' }),
    startRedisCluster({ appendfsync: 'always' }),
  ]);
});
after(async () => {
  await Promise.all([standalone?.destroy(), cluster?.destroy()]);
});

let harnesses = 0;
const harness = (redis: () => string) => (): StorageHarness => {
  const prefix = `contract-${++harnesses}:`;
  const open = () =>
    openRedisStorage({
      redis: redis(),
      nodeId: 'node-a',
      prefix,
      onFailure: (error) => {
        throw error;
      },
    });
  return {
    open,
    reopen: async (storage) => {
      await storage.close();
      return open();
    },
    cleanup: () => Promise.resolve(),
  };
};

const standaloneUrl = (): string => `redis://127.0.0.1:${String(standalone?.port)}`;
const clusterNodes = (): string => cluster?.addresses.join(' ') ?? '';

sessionStoreContract('redis', harness(standaloneUrl));
retainedStoreContract('redis', harness(standaloneUrl));
sessionStoreContract('redis cluster', harness(clusterNodes));
retainedStoreContract('redis cluster', harness(clusterNodes));

// cluster_session_store local: each node's sessions in its own SQLite file, retained messages in Redis.
const localSessions = (): StorageHarness => {
  const prefix = `contract-${++harnesses}:`;
  let dir: string | undefined;
  const open = async () => {
    dir ??= await mkdtemp(join(tmpdir(), 'midge-local-sessions-'));
    const fail = (error: Error): void => {
      throw error;
    };
    const sessions = await openSqliteStorage({ file: join(dir, 'midge.db'), sync: 'full', onFailure: fail });
    const retained = await openRedisRetained({
      redis: clusterNodes(),
      nodeId: 'node-a',
      prefix,
      onFailure: fail,
    });
    return withRetainedFrom(sessions, retained);
  };
  return {
    open,
    reopen: async (storage) => {
      await storage.close();
      return open();
    },
    cleanup: async () => {
      if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    },
  };
};
sessionStoreContract('sqlite sessions + redis cluster retained', localSessions);
retainedStoreContract('sqlite sessions + redis cluster retained', localSessions);
