// One AuthProvider over any database that can answer "what is this user's password hash" and "what may this
// user do" (SQLite, PostgreSQL, MySQL/MariaDB, Redis). The per-user ACL is loaded whole and kept in a TTL cache
// (auth_opt_acl_cacheseconds), so the check on every delivered message answers synchronously; PUBLISH and
// SUBSCRIBE refresh an expired entry before answering. A backend that can tell when its data changed (the
// embedded SQLite store) makes the cache drop everything at once.
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { TtlCache } from '../acl-cache.js';
import { compileGlobs, findGrant, type AclGrant } from '../acl-grants.js';
import { verifyStoredPassword } from '../password-hash.js';
import type { SaltEncoding } from '../password-pbkdf2.js';
import type {
  Access,
  AuthProvider,
  AuthResult,
  Credentials,
  Decision,
  ExplainQuery,
  Explanation,
  Identity,
} from '../types.js';
import { ReasonCode } from '../../protocol/reason-codes.js';

/** What a backend knows about one user's rights. */
export interface AclRecord {
  readonly superuser: boolean;
  readonly grants: readonly AclGrant[];
}

export interface AuthBackend {
  /** 'sqlite', 'postgres', 'mysql', 'redis': names the provider in explanations and logs. */
  readonly name: string;
  /** Connects (pools connect lazily; a database that is down is retried on use). */
  start?(): Promise<void>;
  /** The stored hash; undefined for an unknown user. */
  passwordHash(username: string): Promise<string | undefined>;
  acl(username: string): Promise<AclRecord>;
  /** Synchronous and cheap: true when the data changed since the last call. */
  changed?(): boolean;
  close(): Promise<void>;
}

export interface DatabaseProviderOptions {
  /** auth_opt_superusers: comma-separated globs of usernames that skip ACL checks. */
  superusers?: string;
  /** auth_opt_anonusername: whose ACL rows apply to clients without a username (auth-plug: 'anonymous'). */
  anonymousUsername?: string;
  /** auth_opt_acl_cacheseconds (auth-plug default 300). */
  aclCacheSeconds?: number;
  /** auth_opt_auth_cacheseconds (auth-plug default 0: every CONNECT checks the database). */
  authCacheSeconds?: number;
  /** How PBKDF2$ salts are read (auth_opt_pbkdf2_salt); 'auto' by default. */
  saltEncoding?: SaltEncoding;
  log?: Logger;
}

export interface DatabaseProvider extends AuthProvider {
  explain(query: ExplainQuery): Promise<Explanation>;
  /** Drops every cached answer (a user or ACL changed through Midge). */
  invalidate(): void;
}

/** With acl_cacheseconds 0, the delivery path refreshes in the background at most this often per user. */
const MIN_BACKGROUND_REFRESH_MS = 1000;
/**
 * PUBLISH and each delivered message ask the backend whether its data changed at most this often: the
 * question (PRAGMA data_version) costs microseconds, too much per message. CONNECT, SUBSCRIBE and explain
 * always ask.
 */
const CHANGE_POLL_MS = 100;
/**
 * After a change, cached users' rules are fetched again this many at a time with an event-loop turn between
 * batches, so thousands of cached users neither flood the database nor stall the broker in one long tick.
 */
export const REFRESH_BATCH = 8;
const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface CachedAuth {
  readonly digest: Buffer;
  readonly result: AuthResult;
}

const digestOf = (password: Buffer | undefined): Buffer =>
  crypto
    .createHash('sha256')
    .update(password ?? Buffer.alloc(0))
    .digest();

