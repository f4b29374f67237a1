// Console sign-in and sign-out: POST /api/v1/session with a superuser's username and password (through the
// broker's auth chain) or a superuser API key sets the session cookie and returns the CSRF token.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiAuth } from './auth.js';
import { clearedCookie, sessionCookie } from './console-sessions.js';
import { sendError } from './errors.js';

interface SignInBody {
  username?: string;
  password?: string;
  apiKey?: string;
}

/** Secure cookies only over TLS: a plain-HTTP console on loopback must still be able to sign in. */
const overTls = (request: FastifyRequest): boolean => request.protocol === 'https';

export function registerSessionRoutes(app: FastifyInstance, auth: ApiAuth): void {
  app.post<{ Body: SignInBody }>(
    '/api/v1/session',
    {
      schema: {
        body: {
          type: 'object',
          additionalProperties: false,
          properties: {
            username: { type: 'string', maxLength: 256 },
            password: { type: 'string', maxLength: 4096 },
            apiKey: { type: 'string', maxLength: 256 },
          },
        },
      },
    },
    async (request, reply) => {
      const who = await auth.signIn(request, request.body);
      if (who === undefined) {
        return sendError(reply, 401, 'MIDGE_API_SIGN_IN_FAILED', 'wrong username, password or API key');
      }
      if (!who.superuser) {
        return sendError(reply, 403, 'MIDGE_API_FORBIDDEN', 'only superusers may use the console');
      }
      const old = auth.session(request);
      if (old !== undefined) auth.sessions.end(old.id);
      const session = auth.sessions.create(who);
      reply.header('set-cookie', sessionCookie(session, overTls(request), auth.sessions.lifetimeSeconds));
      return { user: who.name, csrfToken: session.csrf, expires: new Date(session.expires).toISOString() };
    },
  );

  app.get('/api/v1/session', async (request, reply) => {
    const session = auth.session(request);
    if (session === undefined) return sendError(reply, 401, 'MIDGE_API_UNAUTHORIZED', 'not signed in');
    return {
      user: session.principal.name,
      csrfToken: session.csrf,
      expires: new Date(session.expires).toISOString(),
    };
  });

  app.delete('/api/v1/session', async (request, reply) => {
    const session = auth.session(request);
    if (session === undefined) return sendError(reply, 401, 'MIDGE_API_UNAUTHORIZED', 'not signed in');
    // Through admin(): sign-out is a changing request and needs the CSRF token like every other.
    if ((await auth.admin(request, reply)) === undefined) return reply;
    auth.sessions.end(session.id);
    reply.header('set-cookie', clearedCookie(overTls(request)));
    return reply.code(204).send();
  });
}
