// Webhooks added at runtime (superusers only): POST, GET, DELETE /api/v1/webhooks. In memory; a restart
// forgets them. `messageTypes` routes envelope copies by message_type.
import type { FastifyInstance } from 'fastify';
import type { Broker, WebhookRegistration } from '../index.js';
import type { ApiAuth } from './http-api.js';
import { sendError } from './errors.js';
import { webhookBodySchema } from './openapi-extra.js';

export function registerWebhookRoutes(app: FastifyInstance, broker: Broker, auth: ApiAuth): void {
  const control = broker.control;

  app.post<{ Body: WebhookRegistration }>(
    '/api/v1/webhooks',
    { schema: { body: webhookBodySchema } },
    async (request, reply) => {
      if ((await auth.admin(request, reply)) === undefined) return reply;
      return reply.code(201).send(control.addWebhook(request.body));
    },
  );

  app.get('/api/v1/webhooks', async (request, reply) => {
    if ((await auth.admin(request, reply)) === undefined) return reply;
    return { webhooks: control.webhooks() };
  });

  app.delete<{ Params: { id: string } }>('/api/v1/webhooks/:id', async (request, reply) => {
    if ((await auth.admin(request, reply)) === undefined) return reply;
    if (!control.removeWebhook(request.params.id)) {
      return sendError(reply, 404, 'MIDGE_API_NOT_FOUND', `no webhook '${request.params.id}'`);
    }
    return reply.code(204).send();
  });
}
