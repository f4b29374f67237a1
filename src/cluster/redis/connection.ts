// Redis connections of one node, made with `ioredis` loaded on first use (a broker without cluster_* lines
// never loads it). One URL is a standalone Redis; several host:port seeds are a Redis Cluster.
import type { Cluster, Redis } from 'ioredis';

export type RedisConnection = Redis | Cluster;

/** While Redis is away ioredis tries again after this long at most, so its return is noticed quickly. */
const MAX_RECONNECT_DELAY_MS = 500;

export interface ConnectOptions {
  seeds: readonly string[];
  /** Queue commands while disconnected (the subscriber) or fail them at once (everything else). */
  offlineQueue: boolean;
  /** Called for every connection error; the caller logs state changes, not each error. */
  onError(error: Error): void;
}

function parseSeed(seed: string): { host: string; port: number } {
  const cut = seed.lastIndexOf(':');
  return { host: seed.slice(0, cut).replace(/^\[|\]$/g, ''), port: Number(seed.slice(cut + 1)) };
}

export async function connectRedis(options: ConnectOptions): Promise<RedisConnection> {
  const module = await import('ioredis');
  const common = {
    lazyConnect: true,
    enableOfflineQueue: options.offlineQueue,
    maxRetriesPerRequest: options.offlineQueue ? null : 1,
    retryStrategy: (times: number) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
  };
  const first = options.seeds[0] as string;
  const redis: RedisConnection =
    options.seeds.length === 1 && /^rediss?:\/\//.test(first)
      ? new module.Redis(first, common)
      : new module.Cluster(options.seeds.map(parseSeed), {
          lazyConnect: true,
          enableOfflineQueue: options.offlineQueue,
          clusterRetryStrategy: (times: number) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
          redisOptions: { maxRetriesPerRequest: common.maxRetriesPerRequest },
        });
  redis.on('error', (error: Error) => options.onError(error));
  await redis.connect();
  return redis;
}

/** Resolves once `redis` is ready again (or at once if it is). */
export function whenReady(redis: RedisConnection): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  return new Promise((resolve) => redis.once('ready', () => resolve()));
}
