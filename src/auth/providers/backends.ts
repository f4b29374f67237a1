// auth-plug / go-auth configuration (auth_opt_* in mosquitto.conf) turned into providers. auth_opt_backends
// names them in chain order; connection settings are auth-plug's shared host/port/dbname/user/pass, which
// go-auth's prefixed forms (pg_host, mysql_port, ...) override per backend.
import { join } from 'node:path';
import type { Logger } from 'pino';
import { RW_CONVENTIONS, type RwConvention } from '../acl-grants.js';
import type { SaltEncoding } from '../password-pbkdf2.js';
import { AuthStoreError } from '../store-error.js';
import type { AuthProvider } from '../types.js';
import { createDatabaseProvider, type AuthBackend, type DatabaseProvider } from './database.js';
import { createFileProvider } from './file.js';
import { createHttpProvider } from './http.js';
import { httpOptionsFrom } from './http-options.js';
import { createJwtProvider } from './jwt.js';
import { jwtOptionsFrom } from './jwt-options.js';
import { createMysqlDriver } from './mysql.js';
import { createPostgresDriver } from './postgres.js';
import { createRedisBackend, type RedisLayout } from './redis.js';
import { createSqlBackend, type SqlDriver, type SqlQueries } from './sql.js';
import { EMBEDDED_STORE_FILE, createSqliteDriver } from './sqlite.js';

export interface BackendSettings {
  /** auth_opt_NAME values by NAME. */
  options: Readonly<Record<string, string>>;
  persistenceLocation: string;
  log?: Logger;
}

/** go-auth's option prefix per backend. */
const PREFIX: Record<string, string> = { postgres: 'pg', mysql: 'mysql', sqlite: 'sqlite', redis: 'redis' };

const bad = (detail: string): AuthStoreError => new AuthStoreError('MIDGE_AUTH_BAD_OPTION', detail);

function option(settings: BackendSettings, backend: string, ...names: string[]): string | undefined {
  const prefix = PREFIX[backend];
  for (const name of names) {
    const value =
      (prefix === undefined ? undefined : settings.options[`${prefix}_${name}`]) ?? settings.options[name];
    if (value !== undefined) return value;
  }
  return undefined;
}

function whole(settings: BackendSettings, name: string, fallback: number, backend = ''): number {
  const text = option(settings, backend, name);
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw bad(`auth_opt_${name} expects a whole number >= 0, got '${text}'`);
  return Number(text);
}

function convention(settings: BackendSettings, backend: string): RwConvention {
  const value = option(settings, backend, 'rw_convention') ?? 'auth-plug';
  if (!(RW_CONVENTIONS as readonly string[]).includes(value)) {
    throw bad(`auth_opt_rw_convention expects one of ${RW_CONVENTIONS.join(', ')}, got '${value}'`);
  }
  return value as RwConvention;
}

/**
 * How PBKDF2$ salts are read: auth_opt_pbkdf2_salt literal (auth-plug: the salt's text) | base64 (go-auth:
 * the decoded bytes) | auto (default: decoded, then literal), or go-auth's own auth_opt_hasher_salt_encoding
 * utf-8 | base64. Pinning it means a hash is only ever checked the way the tool that wrote it does.
 */
function saltEncoding(settings: BackendSettings): SaltEncoding {
  const pinned = settings.options.pbkdf2_salt;
  if (pinned !== undefined) {
    const value = ({ literal: 'utf-8', base64: 'base64', auto: 'auto' } as const)[pinned];
    if (value === undefined)
      throw bad(`auth_opt_pbkdf2_salt expects literal, base64 or auto, got '${pinned}'`);
    return value;
  }
  const goAuth = settings.options.hasher_salt_encoding;
  if (goAuth === undefined) return 'auto';
  if (goAuth !== 'utf-8' && goAuth !== 'base64') {
    throw bad(`auth_opt_hasher_salt_encoding expects utf-8 or base64, got '${goAuth}'`);
  }
  return goAuth;
}

function queries(settings: BackendSettings, backend: string): SqlQueries {
  const sqlite = backend === 'sqlite' ? 'sqlite' : '';
  return {
    // auth-plug's sqlite backend called its user query `sqliteuserquery`.
    userquery: option(settings, backend, 'userquery', `${sqlite}userquery`),
    superquery: option(settings, backend, 'superquery'),
    aclquery: option(settings, backend, 'aclquery'),
  };
}

