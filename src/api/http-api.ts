// The HTTP admin and push API: a fastify server over the public Broker handle (broker.control).
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { ControlError } from '../index.js';
import type { Broker, Config, ControlIdentity } from '../index.js';
import { ApiKeyVerifier } from './api-keys.js';
import { applyCors } from './cors.js';
import { CredentialCache } from './credential-cache.js';
import { openApiDocument } from './openapi.js';
import { registerPublishRoutes } from './routes-publish.js';
import { registerAdminRoutes } from './routes-admin.js';
import { registerEventRoutes } from './routes-events.js';
import { registerWebhookRoutes } from './routes-webhooks.js';
import { sendError } from './errors.js';

export interface HttpApiOptions {
  port: number;
  host?: string;
  /** Index of this listener in Config.listeners (-1 for the default one), for per_listener_settings. */
  listener: number;
  settings: Config['httpApi'];
  /** Extra routes (device tokens) registered by the caller. */
  extend?: (app: FastifyInstance, auth: ApiAuth) => void;
}

export interface HttpApi {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

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
  /** A user changed through the API: forget its cached Basic credentials (all users without a name). */
  forgetCredentials(username?: string): void;
}

function createAuth(broker: Broker, options: HttpApiOptions): ApiAuth {
  const keys = new ApiKeyVerifier(options.settings.keyFile);
  const credentials = new CredentialCache<Principal>();
  const principal = async (request: FastifyRequest, reply: FastifyReply): Promise<Principal | undefined> => {
    const header = request.headers.authorization ?? '';
    const [scheme = '', value = ''] = header.split(' ', 2);
    if (scheme.toLowerCase() === 'bearer') {
      const key = keys.verify(value.trim());
      if (key !== undefined)
        return { name: `key:${key.name}`, username: key.username, superuser: key.superuser };
    } else if (scheme.toLowerCase() === 'basic') {
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) {
        const username = decoded.slice(0, colon);
        const who = await credentials.get(username, decoded.slice(colon + 1), async () => {
          const answer = await broker.control.authenticate(username, decoded.slice(colon + 1), {
            remoteAddress: request.ip,
            listener: options.listener,
          });
          return answer.ok ? { name: `user:${username}`, username, superuser: answer.superuser } : undefined;
        });
        if (who !== undefined) return who;
      }
    } else if (header === '' && options.settings.allowAnonymous) {
      return { name: 'anonymous', username: undefined, superuser: true };
    }
    reply.header('www-authenticate', 'Bearer realm="midge", Basic realm="midge"');
    sendError(
      reply,
      401,
      'MIDGE_API_UNAUTHORIZED',
      'send an API key (Authorization: Bearer) or a Midge user (Basic)',
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
    forgetCredentials: (username) => credentials.forget(username),
    identity: (who, remoteAddress) => ({
      clientId: `api:${who.name}`,
      username: who.username,
      superuser: who.superuser,
      remoteAddress,
      listener: options.listener,
    }),
  };
}

export async function startHttpApi(broker: Broker, options: HttpApiOptions): Promise<HttpApi> {
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024 });
  let ready = true;
  const auth = createAuth(broker, options);
  applyCors(app, options.settings.corsOrigins);
  app.setErrorHandler((error: Error & { validation?: unknown; statusCode?: number }, _request, reply) => {
    if (error instanceof ControlError) {
      return sendError(
        reply,
        error.status,
        error.code,
        error.message.replace(/^[A-Z_]+: /, ''),
        error.reasonCode,
      );
    }
    if (error.validation !== undefined || (error.statusCode ?? 500) < 500) {
      return sendError(reply, error.statusCode ?? 400, 'MIDGE_API_BAD_REQUEST', error.message);
    }
    return sendError(reply, 500, 'MIDGE_API_INTERNAL', 'internal error');
  });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) =>
    ready
      ? { status: 'ready', clients: broker.control.connectedCount }
      : reply.code(503).send({ status: 'stopping' }),
  );
  app.get('/api/v1/openapi.json', async () => openApiDocument());
  app.get('/metrics', async (request, reply) => {
    if ((await auth.admin(request, reply)) === undefined) return reply;
    const { contentType, text } = await broker.control.metrics();
    return reply.type(contentType).send(text);
  });
  registerPublishRoutes(app, broker, auth);
  registerAdminRoutes(app, broker, auth);
  registerWebhookRoutes(app, broker, auth);
  registerEventRoutes(app, broker, auth);
  options.extend?.(app, auth);
  await app.listen({ port: options.port, host: options.host ?? '127.0.0.1' });
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    host: options.host ?? '127.0.0.1',
    port,
    close: async () => {
      ready = false;
      await app.close();
    },
  };
}
