// One `cluster_redis` value → one ioredis client. ioredis is imported here lazily, so a broker without a
// cluster never loads it.
import type { Cluster, Redis } from 'ioredis';

/** A standalone Redis (one URL) or a Redis Cluster (several seed nodes). */
export type RedisTarget =
  | { readonly kind: 'standalone'; readonly url: string }
  | {
      readonly kind: 'cluster';
      readonly nodes: readonly { host: string; port: number }[];
      readonly tls: boolean;
      readonly username?: string;
      readonly password?: string;
    };

export type RedisClient = Redis | Cluster;

/**
 * `redis://[user:pass@]host:port/db` or `rediss://…` is one Redis; several addresses (`host:port` or URLs,
 * separated by spaces or commas) are the seed nodes of a Redis Cluster (which has only database 0).
 */
export function parseRedisTarget(value: string): RedisTarget {
  const parts = value.split(/[\s,]+/).filter((part) => part !== '');
  if (parts.length === 0) throw new Error('MIDGE_REDIS_ADDRESS: no Redis address given');
  if (parts.length === 1) {
    const only = parts[0] as string;
    return { kind: 'standalone', url: /^rediss?:\/\//.test(only) ? only : `redis://${only}` };
  }
  let tls = false;
  let username: string | undefined;
  let password: string | undefined;
  const nodes = parts.map((part) => {
    const url = new URL(/^rediss?:\/\//.test(part) ? part : `redis://${part}`);
    if (url.protocol === 'rediss:') tls = true;
    if (url.username !== '') username = decodeURIComponent(url.username);
    if (url.password !== '') password = decodeURIComponent(url.password);
    const port = url.port === '' ? 6379 : Number(url.port);
    if (url.hostname === '' || !Number.isInteger(port))
      throw new Error(`MIDGE_REDIS_ADDRESS: '${part}' is not host:port or a redis:// URL`);
    return { host: url.hostname.replace(/^\[|\]$/g, ''), port };
  });
  return { kind: 'cluster', nodes, tls, username, password };
}

export interface OpenRedisOptions {
  /** Told about connection errors (ioredis keeps reconnecting by itself). */
  onError?(error: Error): void;
  /** Commands fail after this many reconnect attempts instead of waiting for Redis indefinitely. */
  maxRetriesPerRequest?: number;
}

/** While Redis is away, reconnect attempts come at most this far apart, so its return is noticed quickly. */
const MAX_RECONNECT_DELAY_MS = 1000;

/** Connects and waits until the client is ready (rejects if Redis cannot be reached at start). */
export async function openRedis(target: RedisTarget, options: OpenRedisOptions = {}): Promise<RedisClient> {
  const { Redis, Cluster } = await import('ioredis');
  const common = {
    lazyConnect: true,
    maxRetriesPerRequest: options.maxRetriesPerRequest ?? 2,
    retryStrategy: (times: number) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
  };
  const client: RedisClient =
    target.kind === 'standalone'
      ? new Redis(target.url, common)
      : new Cluster([...target.nodes], {
          lazyConnect: true,
          clusterRetryStrategy: common.retryStrategy,
          redisOptions: {
            maxRetriesPerRequest: common.maxRetriesPerRequest,
            username: target.username,
            password: target.password,
            tls: target.tls ? {} : undefined,
          },
        });
  client.on('error', (error: Error) => options.onError?.(error));
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    throw error;
  }
  return client;
}

export function isCluster(client: RedisClient): client is Cluster {
  return client.isCluster;
}
