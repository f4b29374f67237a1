// POST /api/v1/publish and /api/v1/publish/batch: publish as the caller, through ACL, hooks and router.
import type { FastifyInstance } from 'fastify';
import { ControlError } from '../index.js';
import type { Broker } from '../index.js';
import type { ApiAuth, Principal } from './http-api.js';
import { IdempotencyCache, type StoredReply } from './idempotency.js';
import { publishRequestOf, type PublishBody } from './payload.js';
import { publishBodySchema } from './openapi-schemas.js';

/** The most messages one batch may carry. */
export const MAX_BATCH = 1000;

export function registerPublishRoutes(app: FastifyInstance, broker: Broker, auth: ApiAuth): void {
  const idempotency = new IdempotencyCache();

  const once = (
    who: Principal,
    key: string | undefined,
    run: () => Promise<StoredReply>,
  ): Promise<StoredReply> => (key === undefined ? run() : idempotency.run(`${who.name}\u0000${key}`, run));

  const publishOne = async (body: PublishBody, who: Principal, ip: string): Promise<StoredReply> => {
    try {
      const result = await broker.control.publish(publishRequestOf(body), auth.identity(who, ip));
      return { status: 200, body: result };
    } catch (error) {
      if (!(error instanceof ControlError)) throw error;
      return {
        status: error.status,
        body: {
          error: {
            code: error.code,
            message: error.message.replace(/^[A-Z_]+: /, ''),
            reasonCode: error.reasonCode,
          },
        },
      };
    }
  };

  app.post<{ Body: PublishBody }>(
    '/api/v1/publish',
    { schema: { body: publishBodySchema } },
    async (request, reply) => {
      const who = await auth.principal(request, reply);
      if (who === undefined) return reply;
      const key = headerValue(request.headers['idempotency-key']);
      const answer = await once(who, key, () => publishOne(request.body, who, request.ip));
      return reply.code(answer.status).send(answer.body);
    },
  );

  app.post<{ Body: { messages: PublishBody[] } }>(
    '/api/v1/publish/batch',
    {
      schema: {
        body: {
          type: 'object',
          required: ['messages'],
          additionalProperties: false,
          properties: { messages: { type: 'array', maxItems: MAX_BATCH, items: publishBodySchema } },
        },
      },
    },
    async (request, reply) => {
      const who = await auth.principal(request, reply);
      if (who === undefined) return reply;
      const key = headerValue(request.headers['idempotency-key']);
      const answer = await once(who, key, async () => {
        const results: unknown[] = [];
        // In order, one after another: a batch keeps the order of its messages for every subscriber.
        for (const body of request.body.messages) {
          const one = await publishOne(body, who, request.ip);
          results.push(
            one.status === 200
              ? { ok: true, ...(one.body as object) }
              : { ok: false, ...(one.body as object) },
          );
        }
        return { status: 200, body: { results } };
      });
      return reply.code(answer.status).send(answer.body);
    },
  );
}

function headerValue(value: string | string[] | undefined): string | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text === '' ? undefined : text.slice(0, 200);
}
