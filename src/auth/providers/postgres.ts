// PostgreSQL through a `pg` Pool (loaded on first use). The pool replaces connections that die, so after the
// database restarts the next query opens a fresh one (pooled.ts retries the query that hit the dead one).
import type pg from 'pg';
import { createPooledDriver } from './pooled.js';
import type { SqlDriver } from './sql.js';

export interface NetworkDatabaseOptions {
  host: string;
  port: number;
  database: string;
  user?: string;
  password?: string;
  /** Pool size; default 10. */
  max?: number;
}

export function createPostgresDriver(
  options: NetworkDatabaseOptions,
  onError?: (error: Error) => void,
): SqlDriver {
  return createPooledDriver<pg.Pool>({
    name: 'postgres',
    placeholderStyle: 'numbered',
    async create() {
      const module = await import('pg');
      const pool = new module.default.Pool({
        host: options.host,
        port: options.port,
        database: options.database,
        user: options.user,
        password: options.password,
        max: options.max ?? 10,
        connectionTimeoutMillis: 5000,
        idleTimeoutMillis: 30_000,
      });
      // An idle connection killed by a database restart emits 'error' on the pool: report it, don't crash.
      pool.on('error', (error) => onError?.(error));
      return pool;
    },
    async run(pool, text, values) {
      return (await pool.query({ text, values, rowMode: 'array' })).rows as unknown[][];
    },
    end: (pool) => pool.end(),
  });
}
