// Loads the auth contract's users and ACL rows into a real PostgreSQL, MariaDB or Redis server, the way a team
// running mosquitto-auth-plug or mosquitto-go-auth has them.
import pg from 'pg';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';
import { hashNewPassword } from '../../src/auth/password-hash.js';
import { SEED_ACLS, SEED_USERS } from '../contracts/auth-provider.js';
import { createBackendProvider } from '../../src/auth/providers/backends.js';
import type { ContractSubject } from '../contracts/auth-provider.js';
import type { DatabaseService } from './db-services.js';

type Exec = (sql: string, values: unknown[]) => Promise<unknown>;

/** The seed rows through `exec`, with `$n` placeholders rewritten by `placeholder`. */
async function insertSeed(exec: Exec, placeholder: (n: number) => string): Promise<void> {
  const insert = (sql: string): string => sql.replace(/\$(\d)/g, (_, n: string) => placeholder(Number(n)));
  for (const user of SEED_USERS) {
    await exec(insert('INSERT INTO users (username, password, superuser) VALUES ($1, $2, $3)'), [
      user.username,
      await hashNewPassword(user.password),
      user.superuser ? 1 : 0,
    ]);
  }
  for (const acl of SEED_ACLS) {
    await exec(insert('INSERT INTO acls (username, topic, rw) VALUES ($1, $2, $3)'), [
      acl.username,
      acl.topic,
      acl.rw,
    ]);
  }
}

/** Seeds a freshly started service; if that fails the service is stopped, so no server outlives the test. */
export async function seeded(
  service: DatabaseService,
  seed: (service: DatabaseService) => Promise<void>,
): Promise<DatabaseService> {
  try {
    await seed(service);
    return service;
  } catch (error) {
    await service.destroy();
    throw error;
  }
}

/** A provider for a PostgreSQL or MariaDB service's `mqtt` database with these auth-plug queries. */
export function sqlSubject(
  backend: 'postgres' | 'mysql',
  service: DatabaseService,
  queries: Record<string, string>,
): ContractSubject {
  const options = {
    host: service.host,
    port: String(service.port),
    dbname: 'mqtt',
    user: service.user,
    ...queries,
  };
  const provider = createBackendProvider(backend, { options, persistenceLocation: '.' }, {});
  return {
    provider,
    superusers: true,
    close: async () => {
      await provider.close?.();
      await service.destroy();
    },
  };
}

const TABLES = [
  'CREATE TABLE users (id SERIAL PRIMARY KEY, username VARCHAR(128) NOT NULL UNIQUE, password VARCHAR(256) NOT NULL, superuser INT NOT NULL DEFAULT 0)',
  'CREATE TABLE acls (id SERIAL PRIMARY KEY, username VARCHAR(128) NOT NULL, topic VARCHAR(256) NOT NULL, rw INT NOT NULL)',
];

/** Creates database `mqtt` with the users and acls tables and the seed rows. */
export async function seedPostgres(service: DatabaseService): Promise<void> {
  const admin = new pg.Client({
    host: service.host,
    port: service.port,
    user: service.user,
    database: 'postgres',
  });
  await admin.connect();
  await admin.query('CREATE DATABASE mqtt');
  await admin.end();
  const db = new pg.Client({ host: service.host, port: service.port, user: service.user, database: 'mqtt' });
  await db.connect();
  for (const sql of TABLES) await db.query(sql);
  await insertSeed(
    (sql, values) => db.query(sql, values),
    (n) => `$${n}`,
  );
  await db.end();
}

/** Runs statements on database `mqtt` of a PostgreSQL service (tests that change rows). */
export async function postgresExec(
  service: DatabaseService,
  sql: string,
  values: unknown[] = [],
): Promise<void> {
  const db = new pg.Client({ host: service.host, port: service.port, user: service.user, database: 'mqtt' });
  await db.connect();
  await db.query(sql, values);
  await db.end();
}

/**
 * MySQL's default collations compare case-insensitively, so 'Client' would find client's row: usernames get a
 * binary collation, as an auth table should have.
 */
export async function seedMariadb(service: DatabaseService): Promise<void> {
  const db = await mysql.createConnection({ host: service.host, port: service.port, user: service.user });
  await db.query('CREATE DATABASE mqtt');
  await db.query('USE mqtt');
  for (const sql of TABLES) await db.query(sql.replace(/username VARCHAR\(128\)/, '$& COLLATE utf8mb4_bin'));
  await insertSeed(
    (sql, values) => db.execute(sql, values as (string | number)[]),
    () => '?',
  );
  await db.end();
}

/**
 * auth-plug's layout: `user:<name>` holds the hash, `acl:<name>-<topic>` holds rw. No superuser key: auth-plug
 * marks superusers with auth_opt_superusers. go-auth's layout (db + 1): `<name>` holds the hash, `<name>:su`
 * is "true" for a superuser, sets `<name>:racls` / `<name>:rwacls` hold topics.
 */
export async function seedRedis(service: DatabaseService): Promise<void> {
  const redis = new Redis({ host: service.host, port: service.port, lazyConnect: true });
  await redis.connect();
  for (const user of SEED_USERS) {
    const hash = await hashNewPassword(user.password);
    await redis.set(`user:${user.username}`, hash);
    await redis.select(1);
    await redis.set(user.username, hash);
    if (user.superuser) await redis.set(`${user.username}:su`, 'true');
    await redis.select(0);
  }
  for (const acl of SEED_ACLS) {
    await redis.set(`acl:${acl.username}-${acl.topic}`, String(acl.rw));
    await redis.select(1);
    await redis.sadd(`${acl.username}:${acl.rw === 2 ? 'rwacls' : 'racls'}`, acl.topic);
    await redis.select(0);
  }
  redis.disconnect();
}
