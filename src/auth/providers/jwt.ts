// JWT authentication: the MQTT password is a token, verified here with jose against a secret, a public key or
// a JWKS (file or URL); nothing is asked of a server per CONNECT except, with a JWKS URL, the key set (cached
// by jose). The token's claims (jwt-claims.ts) decide superuser status and topic access for as long as the
// client stays connected; after the token's exp every topic check is denied until it reconnects with a new one.
import { createPublicKey } from 'node:crypto';
import type { Logger } from 'pino';
import { findGrant } from '../acl-grants.js';
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
import { JwtClaimError, holderOf, type TokenHolder } from './jwt-claims.js';
import type { JwtProviderOptions } from './jwt-options.js';
import { ReasonCode } from '../../protocol/reason-codes.js';

export interface JwtProviderSettings extends JwtProviderOptions {
  log?: Logger;
  /** How many connected clients' tokens are remembered (the oldest is forgotten first). */
  maxClients?: number;
}

export interface JwtProvider extends AuthProvider {
  explain(query: ExplainQuery): Promise<Explanation>;
}

const DEFAULT_MAX_CLIENTS = 100_000;

type Verify = (token: string) => Promise<Record<string, unknown>>;

async function verifier(options: JwtProviderOptions): Promise<Verify> {
  const jose = await import('jose');
  const { key } = options;
  const checks = {
    algorithms: options.algorithms,
    issuer: options.issuer,
    audience: options.audience,
    clockTolerance: options.leewaySeconds,
  };
  if (key.kind === 'jwks' || key.kind === 'jwks-url') {
    const keys =
      key.kind === 'jwks'
        ? jose.createLocalJWKSet(key.jwks as Parameters<typeof jose.createLocalJWKSet>[0])
        : jose.createRemoteJWKSet(key.url, { timeoutDuration: 5000, cooldownDuration: 30_000 });
    return async (token) => (await jose.jwtVerify(token, keys, checks)).payload;
  }
  const secret = key.kind === 'secret' ? key.secret : createPublicKey(key.pem);
  return async (token) => (await jose.jwtVerify(token, secret, checks)).payload;
}

