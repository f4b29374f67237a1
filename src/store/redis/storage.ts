// Redis storage: the session store and the retained store over one connection and one batch writer, so a
// PUBLISH's queued messages and its retained change are acknowledged by Redis together. A second connection
// subscribes to the retained change channel (a subscribed connection can send nothing else).
import type { Storage } from '../types.js';
import { isCluster, openRedis, parseRedisTarget, type RedisClient } from './connect.js';
import { RedisKeys } from './keys.js';
import { RedisRetainedStore } from './retained.js';
import { RedisSessionStore } from './session-store.js';
import { RedisWriter } from './writer.js';

export interface RedisStorageOptions {
  /** The `cluster_redis` value: one redis:// URL, or several addresses of a Redis Cluster. */
  redis: string;
  /** This node's id: the owner recorded with its sessions. */
  nodeId: string;
  /** Prefix of every key and channel (default `midge:`): several clusters can share one Redis. */
  prefix?: string;
  /** Told once per failed batch; its waiters are rejected (nothing is acknowledged), later batches retry. */
  onFailure?(error: Error): void;
  /** Told about connection errors; ioredis reconnects by itself. */
  onError?(error: Error): void;
  /** Told after each acknowledged batch: seconds and commands (metrics). */
  onCommit?(seconds: number, commands: number): void;
}

export interface RedisStorage extends Storage {
  readonly sessions: RedisSessionStore;
  readonly retained: RedisRetainedStore;
}

/** Retained messages alone in Redis (`cluster_session_store local`: sessions stay in each node's own store). */
export type RedisRetainedStorage = Omit<RedisStorage, 'sessions'>;

/** Sessions and retained messages in Redis (`cluster_session_store redis`). */
export async function openRedisStorage(options: RedisStorageOptions): Promise<RedisStorage> {
  // Not a spread copy: `pending` is a getter and must stay one.
  return (await open(options, true)) as RedisStorage;
}

export function openRedisRetained(options: RedisStorageOptions): Promise<RedisRetainedStorage> {
  return open(options, false);
}

async function open(
  options: RedisStorageOptions,
  withSessions: boolean,
): Promise<RedisRetainedStorage & { sessions?: RedisSessionStore }> {
  const target = parseRedisTarget(options.redis);
  const client = await openRedis(target, { onError: options.onError });
  let subscriber: RedisClient | undefined;
  try {
    subscriber = await openRedis(target, { onError: options.onError });
    const keys = new RedisKeys(options.prefix ?? 'midge:');
    const writer = new RedisWriter(client, { onFailure: options.onFailure, onCommit: options.onCommit });
    const sessions = withSessions
      ? await RedisSessionStore.open(client, keys, writer, options.nodeId)
      : undefined;
    const retained = await RedisRetainedStore.open(client, subscriber, keys, writer);
    const durability = await describeDurability(client);
    const where =
      target.kind === 'standalone'
        ? redactUrl(target.url)
        : `Redis Cluster ${target.nodes.map((n) => `${n.host}:${n.port}`).join(' ')}`;
    const opened = subscriber;
    return {
      sessions,
      retained,
      description: `Redis ${where} (${withSessions ? 'sessions and retained messages' : 'retained messages'}; ${durability})`,
      get pending() {
        return writer.pending;
      },
      flush: () => writer.flush(),
      close: async () => {
        await writer.close();
        await Promise.all([opened.quit(), client.quit()]);
      },
    };
  } catch (error) {
    subscriber?.disconnect();
    client.disconnect();
    throw error;
  }
}

/** What an acknowledged write survives, from Redis's own settings (CONFIG may be disabled: then unknown). */
async function describeDurability(client: RedisClient): Promise<string> {
  try {
    const node = isCluster(client) ? client.nodes('master')[0] : client;
    if (node === undefined) return 'durability unknown';
    const [, appendonly] = (await node.config('GET', 'appendonly')) as string[];
    const [, fsync] = (await node.config('GET', 'appendfsync')) as string[];
    if (appendonly !== 'yes') return 'appendonly no: acknowledged writes are lost if Redis crashes';
    if (fsync === 'always') return "appendfsync always: every acknowledged write is fsync'd";
    return `appendfsync ${fsync ?? '?'}: a crash of Redis can lose up to a second of acknowledged writes`;
  } catch {
    return 'durability unknown (CONFIG GET refused)';
  }
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}
