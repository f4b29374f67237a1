// CORS for a browser dashboard: only configured origins get the headers; preflights are answered here.
import type { FastifyInstance } from 'fastify';

export function applyCors(app: FastifyInstance, origins: readonly string[]): void {
  if (origins.length === 0) return;
  const any = origins.includes('*');
  app.addHook('onRequest', async (request, reply) => {
    const origin = request.headers.origin;
    if (origin === undefined || (!any && !origins.includes(origin))) return;
    reply.header('access-control-allow-origin', any ? '*' : origin);
    reply.header('vary', 'Origin');
    if (request.method === 'OPTIONS') {
      reply.header('access-control-allow-methods', 'GET, POST, DELETE, OPTIONS');
      reply.header('access-control-allow-headers', 'authorization, content-type, idempotency-key');
      reply.header('access-control-max-age', '600');
      return reply.code(204).send();
    }
    return undefined;
  });
  // Preflights need a route to reach the hook; anything the hook did not answer is a 404.
  app.options('/*', async (_request, reply) => reply.code(404).send());
}
