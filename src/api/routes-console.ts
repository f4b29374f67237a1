// What the console's overview reads: the broker's identity and listeners, its counters now and over the last
// 15 minutes (superusers only).
import type { FastifyInstance } from 'fastify';
import { VERSION } from '../index.js';
import type { Broker } from '../index.js';
import type { ApiAuth } from './auth.js';
import { StatsHistory } from './stats-history.js';

export function registerConsoleRoutes(app: FastifyInstance, broker: Broker, auth: ApiAuth): void {
  const history = new StatsHistory(broker);
  app.addHook('onClose', async () => history.stop());

  app.get('/api/v1/overview', async (request, reply) => {
    if ((await auth.admin(request, reply)) === undefined) return reply;
    const stats = broker.control.stats();
    return {
      version: VERSION,
      uptimeSeconds: stats.uptimeSeconds,
      startedAt: new Date(stats.time - stats.uptimeSeconds * 1000).toISOString(),
      listeners: broker.addresses(),
      nodes: [],
    };
  });

  app.get<{ Querystring: { since?: number } }>(
    '/api/v1/stats',
    {
      schema: {
        querystring: { type: 'object', properties: { since: { type: 'integer', minimum: 0 } } },
      },
    },
    async (request, reply) => {
      if ((await auth.admin(request, reply)) === undefined) return reply;
      return { samples: history.since(request.query.since ?? 0) };
    },
  );
}
