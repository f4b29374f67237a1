// Watching and controlling clients, sessions, subscriptions and retained messages (superusers only).
import type { FastifyInstance } from 'fastify';
import type { Broker } from '../index.js';
import type { ApiAuth } from './http-api.js';
import { sendError } from './errors.js';
import { retainedJson } from './payload.js';
import { pageQuery } from './openapi-extra.js';

interface Page {
  limit: number;
  offset: number;
}

interface ClientQuery extends Page {
  clientId?: string;
  username?: string;
  listener?: number;
  connected?: boolean;
}

/** One page of a sorted list, with how many entries there are on all pages. */
function page<T>(items: T[], { limit, offset }: Page): { items: T[]; total: number } & Page {
  return { items: items.slice(offset, offset + limit), total: items.length, limit, offset };
}

export function registerAdminRoutes(app: FastifyInstance, broker: Broker, auth: ApiAuth): void {
  const control = broker.control;

  app.get<{ Querystring: ClientQuery }>(
    '/api/v1/clients',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            clientId: { type: 'string' },
            username: { type: 'string' },
            listener: { type: 'integer' },
            connected: { type: 'boolean' },
            ...pageQuery,
          },
        },
      },
    },
    async (request, reply) => {
      if ((await auth.admin(request, reply)) === undefined) return reply;
      const { limit, offset, ...filter } = request.query;
      const { items, ...rest } = page(control.clients(filter), { limit, offset });
      return { clients: items, ...rest };
    },
  );

  app.get<{ Params: { clientId: string } }>('/api/v1/clients/:clientId', async (request, reply) => {
    if ((await auth.admin(request, reply)) === undefined) return reply;
    const info = control.client(request.params.clientId);
    if (info === undefined) return notFound(reply, 'client', request.params.clientId);
    return info;
  });

  app.delete<{ Params: { clientId: string }; Querystring: { reasonCode?: number } }>(
    '/api/v1/clients/:clientId',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { reasonCode: { type: 'integer', minimum: 0x80, maximum: 0xff } },
        },
      },
    },
    async (request, reply) => {
      if ((await auth.admin(request, reply)) === undefined) return reply;
      if (!control.kick(request.params.clientId, request.query.reasonCode)) {
        return notFound(reply, 'connected client', request.params.clientId);
      }
      return reply.code(204).send();
    },
  );

  app.delete<{ Params: { clientId: string } }>('/api/v1/sessions/:clientId', async (request, reply) => {
    if ((await auth.admin(request, reply)) === undefined) return reply;
    if (!control.deleteSession(request.params.clientId)) {
      return notFound(reply, 'session', request.params.clientId);
    }
    return reply.code(204).send();
  });

  app.get<{ Querystring: { clientId?: string; filter?: string } & Page }>(
    '/api/v1/subscriptions',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { clientId: { type: 'string' }, filter: { type: 'string' }, ...pageQuery },
        },
      },
    },
    async (request, reply) => {
      if ((await auth.admin(request, reply)) === undefined) return reply;
      const { clientId, filter, limit, offset } = request.query;
      // Sorted, so that pages stay put while the list does not change.
      const all = control
        .subscriptions({ clientId, topicFilter: filter })
        .sort((a, b) => compare(a.clientId, b.clientId) || compare(a.topicFilter, b.topicFilter));
      const { items, ...rest } = page(all, { limit, offset });
      return { subscriptions: items, ...rest };
    },
  );

  app.get<{ Querystring: { filter?: string } }>('/api/v1/retained', async (request, reply) => {
    if ((await auth.admin(request, reply)) === undefined) return reply;
    return { messages: control.retained(request.query.filter ?? '#').map(retainedJson) };
  });

  // The topic is the rest of the path (it contains slashes); percent-encode '#', '+' and '?' in it.
  app.get<{ Params: { '*': string } }>('/api/v1/retained/*', async (request, reply) => {
    if ((await auth.admin(request, reply)) === undefined) return reply;
    const topic = request.params['*'];
    const [found] = control.retained(topic).filter((m) => m.topic === topic);
    if (found === undefined) return notFound(reply, 'retained message', topic);
    return retainedJson(found);
  });

  app.delete<{ Params: { '*': string } }>('/api/v1/retained/*', async (request, reply) => {
    if ((await auth.admin(request, reply)) === undefined) return reply;
    const topic = request.params['*'];
    if (!control.deleteRetained(topic)) return notFound(reply, 'retained message', topic);
    return reply.code(204).send();
  });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function notFound(
  reply: Parameters<typeof sendError>[0],
  what: string,
  id: string,
): ReturnType<typeof sendError> {
  return sendError(reply, 404, 'MIDGE_API_NOT_FOUND', `no ${what} '${id}'`);
}
