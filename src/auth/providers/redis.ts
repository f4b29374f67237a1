// Redis through `ioredis` (loaded on first use; it reconnects by itself after Redis restarts). Two layouts:
// - 'auth-plug': the user key (auth_opt_redis_userquery, default `GET %s`) holds the password hash; ACLs are
//   keys named by auth_opt_redis_aclquery (`GET %s-%s`: username, topic) holding an rw value, or one hash per
//   user (`HGETALL acl:%s`: field = topic, value = rw). Without an aclquery auth-plug allowed every topic.
// - 'go-auth': `GET <username>` holds the hash, `<username>:su` = "true" marks a superuser, and the sets
//   <username|common>:sacls / racls / wacls / rwacls hold subscribe / read / write / read-write topics.
// Usernames go into keys as command arguments, never into a command line, and are glob-escaped for SCAN.
import type { Redis } from 'ioredis';
import { permissionsOf, type AclGrant, type RwConvention } from '../acl-grants.js';
import type { AclRecord, AuthBackend } from './database.js';

export type RedisLayout = 'auth-plug' | 'go-auth';

export interface RedisOptions {
  host: string;
  port: number;
  db?: number;
  password?: string;
  layout: RedisLayout;
  userquery?: string;
  aclquery?: string;
  convention: RwConvention;
}

/**
 * How long a lookup waits for a client that is reconnecting (Redis restarted) before it fails and the
 * CONNECT is refused as "server unavailable": without it the first logins after Redis is back would be
 * refused until ioredis's next attempt.
 */
const READY_WAIT_MS = 1000;
/** While Redis is away, ioredis tries again after this long at most, so a restart is noticed quickly. */
const MAX_RECONNECT_DELAY_MS = 500;

/** Resolves when `redis` is ready, or after READY_WAIT_MS (the command then fails with ioredis's error). */
function whenReady(redis: Redis): Promise<void> {
  if (redis.status === 'ready' || redis.status === 'end') return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      redis.off('ready', done);
      resolve();
    };
    const timer = setTimeout(done, READY_WAIT_MS);
    redis.once('ready', done);
  });
}

const escapeGlob = (text: string): string => text.replace(/[*?[\]\\]/g, '\\$&');

/** `GET user:%s` → ['GET', 'user:<username>']: each word filled separately, so spaces can't add arguments. */
function command(template: string, ...values: string[]): string[] {
  let next = 0;
  return template
    .trim()
    .split(/\s+/)
    .map((word) => word.replace(/%s/g, () => values[next++] ?? ''));
}

const GO_AUTH_SETS: readonly [string, Pick<AclGrant, 'read' | 'write' | 'subscribe'>][] = [
  ['sacls', { read: false, write: false, subscribe: true }],
  ['racls', { read: true, write: false, subscribe: true }],
  ['wacls', { read: false, write: true, subscribe: false }],
  ['rwacls', { read: true, write: true, subscribe: true }],
];

export function createRedisBackend(options: RedisOptions, onError?: (error: Error) => void): AuthBackend {
  let client: Promise<Redis> | undefined;
  const connect = (): Promise<Redis> =>
    (client ??= import('ioredis').then(async (module) => {
      const redis = new module.Redis({
        host: options.host,
        port: options.port,
        db: options.db ?? 0,
        password: options.password,
        lazyConnect: true,
        // Fail fast while Redis is away (the provider answers from its cache or refuses), reconnect meanwhile.
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        retryStrategy: (times) => Math.min(times * 100, MAX_RECONNECT_DELAY_MS),
      });
      redis.on('error', (error: Error) => onError?.(error));
      await redis.connect().catch((error: Error) => onError?.(error));
      return redis;
    }));
  const ready = async (): Promise<Redis> => {
    const redis = await connect();
    await whenReady(redis);
    return redis;
  };
  const call = async (args: string[]): Promise<unknown> => {
    const [name, ...rest] = args;
    return (await ready()).call(name as string, ...rest);
  };
  const rwGrant = (topic: string, rw: number, source: string): AclGrant | undefined => {
    const permissions = permissionsOf(rw, options.convention);
    return permissions === undefined ? undefined : { topic, ...permissions, source };
  };

  const authPlugAcl = async (username: string): Promise<AclGrant[]> => {
    const aclquery = options.aclquery;
    if (aclquery === undefined) {
      return [
        {
          topic: '#',
          read: true,
          write: true,
          subscribe: true,
          source: 'redis: no redis_aclquery, every topic',
        },
      ];
    }
    const [verb = '', key = ''] = aclquery.trim().split(/\s+/);
    if (verb.toUpperCase() === 'HGETALL') {
      const hashKey = command(aclquery, username)[1] as string;
      const fields = (await call(['HGETALL', hashKey])) as string[];
      const grants: AclGrant[] = [];
      for (let i = 0; i + 1 < fields.length; i += 2) {
        const topic = fields[i] as string;
        const grant = rwGrant(
          topic,
          Number(fields[i + 1]),
          `redis hash ${hashKey} field ${topic} = ${fields[i + 1]}`,
        );
        if (grant !== undefined) grants.push(grant);
      }
      return grants;
    }
    // GET <prefix>%s<separator>%s<suffix>: find this user's keys, the topic is what the second %s matched.
    const [before = '', middle = '', after = ''] = key.split('%s');
    const prefix = `${before}${username}${middle}`;
    const pattern = `${escapeGlob(prefix)}*${escapeGlob(after)}`;
    const redis = await ready();
    const keys: string[] = [];
    let cursor = '0';
    do {
      const [nextCursor, batch] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
      cursor = nextCursor;
      keys.push(...batch);
    } while (cursor !== '0');
    if (keys.length === 0) return [];
    const values = await redis.mget(...keys);
    const grants: AclGrant[] = [];
    keys.forEach((found, index) => {
      const topic = found.slice(prefix.length, found.length - after.length);
      const value = values[index];
      const grant =
        value === null || value === undefined || topic === ''
          ? undefined
          : rwGrant(topic, Number(value), `redis key ${found} = ${value}`);
      if (grant !== undefined) grants.push(grant);
    });
    return grants;
  };

  const goAuthAcl = async (username: string): Promise<AclRecord> => {
    const redis = await ready();
    const superuser = (await redis.get(`${username}:su`)) === 'true';
    const grants: AclGrant[] = [];
    for (const owner of [username, 'common']) {
      for (const [set, permissions] of GO_AUTH_SETS) {
        for (const topic of await redis.smembers(`${owner}:${set}`)) {
          grants.push({ topic, ...permissions, source: `redis set ${owner}:${set} member ${topic}` });
        }
      }
    }
    return { superuser, grants };
  };

  return {
    name: 'redis',
    async start(): Promise<void> {
      await connect();
    },
    async passwordHash(username: string): Promise<string | undefined> {
      const query = options.layout === 'go-auth' ? 'GET %s' : (options.userquery ?? 'GET %s');
      const value = await call(command(query, username));
      return typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;
    },
    async acl(username: string): Promise<AclRecord> {
      if (options.layout === 'go-auth') return goAuthAcl(username);
      return { superuser: false, grants: await authPlugAcl(username) };
    },
    async close(): Promise<void> {
      const current = client;
      client = undefined;
      if (current !== undefined) (await current).disconnect();
    },
  };
}
