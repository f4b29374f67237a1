// The HTTP backend of mosquitto-auth-plug and mosquitto-go-auth: every question is a POST to the team's own
// service. getuser (username, password, clientid) authenticates, superuser (username) marks a superuser,
// aclcheck (username, clientid, topic, acc) answers one topic question; acc is 1 read, 2 write and, for
// SUBSCRIBE, http_subscribe_acc (1 by default, so a service written for "1 read / 2 write" lets clients
// subscribe where they may read; 4 is mosquitto ≥ 1.5's subscribe code).
// Form bodies carry auth-plug's five fields on every request (empty where unused, acc -1 for getuser and
// superuser); JSON bodies carry go-auth's fields. Answers are cached (acl_cacheseconds, auth_cacheseconds).
// The read check on each delivered message must answer synchronously: it answers from the cache, and a topic
// not asked about yet (or an expired answer) is asked in the background. A subscription to a topic without
// wildcards asks the read question at SUBSCRIBE time, so its messages are answered from the first one; under a
// wildcard subscription the first message of a topic never asked about is withheld while the service is asked.
import crypto from 'node:crypto';
import type { Logger } from 'pino';
import { TtlCache } from '../acl-cache.js';
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
import { ask, type Fields } from './http-client.js';
import type { Endpoint, HttpProviderOptions } from './http-options.js';
import { ReasonCode } from '../../protocol/reason-codes.js';

export interface HttpProviderSettings extends HttpProviderOptions {
  /** auth_opt_anonusername: the username asked about for clients without one (auth-plug: 'anonymous'). */
  anonymousUsername?: string;
  log?: Logger;
}

export interface HttpProvider extends AuthProvider {
  explain(query: ExplainQuery): Promise<Explanation>;
  /** Forgets every cached answer. */
  invalidate(): void;
  /** Resolves when every question now in flight has its answer (cached), failed ones included. */
  settled(): Promise<void>;
}

