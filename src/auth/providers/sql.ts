// The SQL backends (SQLite, PostgreSQL, MySQL/MariaDB) share one reading of auth-plug's three queries:
//   userquery   → the password hash of a user (first column of the first row; no row = unknown user)
//   superquery  → a count or flag; anything but 0 / empty makes the user a superuser
//   aclquery    → topics. With an access placeholder ($2 / %d) it is run once per access kind with the values
//                 of the source's rw convention (auth-plug: `rw >= $2` with 1 read, 2 write; subscribe is asked
//                 as read). Without one it returns (topic, rw) rows, decoded by the convention.
import { accessCodes, permissionsOf, type AclGrant, type RwConvention } from '../acl-grants.js';
import type { Access } from '../types.js';
import type { AclRecord, AuthBackend } from './database.js';
import { bindParams, prepareQuery, type PreparedQuery } from './sql-query.js';

/** The part of a SQL driver the backend needs: rows as arrays of column values. */
export interface SqlDriver {
  readonly name: string;
  readonly placeholderStyle: 'numbered' | 'question';
  query(text: string, params: readonly (string | number)[]): Promise<unknown[][]>;
  start?(): Promise<void>;
  changed?(): boolean;
  close(): Promise<void>;
}

export interface SqlQueries {
  userquery?: string;
  superquery?: string;
  aclquery?: string;
}

/** The embedded store's schema; also what an auth-plug table set looks like with `password` for `pw`. */
export const DEFAULT_QUERIES = {
  userquery: 'SELECT password FROM users WHERE username = $1 LIMIT 1',
  superquery: 'SELECT COUNT(*) FROM users WHERE username = $1 AND superuser = 1',
  aclquery: 'SELECT topic, rw FROM acls WHERE username = $1',
} as const;

const ACCESSES: readonly Access[] = ['read', 'write', 'subscribe'];

function truthy(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'boolean') return value;
  const text = String(value).trim().toLowerCase();
  return text !== '' && text !== '0' && text !== 'false' && text !== 'f';
}

function text(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  return Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
}

export function createSqlBackend(
  driver: SqlDriver,
  queries: SqlQueries,
  convention: RwConvention,
): AuthBackend {
  const prepare = (query: string): PreparedQuery => prepareQuery(query, driver.placeholderStyle);
  // The defaults go together: a config that sets any query is an auth-plug setup, where a query left out
  // means "no superusers" / "no ACL rows from here" rather than a table Midge made up.
  const configured = Object.values(queries).some((q) => q !== undefined);
  const chosen: SqlQueries = configured ? queries : DEFAULT_QUERIES;
  const userquery = prepare(chosen.userquery ?? DEFAULT_QUERIES.userquery);
  const superquery = chosen.superquery === undefined ? undefined : prepare(chosen.superquery);
  const aclquery = chosen.aclquery === undefined ? undefined : prepare(chosen.aclquery);
  const run = (query: PreparedQuery, username: string, access?: number): Promise<unknown[][]> =>
    driver.query(query.text, bindParams(query, username, access));

  const grantsByAccess = async (aclquery: PreparedQuery, username: string): Promise<AclGrant[]> => {
    const found = new Map<string, { read: boolean; write: boolean; subscribe: boolean }>();
    for (const access of ACCESSES) {
      for (const code of accessCodes(access, convention)) {
        for (const row of await run(aclquery, username, code)) {
          const topic = text(row[0]);
          if (topic === undefined || topic === '') continue;
          const flags = found.get(topic) ?? { read: false, write: false, subscribe: false };
          flags[access] = true;
          found.set(topic, flags);
        }
      }
    }
    return [...found].map(([topic, flags]) => ({
      topic,
      ...flags,
      source: `${driver.name} aclquery row (${username}, ${topic}) granting ${ACCESSES.filter((a) => flags[a]).join('/')}`,
    }));
  };

  const grantsByRw = async (aclquery: PreparedQuery, username: string): Promise<AclGrant[]> => {
    const grants: AclGrant[] = [];
    for (const row of await run(aclquery, username)) {
      const topic = text(row[0]);
      if (topic === undefined || topic === '') continue;
      const rw = row.length > 1 ? Number(row[1]) : 3;
      const permissions =
        row.length > 1 ? permissionsOf(rw, convention) : { read: true, write: true, subscribe: true };
      if (permissions === undefined) continue; // an rw the convention does not define grants nothing
      grants.push({
        topic,
        ...permissions,
        source: `${driver.name} acls row (${username}, ${topic}, rw ${rw})`,
      });
    }
    return grants;
  };

  return {
    name: driver.name,
    start: driver.start === undefined ? undefined : () => (driver.start as () => Promise<void>)(),
    changed: driver.changed === undefined ? undefined : () => (driver.changed as () => boolean)(),
    async passwordHash(username: string): Promise<string | undefined> {
      const rows = await run(userquery, username);
      return text(rows[0]?.[0]);
    },
    async acl(username: string): Promise<AclRecord> {
      const superuser = superquery !== undefined && truthy((await run(superquery, username))[0]?.[0]);
      if (aclquery === undefined) return { superuser, grants: [] };
      const grants = aclquery.usesAccess
        ? await grantsByAccess(aclquery, username)
        : await grantsByRw(aclquery, username);
      return { superuser, grants };
    },
    close: () => driver.close(),
  };
}
