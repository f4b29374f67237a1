// Users and ACLs of the embedded auth store — the operations of `midge user` / `midge acl`, explain included
// (superusers only). A config that keeps its users elsewhere answers 409 MIDGE_AUTH_STORE_UNAVAILABLE.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { AuthStoreError, explainAccess, openAuthStore } from '../index.js';
import type { Access, AuthStoreAdmin, Config } from '../index.js';
import type { ApiAuth } from './http-api.js';
import { sendError } from './errors.js';

const STATUS: Record<string, number> = {
  MIDGE_AUTH_USER_EXISTS: 409,
  MIDGE_AUTH_UNKNOWN_USER: 404,
  MIDGE_AUTH_UNKNOWN_ACL: 404,
  MIDGE_AUTH_STORE_UNAVAILABLE: 409,
};

const name = { type: 'string', minLength: 1, maxLength: 256 } as const;

export function registerUserRoutes(config: Config): (app: FastifyInstance, auth: ApiAuth) => void {
  return (app, auth) => {
    let store: Promise<AuthStoreAdmin> | undefined;
    const admin = (): Promise<AuthStoreAdmin> =>
      (store ??= Promise.resolve().then(() => openAuthStore(config)));
    app.addHook('onClose', async () => {
      await (await store?.catch(() => undefined))?.close();
    });
    /** Runs a store operation for a superuser; store errors become coded HTTP errors. */
    const run = async (
      request: Parameters<ApiAuth['admin']>[0],
      reply: FastifyReply,
      work: (s: AuthStoreAdmin) => Promise<unknown>,
    ): Promise<unknown> => {
      if ((await auth.admin(request, reply)) === undefined) return reply;
      try {
        return await work(await admin());
      } catch (error) {
        if (!(error instanceof AuthStoreError)) throw error;
        if (error.code === 'MIDGE_AUTH_STORE_UNAVAILABLE') store = undefined;
        return sendError(reply, STATUS[error.code] ?? 400, error.code, error.detail);
      }
    };

    app.get('/api/v1/users', async (request, reply) =>
      run(request, reply, async (s) => ({ users: await s.listUsers() })),
    );
    app.post<{ Body: { username: string; password: string; superuser?: boolean } }>(
      '/api/v1/users',
      {
        schema: {
          body: {
            type: 'object',
            required: ['username', 'password'],
            additionalProperties: false,
            properties: {
              username: name,
              password: { type: 'string', minLength: 1 },
              superuser: { type: 'boolean' },
            },
          },
        },
      },
      async (request, reply) =>
        run(request, reply, async (s) => {
          const { username, password, superuser } = request.body;
          await s.addUser(username, password, { superuser: superuser === true });
          return reply.code(201).send({ username, superuser: superuser === true });
        }),
    );
    app.patch<{ Params: { username: string }; Body: { password?: string; superuser?: boolean } }>(
      '/api/v1/users/:username',
      {
        schema: {
          body: {
            type: 'object',
            additionalProperties: false,
            properties: { password: { type: 'string', minLength: 1 }, superuser: { type: 'boolean' } },
          },
        },
      },
      async (request, reply) =>
        run(request, reply, async (s) => {
          const { password, superuser } = request.body;
          if (password !== undefined) await s.setPassword(request.params.username, password);
          if (superuser !== undefined) await s.setSuperuser(request.params.username, superuser);
          auth.forgetCredentials(request.params.username);
          return reply.code(204).send();
        }),
    );
    app.delete<{ Params: { username: string } }>('/api/v1/users/:username', async (request, reply) =>
      run(request, reply, async (s) => {
        await s.removeUser(request.params.username);
        auth.forgetCredentials(request.params.username);
        return reply.code(204).send();
      }),
    );
    app.get<{ Querystring: { username?: string } }>('/api/v1/acls', async (request, reply) =>
      run(request, reply, async (s) => ({ acls: await s.listAcls(request.query.username) })),
    );
    app.post<{ Body: { username: string; topic: string; rw: number } }>(
      '/api/v1/acls',
      {
        schema: {
          body: {
            type: 'object',
            required: ['username', 'topic', 'rw'],
            additionalProperties: false,
            properties: { username: name, topic: { type: 'string', minLength: 1 }, rw: { type: 'integer' } },
          },
        },
      },
      async (request, reply) =>
        run(request, reply, async (s) => {
          const { username, topic, rw } = request.body;
          await s.addAcl(username, topic, rw);
          return reply.code(201).send({ username, topic, rw });
        }),
    );
    app.delete<{ Querystring: { username: string; topic: string } }>(
      '/api/v1/acls',
      {
        schema: {
          querystring: {
            type: 'object',
            required: ['username', 'topic'],
            properties: { username: name, topic: { type: 'string', minLength: 1 } },
          },
        },
      },
      async (request, reply) =>
        run(request, reply, async (s) => {
          await s.removeAcl(request.query.username, request.query.topic);
          return reply.code(204).send();
        }),
    );
    app.post<{ Body: { username?: string; clientId?: string; topic: string; access: Access } }>(
      '/api/v1/acls/explain',
      {
        schema: {
          body: {
            type: 'object',
            required: ['topic', 'access'],
            additionalProperties: false,
            properties: {
              username: { type: 'string' },
              clientId: { type: 'string' },
              topic: { type: 'string', minLength: 1 },
              access: { type: 'string', enum: ['read', 'write', 'subscribe'] },
            },
          },
        },
      },
      async (request, reply) => {
        if ((await auth.admin(request, reply)) === undefined) return reply;
        const { username, clientId, topic, access } = request.body;
        return explainAccess(config, { username, clientId: clientId ?? `api-explain`, topic, access });
      },
    );
  };
}