/** Expired read answers are refreshed in the background at most this often per question. */
const MIN_BACKGROUND_REFRESH_MS = 1000;
const HAS_WILDCARD = /[+#]/;

interface CachedAuth {
  readonly digest: Buffer;
  readonly result: AuthResult;
}

export function createHttpProvider(settings: HttpProviderSettings): HttpProvider {
  const { log, paramsMode } = settings;
  const anonymous = settings.anonymousUsername ?? 'anonymous';
  const acls = new TtlCache<string, boolean>(settings.aclCacheSeconds);
  const auths = new TtlCache<string, CachedAuth>(settings.authCacheSeconds);
  const asking = new Map<string, Promise<boolean>>();

  const accOf = (access: Access): number =>
    access === 'write' ? 2 : access === 'subscribe' ? settings.subscribeAcc : 1;

  /**
   * auth-plug sends its http_<endpoint>_params fields and all five of its own every time; go-auth only the
   * ones each endpoint uses.
   */
  const fields = (
    endpoint: Endpoint,
    all: {
      username: string;
      password?: string;
      clientid?: string;
      topic?: string;
      acc?: number;
    },
  ) => {
    const extra = settings.params[endpoint];
    if (paramsMode === 'form') {
      const { username, password = '', clientid = '', topic = '', acc = -1 } = all;
      return { ...extra, username, password, topic, acc, clientid } satisfies Fields;
    }
    return {
      ...extra,
      ...Object.fromEntries(Object.entries(all).filter(([, v]) => v !== undefined)),
    } as Fields;
  };

  const aclQuestion = (username: string, clientId: string, topic: string, access: Access) => {
    const acc = accOf(access);
    return { key: `${acc}\u0000${username}\u0000${clientId}\u0000${topic}`, acc };
  };

  /** One aclcheck, shared by concurrent askers of the same question; the answer is cached. */
  const aclcheck = (username: string, clientId: string, topic: string, access: Access): Promise<boolean> => {
    const uri = settings.aclcheckUri as string;
    const { key, acc } = aclQuestion(username, clientId, topic, access);
    let pending = asking.get(key);
    if (pending === undefined) {
      pending = ask(settings, uri, fields('aclcheck', { username, clientid: clientId, topic, acc }))
        .then((allowed) => {
          acls.set(key, allowed);
          return allowed;
        })
        .finally(() => asking.delete(key));
      asking.set(key, pending);
    }
    return pending;
  };

  const warn = (error: unknown, who: { username?: string; clientId: string }, what: string): void => {
    log?.warn({ err: error, provider: 'http', username: who.username, clientId: who.clientId }, what);
  };

  const authorize = async (who: Identity, topic: string, access: Access): Promise<Decision> => {
    if (settings.aclcheckUri === undefined) return 'defer';
    const username = who.username ?? anonymous;
    const cached = acls.fresh(aclQuestion(username, who.clientId, topic, access).key);
    try {
      const allowed = cached ?? (await aclcheck(username, who.clientId, topic, access));
      if (allowed && access === 'subscribe' && !HAS_WILDCARD.test(topic) && settings.subscribeAcc !== 1) {
        // Ask the read question now, so the first message on this topic is answered from the cache.
        await aclcheck(username, who.clientId, topic, 'read');
      }
      return allowed ? 'allow' : 'deny';
    } catch (error) {
      warn(error, who, `MIDGE_AUTH_HTTP_UNAVAILABLE: ${access} check for '${topic}' failed; denied`);
      return 'deny';
    }
  };

  const superuser = async (credentials: Credentials, username: string): Promise<boolean> => {
    if (settings.superuserUri === undefined) return false;
    // go-auth's superuser body is the username alone; auth-plug's form carries the client id too.
    const clientid = paramsMode === 'form' ? credentials.clientId : undefined;
    try {
      return await ask(settings, settings.superuserUri, fields('superuser', { username, clientid }));
    } catch (error) {
      warn(
        error,
        credentials,
        'MIDGE_AUTH_HTTP_UNAVAILABLE: superuser check failed; treated as not a superuser',
      );
      return false;
    }
  };

  const authenticate = async (credentials: Credentials): Promise<AuthResult> => {
    const { username, clientId } = credentials;
    if (username === undefined) return { decision: 'defer' };
    const password = credentials.password;
    const digest = crypto
      .createHash('sha256')
      .update(password ?? Buffer.alloc(0))
      .digest();
    const cacheKey = `${username}\u0000${clientId}`;
    const cached = auths.fresh(cacheKey);
    if (cached !== undefined && crypto.timingSafeEqual(cached.digest, digest)) return cached.result;
    let ok: boolean;
    try {
      const body = fields('getuser', {
        username,
        password: password?.toString('utf8') ?? '',
        clientid: clientId,
      });
      ok = password !== undefined && (await ask(settings, settings.getuserUri, body));
    } catch (error) {
      warn(error, credentials, 'MIDGE_AUTH_HTTP_UNAVAILABLE: getuser failed; the client is refused');
      return { decision: 'deny', reasonCode: ReasonCode.ServerUnavailable };
    }
    let result: AuthResult = { decision: 'deny', reasonCode: ReasonCode.BadUserNameOrPassword };
    if (ok)
      result = (await superuser(credentials, username))
        ? { decision: 'allow', superuser: true }
        : { decision: 'allow' };
    auths.set(cacheKey, { digest, result });
    return result;
  };

  const explain = async (query: ExplainQuery): Promise<Explanation> => {
    const username = query.username ?? anonymous;
    if (settings.aclcheckUri === undefined) {
      return {
        decision: 'defer',
        provider: 'http',
        reason: 'no auth_opt_http_aclcheck_uri: topics are not checked here',
      };
    }
    const acc = accOf(query.access);
    const rule = `POST ${settings.aclcheckUri} (username ${username}, clientid ${query.clientId}, acc ${acc})`;
    try {
      const allowed = await ask(
        settings,
        settings.aclcheckUri,
        fields('aclcheck', { username, clientid: query.clientId, topic: query.topic, acc }),
      );
      const answer = allowed ? 'allowed' : 'refused';
      return {
        decision: allowed ? 'allow' : 'deny',
        provider: 'http',
        rule,
        reason: `the aclcheck endpoint ${answer} it`,
      };
    } catch (error) {
      return { decision: 'deny', provider: 'http', rule, reason: (error as Error).message };
    }
  };

  return {
    name: 'http',
    authenticate,
    authorizePublish: (who, topic) => authorize(who, topic, 'write'),
    authorizeSubscribe: (who, filter) => authorize(who, filter, 'subscribe'),
    authorizeRead(who: Identity, topic: string): Decision {
      if (settings.aclcheckUri === undefined) return 'defer';
      const username = who.username ?? anonymous;
      const entry = acls.entry(aclQuestion(username, who.clientId, topic, 'read').key);
      const now = Date.now();
      if (
        entry === undefined ||
        (now >= entry.expiresAt && now - entry.storedAt >= MIN_BACKGROUND_REFRESH_MS)
      ) {
        aclcheck(username, who.clientId, topic, 'read').catch((error: unknown) =>
          warn(error, who, `MIDGE_AUTH_HTTP_UNAVAILABLE: read check for '${topic}' failed`),
        );
      }
      if (entry === undefined) return 'defer';
      return entry.value ? 'allow' : 'deny';
    },
    explain,
    invalidate(): void {
      acls.expireAll();
      auths.clear();
    },
    settled: async (): Promise<void> => {
      await Promise.allSettled([...asking.values()]);
    },
  };
}