/** The backend names auth_opt_backends lists, normalised ('pg' / 'postgresql' → 'postgres'). */
export function backendNames(list: string): string[] {
  const aliases: Record<string, string> = {
    pg: 'postgres',
    postgresql: 'postgres',
    mariadb: 'mysql',
    file: 'files',
  };
  return list
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '')
    .map((name) => aliases[name] ?? name);
}

/** Where the SQLite store is: auth_opt_dbpath / sqlite_source, else auth.db in persistence_location. */
export function sqlitePath(settings: BackendSettings): { path: string; embedded: boolean } {
  const configured = option(settings, 'sqlite', 'dbpath', 'source');
  if (configured !== undefined) return { path: configured, embedded: false };
  return { path: join(settings.persistenceLocation, EMBEDDED_STORE_FILE), embedded: true };
}

function databaseProvider(settings: BackendSettings, backend: AuthBackend): DatabaseProvider {
  return createDatabaseProvider(backend, {
    superusers: settings.options.superusers,
    anonymousUsername: settings.options.anonusername,
    aclCacheSeconds: whole(settings, 'acl_cacheseconds', 300),
    authCacheSeconds: whole(settings, 'auth_cacheseconds', 0),
    saltEncoding: saltEncoding(settings),
    log: settings.log,
  });
}

function sqlProvider(settings: BackendSettings, name: string, driver: SqlDriver): DatabaseProvider {
  return databaseProvider(
    settings,
    createSqlBackend(driver, queries(settings, name), convention(settings, name)),
  );
}

export function createSqliteProvider(settings: BackendSettings): DatabaseProvider {
  const { path, embedded } = sqlitePath(settings);
  return sqlProvider(settings, 'sqlite', createSqliteDriver(path, { create: embedded }));
}

function network(settings: BackendSettings, backend: string, defaultPort: number) {
  const host = option(settings, backend, 'host') ?? 'localhost';
  const port = whole(settings, 'port', defaultPort, backend);
  const database = option(settings, backend, 'dbname') ?? 'mqtt';
  return {
    host,
    port,
    database,
    user: option(settings, backend, 'user'),
    password: option(settings, backend, 'pass', 'password'),
  };
}

function warnOn(settings: BackendSettings, backend: string) {
  return (error: Error): void =>
    settings.log?.warn(
      { err: error, provider: backend },
      `MIDGE_AUTH_BACKEND_ERROR: ${backend}: ${error.message}`,
    );
}

/** One provider for one name of auth_opt_backends. */
export function createBackendProvider(
  name: string,
  settings: BackendSettings,
  files: { passwordFile?: string; aclFile?: string },
): AuthProvider {
  switch (name) {
    case 'files': {
      const passwordFile =
        settings.options.password_file ?? settings.options.files_password_path ?? files.passwordFile;
      const aclFile = settings.options.acl_file ?? settings.options.files_acl_path ?? files.aclFile;
      return createFileProvider({ passwordFile, aclFile });
    }
    case 'sqlite':
      return createSqliteProvider(settings);
    case 'postgres':
      return sqlProvider(
        settings,
        name,
        createPostgresDriver(network(settings, name, 5432), warnOn(settings, name)),
      );
    case 'mysql':
      return sqlProvider(settings, name, createMysqlDriver(network(settings, name, 3306)));
    case 'redis': {
      const layout = option(settings, 'redis', 'layout') ?? 'auth-plug';
      if (layout !== 'auth-plug' && layout !== 'go-auth') {
        throw bad(`auth_opt_redis_layout expects 'auth-plug' or 'go-auth', got '${layout}'`);
      }
      const backend = createRedisBackend(
        {
          host: settings.options.redis_host ?? 'localhost',
          port: whole(settings, 'redis_port', 6379),
          db: whole(settings, 'redis_db', 0),
          password: settings.options.redis_pass ?? settings.options.redis_password,
          layout: layout as RedisLayout,
          userquery: settings.options.redis_userquery,
          aclquery: settings.options.redis_aclquery,
          convention: convention(settings, 'redis'),
        },
        warnOn(settings, name),
      );
      return databaseProvider(settings, backend);
    }
    case 'http':
      return createHttpProvider({
        ...httpOptionsFrom(settings.options),
        anonymousUsername: settings.options.anonusername,
        log: settings.log,
      });
    case 'jwt':
      return createJwtProvider({ ...jwtOptionsFrom(settings.options), log: settings.log });
    default:
      throw bad(
        `auth_opt_backends: '${name}' is not a backend Midge has; use files, sqlite, postgres, mysql, redis, http or jwt`,
      );
  }
}
