// What the networked SQL drivers share: a pool made on first use (the driver module loads then), one retry
// for a query that failed because its connection died (the database restarted), and an idempotent close.
import type { SqlDriver } from './sql.js';

export interface PoolAccess<P> {
  readonly name: string;
  readonly placeholderStyle: SqlDriver['placeholderStyle'];
  create(): Promise<P>;
  run(pool: P, text: string, params: (string | number)[]): Promise<unknown[][]>;
  end(pool: P): Promise<void>;
}

/** Errors that mean "this connection is gone", not "this query is wrong": worth one more try. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (
    typeof code === 'string' &&
    /^(ECONNRESET|ECONNREFUSED|EPIPE|57P0[123]|08\d\d\d|PROTOCOL_CONNECTION_LOST)$/.test(code)
  )
    return true;
  return /Connection terminated|connection is closed|closed state/i.test((error as Error).message ?? '');
}

export function createPooledDriver<P>(access: PoolAccess<P>): SqlDriver {
  let pool: Promise<P> | undefined;
  const getPool = (): Promise<P> => (pool ??= access.create());
  const run = async (text: string, params: readonly (string | number)[]): Promise<unknown[][]> =>
    access.run(await getPool(), text, [...params]);
  return {
    name: access.name,
    placeholderStyle: access.placeholderStyle,
    async query(text, params) {
      try {
        return await run(text, params);
      } catch (error) {
        if (!isConnectionError(error)) throw error;
        return run(text, params);
      }
    },
    async start(): Promise<void> {
      await getPool();
    },
    async close(): Promise<void> {
      const current = pool;
      pool = undefined;
      if (current !== undefined) await access.end(await current);
    },
  };
}
