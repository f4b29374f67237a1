// The HTTP admin and push API: a fastify server over the public Broker handle (broker.control).
import Fastify, { type FastifyInstance } from 'fastify';
import { ControlError } from '../index.js';
import type { Broker, Config } from '../index.js';
import { createAuth, type ApiAuth } from './auth.js';
import { applyCors } from './cors.js';
import { openApiDocument } from './openapi.js';
import { registerPublishRoutes } from './routes-publish.js';
import { registerAdminRoutes } from './routes-admin.js';
import { registerEventRoutes } from './routes-events.js';
import { registerWebhookRoutes } from './routes-webhooks.js';
import { sendError } from './errors.js';
import { registerConsole } from './console-static.js';
import { registerConsoleRoutes } from './routes-console.js';
import { registerSessionRoutes } from './routes-session.js';
import { registerTopicRoutes } from './routes-topics.js';

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

export type { ApiAuth, Principal } from './auth.js';

export async function startHttpApi(broker: Broker, options: HttpApiOptions): Promise<HttpApi> {
  // On shutdown every open connection is closed, not only idle ones: a console left open (polling, a live
  // stream) or a slow client must not hold SIGTERM past its grace period.
  const app = Fastify({ logger: false, bodyLimit: 16 * 1024 * 1024, forceCloseConnections: true });
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
  registerSessionRoutes(app, auth);
  registerConsoleRoutes(app, broker, auth);
  registerTopicRoutes(app, broker, auth, options.settings.consoleTopics);
  if (options.settings.console) registerConsole(app, broker, options.settings.consolePath);
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