export function createDatabaseProvider(
  backend: AuthBackend,
  options: DatabaseProviderOptions = {},
): DatabaseProvider {
  const anonymous = options.anonymousUsername ?? 'anonymous';
  const superuserGlob = compileGlobs(options.superusers);
  const acls = new TtlCache<string, AclRecord>(options.aclCacheSeconds ?? 300);
  const auths = new TtlCache<string, CachedAuth>(options.authCacheSeconds ?? 0);
  const loading = new Map<string, Promise<AclRecord>>();
  const log = options.log;
  const name = backend.name;
  // One provider may serve several listeners' chains (per_listener_settings): start and close once.
  let started: Promise<void> | undefined;
  let closed: Promise<void> | undefined;

  const nameOf = (who: Pick<Identity, 'username'>): string => who.username ?? anonymous;

  let lastChangeCheck = 0;
  /**
   * When the data changed: every cached ACL goes stale and is fetched again (REFRESH_BATCH at a time); asynchronous checks wait
   * for refreshingAll, so a PUBLISH checked after the change is routed under the new rules. The
   * synchronous read check keeps answering from the last known rules meanwhile instead of withholding every
   * client's next message.
   */
  let refreshingAll: Promise<unknown> | undefined;
  const checkChanged = (always: boolean): void => {
    if (backend.changed === undefined) return;
    const now = Date.now();
    if (!always && now - lastChangeCheck < CHANGE_POLL_MS) return;
    lastChangeCheck = now;
    if (!backend.changed()) return;
    acls.expireAll();
    auths.clear();
    const refresh = refreshInBatches([...acls.keys()]);
    refreshingAll = refresh;
    void refresh.then(() => {
      if (refreshingAll === refresh) refreshingAll = undefined;
    });
  };

  const load = (username: string): Promise<AclRecord> => {
    let pending = loading.get(username);
    if (pending === undefined) {
      pending = backend
        .acl(username)
        .then((record) => {
          acls.set(username, record);
          return record;
        })
        .finally(() => loading.delete(username));
      loading.set(username, pending);
    }
    return pending;
  };

  const refreshInBatches = async (usernames: readonly string[]): Promise<void> => {
    for (let i = 0; i < usernames.length; i += REFRESH_BATCH) {
      if (i > 0) await nextTurn();
      await Promise.allSettled(usernames.slice(i, i + REFRESH_BATCH).map((username) => load(username)));
    }
  };

  const quietLoad = (username: string): void => {
    load(username).catch((error: unknown) =>
      log?.warn({ err: error, provider: name, username }, 'MIDGE_AUTH_BACKEND_ERROR: ACL refresh failed'),
    );
  };

  /** A fresh record, or the stale one when the database cannot be reached (logged), or undefined. */
  const record = async (username: string, always = true): Promise<AclRecord | undefined> => {
    checkChanged(always);
    if (refreshingAll !== undefined) await refreshingAll;
    const fresh = acls.fresh(username);
    if (fresh !== undefined) return fresh;
    try {
      return await load(username);
    } catch (error) {
      const stale = acls.entry(username)?.value;
      log?.warn(
        { err: error, provider: name, username },
        `MIDGE_AUTH_BACKEND_ERROR: ACL lookup failed${stale === undefined ? '' : '; using the last known rules'}`,
      );
      return stale;
    }
  };

  const decide = (
    rec: AclRecord | undefined,
    who: Identity | ExplainQuery,
    topic: string,
    access: Access,
  ) => {
    if (rec === undefined) return { decision: 'defer' as Decision, grant: undefined };
    if (rec.superuser) return { decision: 'allow' as Decision, grant: undefined };
    const subject = { clientId: who.clientId, username: nameOf(who) };
    const grant = findGrant(rec.grants, subject, topic, access);
    return { decision: (grant === undefined ? 'defer' : 'allow') as Decision, grant };
  };

  const authorize = async (who: Identity, topic: string, access: Access): Promise<Decision> => {
    const username = nameOf(who);
    if (superuserGlob(username) !== undefined) return 'allow';
    return decide(await record(username, access !== 'write'), who, topic, access).decision;
  };

  const authenticate = async (credentials: Credentials): Promise<AuthResult> => {
    const username = credentials.username;
    if (username === undefined) return { decision: 'defer' };
    checkChanged(true);
    const digest = digestOf(credentials.password);
    const cached = auths.fresh(username);
    if (cached !== undefined && crypto.timingSafeEqual(cached.digest, digest)) return cached.result;
    let hash: string | undefined;
    try {
      hash = await backend.passwordHash(username);
    } catch (error) {
      log?.warn({ err: error, provider: name, username }, 'MIDGE_AUTH_BACKEND_ERROR: user lookup failed');
      return { decision: 'deny', reasonCode: ReasonCode.ServerUnavailable };
    }
    let ok = false;
    try {
      // An unknown user still costs one hash, so timing does not tell which usernames exist.
      ok = await verifyStoredPassword(credentials.password, hash, { saltEncoding: options.saltEncoding });
    } catch (error) {
      // Too many Argon2 checks waiting (argon2-pool.ts) is a busy server, not a wrong password.
      if ((error as { code?: unknown }).code === 'MIDGE_AUTH_HASH_BUSY') {
        log?.warn({ provider: name, username }, (error as Error).message);
        return { decision: 'deny', reasonCode: ReasonCode.ServerUnavailable };
      }
      log?.warn(
        { provider: name, username, reason: (error as Error).message },
        'MIDGE_AUTH_BAD_HASH: the stored password hash cannot be read; the client is refused',
      );
    }
    // An unknown user is left to the next provider; all defer = refused (0x86).
    if (hash === undefined) return { decision: 'defer' };
    let result: AuthResult = { decision: 'deny', reasonCode: ReasonCode.BadUserNameOrPassword };
    if (ok) {
      const rec = await record(username);
      const superuser = rec?.superuser === true || superuserGlob(username) !== undefined;
      result = superuser ? { decision: 'allow', superuser } : { decision: 'allow' };
    }
    auths.set(username, { digest, result });
    return result;
  };

  const explain = async (query: ExplainQuery): Promise<Explanation> => {
    const username = nameOf(query);
    const glob = superuserGlob(username);
    if (glob !== undefined) {
      return {
        decision: 'allow',
        provider: name,
        reason: `'${username}' is a superuser (auth_opt_superusers ${glob})`,
      };
    }
    const rec = await record(username);
    const { decision, grant } = decide(rec, query, query.topic, query.access);
    if (rec === undefined) {
      return { decision, provider: name, reason: `the ${name} database could not be reached` };
    }
    if (rec.superuser) {
      return { decision, provider: name, reason: `'${username}' is a superuser in the ${name} database` };
    }
    if (grant !== undefined) {
      return {
        decision,
        provider: name,
        rule: grant.source,
        reason: `${query.access} granted by ${grant.source}`,
      };
    }
    const count = rec.grants.length;
    return {
      decision,
      provider: name,
      reason: `no ${query.access} grant for '${query.topic}' among ${count} ACL rule${count === 1 ? '' : 's'} of '${username}'`,
    };
  };

  return {
    name,
    authenticate,
    authorizePublish: (who, topic) => authorize(who, topic, 'write'),
    authorizeSubscribe: (who, filter) => authorize(who, filter, 'subscribe'),
    /** Synchronous: from the cache; a miss or an expired entry starts a refresh for the next message. */
    authorizeRead(who: Identity, topic: string): Decision {
      const username = nameOf(who);
      if (superuserGlob(username) !== undefined) return 'allow';
      checkChanged(false);
      const entry = acls.entry(username);
      if (entry === undefined) {
        quietLoad(username);
        return 'defer';
      }
      const now = Date.now();
      if (now >= entry.expiresAt && now - entry.storedAt >= MIN_BACKGROUND_REFRESH_MS) quietLoad(username);
      return decide(entry.value, who, topic, 'read').decision;
    },
    start: () => (started ??= backend.start?.() ?? Promise.resolve()),
    prepare: async (who: Identity): Promise<void> => {
      await record(nameOf(who));
    },
    explain,
    invalidate(): void {
      acls.expireAll();
      auths.clear();
    },
    close: () => (closed ??= backend.close()),
  };
}