export function createJwtProvider(settings: JwtProviderSettings): JwtProvider {
  const { log } = settings;
  const maxClients = settings.maxClients ?? DEFAULT_MAX_CLIENTS;
  let verify: Promise<Verify> | undefined;
  /**
   * A token belongs to one connection, and must live exactly as long as the broker keeps that connection's
   * Identity (the client, then its session, which checks deliveries queued while offline). There is no
   * disconnect hook, so: CONNECT leaves the token in `pending` (listener + client id), the connection's first
   * check moves it onto its Identity object in `bound` (a WeakMap, so it goes with the Identity), and `pending`
   * only holds clients that have not been checked yet (bounded; the oldest is forgotten first).
   */
  const pending = new Map<string, TokenHolder>();
  const bound = new WeakMap<Identity, TokenHolder>();
  /** explain's view: the latest token per listener + client id, held weakly (bounded like pending). */
  const latest = new Map<string, WeakRef<TokenHolder>>();
  const keyOf = (who: Pick<Identity, 'listenerId' | 'clientId'>): string =>
    `${who.listenerId}\u0000${who.clientId}`;

  const putBounded = <V>(map: Map<string, V>, key: string, value: V): void => {
    map.delete(key);
    if (map.size >= maxClients) {
      const oldest = map.keys().next();
      if (oldest.done !== true) map.delete(oldest.value);
    }
    map.set(key, value);
  };

  const remember = (who: Identity, holder: TokenHolder): void => {
    const key = keyOf(who);
    putBounded(pending, key, holder);
    putBounded(latest, key, new WeakRef(holder));
  };

  /** The token of the connection `who` stands for (see `pending`). */
  const tokenOf = (who: Identity): TokenHolder | undefined => {
    const held = bound.get(who);
    if (held !== undefined) return held;
    const key = keyOf(who);
    const waiting = pending.get(key);
    if (waiting === undefined) return undefined;
    pending.delete(key);
    bound.set(who, waiting);
    return waiting;
  };

  const authenticate = async (credentials: Credentials): Promise<AuthResult> => {
    const { username, password } = credentials;
    if (username === undefined || password === undefined) return { decision: 'defer' };
    // A refused CONNECT forgets only a token no connection has taken yet, never a connected client's.
    pending.delete(keyOf(credentials));
    let holder: TokenHolder;
    try {
      verify ??= verifier(settings);
      holder = holderOf(await (await verify)(password.toString('utf8')), settings);
    } catch (error) {
      const reason =
        error instanceof JwtClaimError
          ? error.message
          : ((error as { code?: string }).code ?? (error as Error).message);
      log?.info(
        { provider: 'jwt', username, clientId: credentials.clientId, reason },
        'MIDGE_AUTH_JWT_INVALID: token refused',
      );
      return { decision: 'deny', reasonCode: ReasonCode.BadUserNameOrPassword };
    }
    if (holder.username !== undefined && holder.username !== username) {
      log?.info(
        { provider: 'jwt', username, clientId: credentials.clientId },
        'MIDGE_AUTH_JWT_INVALID: the token is for another user',
      );
      return { decision: 'deny', reasonCode: ReasonCode.BadUserNameOrPassword };
    }
    remember(credentials, { ...holder, username });
    return holder.superuser ? { decision: 'allow', superuser: true } : { decision: 'allow' };
  };

  interface Answer {
    decision: Decision;
    why: string;
    rule?: string;
  }

  /** What the client's token says about `access` to `topic`. */
  const decide = (
    holder: TokenHolder | undefined,
    who: Pick<Identity, 'clientId' | 'username'>,
    topic: string,
    access: Access,
  ): Answer => {
    if (holder === undefined || holder.username !== who.username) {
      return { decision: 'defer', why: 'no token is known for this client' };
    }
    if (holder.expiresAt !== undefined && Date.now() / 1000 > holder.expiresAt + settings.leewaySeconds) {
      return { decision: 'deny', why: 'the token has expired; the client must reconnect with a new one' };
    }
    if (holder.superuser) return { decision: 'allow', why: `the token's ${settings.superuserClaim} claim` };
    if (holder.grants === undefined)
      return { decision: 'defer', why: `the token has no ${settings.aclClaim} claim` };
    const grant = findGrant(holder.grants, who, topic, access);
    if (grant !== undefined)
      return { decision: 'allow', why: `${access} granted by ${grant.source}`, rule: grant.source };
    return {
      decision: 'deny',
      why: `no ${access} grant for '${topic}' in the token's ${settings.aclClaim} claim`,
    };
  };
  const check = (who: Identity, topic: string, access: Access): Decision =>
    decide(tokenOf(who), who, topic, access).decision;

  return {
    name: 'jwt',
    authenticate,
    authorizePublish: (who, topic) => check(who, topic, 'write'),
    authorizeSubscribe: (who, filter) => check(who, filter, 'subscribe'),
    authorizeRead: (who, topic) => check(who, topic, 'read'),
    explain(query: ExplainQuery): Promise<Explanation> {
      // Tokens belong to connections: explain answers for the latest client with this id.
      const suffix = `\u0000${query.clientId}`;
      const key = [...latest.keys()].find((k) => k.endsWith(suffix));
      const { decision, why, rule } = decide(
        key === undefined ? undefined : latest.get(key)?.deref(),
        query,
        query.topic,
        query.access,
      );
      return Promise.resolve({
        decision,
        provider: 'jwt',
        reason: why,
        ...(rule === undefined ? {} : { rule }),
      });
    },
    close: () => {
      pending.clear();
      latest.clear();
      return Promise.resolve();
    },
  };
}
