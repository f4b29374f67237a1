// The admin side of the embedded SQLite store: what `midge user` and `midge acl` change. Every method checks
// its input before touching the database, and each change is one statement, so bad input changes nothing.
// A broker running on the same file sees the change at its next check (PRAGMA data_version, sqlite.ts).
import { isValidTopicFilter } from '../../topic/validate.js';
import { permissionsOf, type RwConvention } from '../acl-grants.js';
import { checkPasswordHash, hashNewPassword } from '../password-hash.js';
import { AuthStoreError } from '../store-error.js';
import type { AuthStoreAdmin, StoredAcl, StoredUser } from '../types.js';
import { openSqlite } from './sqlite.js';

export interface SqliteStoreOptions {
  /** How rw values read in this store (default auth-plug: 1 read, 2 read and write). */
  convention?: RwConvention;
  /** auth_opt_anonusername: ACL rows for this name need no user row (they apply to anonymous clients). */
  anonymousUsername?: string;
}

const RW_RANGE: Record<RwConvention, string> = {
  'auth-plug': '1 (read) or 2 (read and write)',
  bitmask: '1 (read), 2 (write), 3 (read and write), 4 (subscribe) or their sum up to 7',
  emqx: '1 (subscribe), 2 (publish) or 3 (both)',
};

function checkUsername(username: string): void {
  // Control characters would make log lines and `user list` output lie; MQTT allows them, stores do not.
  // eslint-disable-next-line no-control-regex
  if (username === '' || /[\u0000-\u001f\u007f]/.test(username) || Buffer.byteLength(username) > 65535) {
    throw new AuthStoreError(
      'MIDGE_AUTH_BAD_USERNAME',
      `'${username}' is not a usable username: it must be non-empty, without control characters`,
    );
  }
}

function checkRw(rw: number, convention: RwConvention): void {
  const valid = Number.isInteger(rw) && permissionsOf(rw, convention) !== undefined;
  if (!valid || (convention === 'auth-plug' && rw > 2)) {
    throw new AuthStoreError(
      'MIDGE_AUTH_BAD_RW',
      `rw ${String(rw)} is not valid here: use ${RW_RANGE[convention]}`,
    );
  }
}

function checkTopic(topic: string): void {
  if (!isValidTopicFilter(topic)) {
    throw new AuthStoreError(
      'MIDGE_AUTH_BAD_TOPIC',
      `'${topic}' is not a valid topic filter ('#' only as the last level, '+' and '#' alone in their level)`,
    );
  }
}

/** Opens (creating if needed) the SQLite store at `path` for administration. */
export function openSqliteStore(path: string, options: SqliteStoreOptions = {}): AuthStoreAdmin {
  const db = openSqlite(path, { create: true });
  const convention = options.convention ?? 'auth-plug';
  const anonymous = options.anonymousUsername ?? 'anonymous';
  const exists = db.prepare('SELECT 1 FROM users WHERE username = ?').pluck();
  const known = (username: string): void => {
    checkUsername(username);
    if (exists.get(username) === undefined) {
      throw new AuthStoreError('MIDGE_AUTH_UNKNOWN_USER', `no user '${username}' in ${path}`);
    }
  };
  const hashFor = async (password: string, passwordHash: string | undefined): Promise<string> => {
    if (passwordHash === undefined) return hashNewPassword(password);
    try {
      checkPasswordHash(passwordHash);
    } catch (error) {
      throw new AuthStoreError(
        'MIDGE_AUTH_BAD_OPTION',
        `the password hash is not usable: ${(error as Error).message}`,
      );
    }
    return passwordHash;
  };

  return {
    location: path,
    async addUser(username, password, opts = {}): Promise<void> {
      checkUsername(username);
      if (exists.get(username) !== undefined) {
        throw new AuthStoreError('MIDGE_AUTH_USER_EXISTS', `user '${username}' exists already in ${path}`);
      }
      const hash = await hashFor(password, opts.passwordHash);
      db.prepare('INSERT INTO users (username, password, superuser) VALUES (?, ?, ?)').run(
        username,
        hash,
        opts.superuser === true ? 1 : 0,
      );
    },
    async removeUser(username): Promise<void> {
      known(username);
      db.transaction(() => {
        db.prepare('DELETE FROM acls WHERE username = ?').run(username);
        db.prepare('DELETE FROM users WHERE username = ?').run(username);
      })();
    },
    async listUsers(): Promise<StoredUser[]> {
      const rows = db.prepare('SELECT username, superuser FROM users ORDER BY username').all() as {
        username: string;
        superuser: number;
      }[];
      return rows.map((row) => ({ username: row.username, superuser: row.superuser !== 0 }));
    },
    async setPassword(username, password, opts = {}): Promise<void> {
      known(username);
      const hash = await hashFor(password, opts.passwordHash);
      db.prepare('UPDATE users SET password = ? WHERE username = ?').run(hash, username);
    },
    async setSuperuser(username, superuser): Promise<void> {
      known(username);
      db.prepare('UPDATE users SET superuser = ? WHERE username = ?').run(superuser ? 1 : 0, username);
    },
    async addAcl(username, topic, rw): Promise<void> {
      if (username === anonymous) checkUsername(username);
      else known(username);
      checkTopic(topic);
      checkRw(rw, convention);
      db.prepare(
        'INSERT INTO acls (username, topic, rw) VALUES (?, ?, ?) ON CONFLICT (username, topic) DO UPDATE SET rw = excluded.rw',
      ).run(username, topic, rw);
    },
    async removeAcl(username, topic): Promise<void> {
      checkUsername(username);
      const result = db.prepare('DELETE FROM acls WHERE username = ? AND topic = ?').run(username, topic);
      if (result.changes === 0) {
        throw new AuthStoreError(
          'MIDGE_AUTH_UNKNOWN_ACL',
          `no ACL row for '${username}' on '${topic}' in ${path}`,
        );
      }
    },
    async listAcls(username?: string): Promise<StoredAcl[]> {
      const sql = 'SELECT username, topic, rw FROM acls';
      const order = ' ORDER BY username, topic';
      const rows =
        username === undefined
          ? db.prepare(sql + order).all()
          : db.prepare(`${sql} WHERE username = ?${order}`).all(username);
      return rows as StoredAcl[];
    },
    async close(): Promise<void> {
      db.close();
    },
  };
}
