// The embedded SQLite auth store (better-sqlite3, loaded only when a SQLite store is used). With no auth
// directives in the config it lives in persistence_location and is created on first start with the tables
// auth-plug deployments use: users(username, password, superuser) and acls(username, topic, rw).
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { AuthStoreError } from '../store-error.js';
import type { SqlDriver } from './sql.js';

export type SqliteDatabase = BetterSqlite3.Database;

/** The embedded store's file name inside persistence_location. */
export const EMBEDDED_STORE_FILE = 'auth.db';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS users (
  username TEXT PRIMARY KEY NOT NULL,
  password TEXT NOT NULL,
  superuser INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS acls (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  username TEXT NOT NULL,
  topic TEXT NOT NULL,
  rw INTEGER NOT NULL,
  UNIQUE (username, topic)
);
CREATE INDEX IF NOT EXISTS acls_username ON acls (username);
`;

export interface OpenSqliteOptions {
  /** Create the file, its directory and the tables when missing (the embedded store). */
  create: boolean;
}

/** Opens (and with `create`, creates) a SQLite auth database. Errors carry MIDGE_AUTH_STORE_UNAVAILABLE. */
export function openSqlite(path: string, options: OpenSqliteOptions): SqliteDatabase {
  try {
    const Database = createRequire(import.meta.url)('better-sqlite3') as typeof BetterSqlite3;
    if (options.create) mkdirSync(dirname(path), { recursive: true });
    // A writer in another process (`midge user add` while the broker runs) waits up to 5 s for the lock.
    const db = new Database(path, { fileMustExist: !options.create, timeout: 5000 });
    db.pragma('journal_mode = WAL');
    if (options.create) db.exec(SCHEMA);
    return db;
  } catch (error) {
    throw new AuthStoreError(
      'MIDGE_AUTH_STORE_UNAVAILABLE',
      `cannot open the SQLite auth store '${path}' (${(error as Error).message})`,
      { cause: error },
    );
  }
}

/** A SqlDriver over one SQLite connection; `changed()` notices commits made by other connections. */
export function createSqliteDriver(path: string, options: OpenSqliteOptions): SqlDriver {
  let db: SqliteDatabase | undefined;
  let version: unknown;
  const statements = new Map<string, BetterSqlite3.Statement>();
  const open = (): SqliteDatabase => {
    if (db === undefined) {
      db = openSqlite(path, options);
      version = db.pragma('data_version', { simple: true });
    }
    return db;
  };
  return {
    name: 'sqlite',
    placeholderStyle: 'question',
    async start(): Promise<void> {
      open();
    },
    async query(text: string, params: readonly (string | number)[]): Promise<unknown[][]> {
      const database = open();
      let statement = statements.get(text);
      if (statement === undefined) {
        statement = database.prepare(text).raw(true);
        statements.set(text, statement);
      }
      return statement.all(...params) as unknown[][];
    },
    /** PRAGMA data_version changes when another connection commits: the CLI changed a user or an ACL. */
    changed(): boolean {
      if (db === undefined) return false;
      const now = db.pragma('data_version', { simple: true });
      if (now === version) return false;
      version = now;
      return true;
    },
    async close(): Promise<void> {
      db?.close();
      db = undefined;
      statements.clear();
    },
  };
}
