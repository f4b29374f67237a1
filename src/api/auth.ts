// Who is calling the HTTP API: an API key (Bearer), a Midge user (Basic, checked by the broker's auth chain),
// a signed-in console session (cookie + CSRF header on changing requests), or nobody.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Broker, ControlIdentity } from '../index.js';
import { ApiKeyVerifier } from './api-keys.js';
import { ConsoleSessions, csrfMatches, CSRF_HEADER, type ConsoleSession } from './console-sessions.js';
import { CredentialCache } from './credential-cache.js';
import { sendError } from './errors.js';
import type { HttpApiOptions } from './http-api.js';

/** Who made a request, once authenticated. */
export interface Principal {
  name: string;
  username: string | undefined;
  superuser: boolean;
}

export interface ApiAuth {
  /** The caller, or a 401 reply already sent (undefined). */
  principal(request: FastifyRequest, reply: FastifyReply): Promise<Principal | undefined>;
  /** Like principal(), but only superusers pass; others get 403. */
  admin(request: FastifyRequest, reply: FastifyReply): Promise<Principal | undefined>;
  identity(principal: Principal, remoteAddress: string): ControlIdentity;
  /** A user changed through the API: forget its cached Basic credentials and console sessions. */
  forgetCredentials(username?: string): void;
  /** Checks a username and password (through the auth chain) or an API key, for a console sign-in. */
  signIn(
    request: FastifyRequest,
    credentials: { username?: string; password?: string; apiKey?: string },
  ): Promise<Principal | undefined>;
  readonly sessions: ConsoleSessions;
  /** The console session of a request's cookie, if it has a live one. */
  session(request: FastifyRequest): ConsoleSession | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** How long a console sign-in lasts. */
export const SESSION_HOURS = 8;

export function createAuth(broker: Broker, options: HttpApiOptions): ApiAuth {
  const keys = new ApiKeyVerifier(options.settings.keyFile);
  const credentials = new CredentialCache<Principal>();
  const sessions = new ConsoleSessions(SESSION_HOURS * 3600_000);
  const checkPassword = async (
    request: FastifyRequest,
    username: string,
    password: string,
  ): Promise<Principal | undefined> =>
    credentials.get(username, password, async () => {
      const answer = await broker.control.authenticate(username, password, {
        remoteAddress: request.ip,
        listener: options.listener,
      });
      return answer.ok ? { name: `user:${username}`, username, superuser: answer.superuser } : undefined;
    });
  const fromKey = (token: string): Principal | undefined => {
    const key = keys.verify(token.trim());
    return key === undefined
      ? undefined
      : { name: `key:${key.name}`, username: key.username, superuser: key.superuser };
  };

  const principal = async (request: FastifyRequest, reply: FastifyReply): Promise<Principal | undefined> => {
    const header = request.headers.authorization ?? '';
    const [scheme = '', value = ''] = header.split(' ', 2);
    if (scheme.toLowerCase() === 'bearer') {
      const who = fromKey(value);
      if (who !== undefined) return who;
    } else if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        const who = await checkPassword(request, decoded.slice(0, colon), decoded.slice(colon + 1));
        if (who !== undefined) return who;
      }
    } else if (header === '') {
      const session = sessions.fromCookie(request.headers.cookie);
      if (session !== undefined) {
        // A cookie rides along with any request the browser makes to this origin; only the page that read
        // the token knows it, so a changing request without it comes from somewhere else.
        if (SAFE_METHODS.has(request.method) || csrfMatches(session, request.headers[CSRF_HEADER])) {
          return session.principal;
        }
        sendError(reply, 403, 'MIDGE_API_CSRF', `send the session's CSRF token in the ${CSRF_HEADER} header`);
        return undefined;
      }
      if (options.settings.allowAnonymous) return { name: 'anonymous', username: undefined, superuser: true };
    }
    reply.header('www-authenticate', 'Bearer realm="midge", Basic realm="midge"');
    sendError(
      reply,
      401,
      'MIDGE_API_UNAUTHORIZED',
      'send an API key (Authorization: Bearer) or a Midge user (Basic), or sign in to the console',
    );
    return undefined;
  };
  return {
    principal,
    admin: async (request, reply) => {
      const who = await principal(request, reply);
      if (who === undefined || who.superuser) return who;
      sendError(reply, 403, 'MIDGE_API_FORBIDDEN', `'${who.name}' may publish but not administer the broker`);
      return undefined;
    },
    forgetCredentials: (username) => {
      credentials.forget(username);
      sessions.endUser(username);
    },
    identity: (who, remoteAddress) => ({
      clientId: `api:${who.name}`,
      username: who.username,
      superuser: who.superuser,
      remoteAddress,
      listener: options.listener,
    }),
    signIn: async (request, { username, password, apiKey }) => {
      if (apiKey !== undefined) return fromKey(apiKey);
      if (username === undefined || username === '' || password === undefined) return undefined;
      return checkPassword(request, username, password);
    },
    sessions,
    session: (request) => sessions.fromCookie(request.headers.cookie),
  };
}
