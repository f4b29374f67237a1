// POST /api/v1/tokens: envelope device tokens, as `midge token issue` makes them (superusers only).
import type { FastifyInstance } from 'fastify';
import { issueDeviceToken } from '../index.js';
import type { Config } from '../index.js';
import type { ApiAuth } from './http-api.js';
import { sendError } from './errors.js';

interface TokenBody {
  clientIds: string[];
  ttlSeconds?: number;
}

export function registerTokenRoutes(config: Config): (app: FastifyInstance, auth: ApiAuth) => void {
  return (app, auth) => {
    app.post<{ Body: TokenBody }>(
      '/api/v1/tokens',
      {
        schema: {
          body: {
            type: 'object',
            required: ['clientIds'],
            additionalProperties: false,
            properties: {
              clientIds: {
                type: 'array',
                minItems: 1,
                maxItems: 1000,
                items: { type: 'string', minLength: 1 },
              },
              ttlSeconds: { type: 'integer', minimum: 1, maximum: 31_536_000, default: 86_400 },
            },
          },
        },
      },
      async (request, reply) => {
        if ((await auth.admin(request, reply)) === undefined) return reply;
        const secret = config.envelope.secret;
        if (secret === undefined) {
          return sendError(reply, 409, 'MIDGE_ENVELOPE_NO_SECRET', 'set envelope_secret in the config file');
        }
        const ttl = request.body.ttlSeconds ?? 86_400;
        return {
          token: issueDeviceToken(secret, request.body.clientIds, ttl),
          expiresAt: new Date(Date.now() + ttl * 1000).toISOString(),
        };
      },
    );
  };
}
