// MySQL / MariaDB through a `mysql2` pool (loaded on first use). Queries run as server-side prepared
// statements (`execute`); pooled.ts retries a query that hit a connection the server dropped (restart).
import type { Pool } from 'mysql2/promise';
import { createPooledDriver } from './pooled.js';
import type { NetworkDatabaseOptions } from './postgres.js';
import type { SqlDriver } from './sql.js';

export function createMysqlDriver(options: NetworkDatabaseOptions): SqlDriver {
  return createPooledDriver<Pool>({
    name: 'mysql',
    placeholderStyle: 'question',
    async create() {
      const module = await import('mysql2/promise');
      return module.createPool({
        host: options.host,
        port: options.port,
        database: options.database,
        user: options.user,
        password: options.password,
        connectionLimit: options.max ?? 10,
        connectTimeout: 5000,
        enableKeepAlive: true,
      });
    },
    async run(pool, sql, values) {
      const [rows] = await pool.execute({ sql, values, rowsAsArray: true });
      return rows as unknown[][];
    },
    end: (pool) => pool.end(),
  });
}
