// The OpenAPI 3.1 description served at /api/v1/openapi.json, from the schemas in openapi-schemas.ts and
// the paths of openapi-extra.ts besides its own.
import { VERSION } from '../index.js';
import { consolePaths, consoleSchemas } from './openapi-console.js';
import { extraPaths, extraSchemas, pageFields, pageParameters } from './openapi-extra.js';
import { dataSchemas, publishBodySchema } from './openapi-schemas.js';

const error = {
  description: 'Error',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message'],
            properties: {
              code: { type: 'string' },
              message: { type: 'string' },
              reasonCode: { type: 'integer' },
            },
          },
        },
      },
    },
  },
};

const json = (schema: object, description = 'OK'): object => ({
  description,
  content: { 'application/json': { schema } },
});
const ref = (name: string): object => ({ $ref: `#/components/schemas/${name}` });
const errors = { 400: error, 401: error, 403: error, 404: error };
const clientIdParam = { name: 'clientId', in: 'path', required: true, schema: { type: 'string' } };
const usernameParam = { name: 'username', in: 'path', required: true, schema: { type: 'string' } };
const topicParam = {
  name: 'topic',
  in: 'path',
  required: true,
  description: 'The topic name; may contain slashes',
  schema: { type: 'string' },
};
const query = (name: string, type: string, description?: string): object => ({
  name,
  in: 'query',
  required: false,
  schema: { type },
  ...(description === undefined ? {} : { description }),
});

const idempotencyKey = {
  name: 'Idempotency-Key',
  in: 'header',
  required: false,
  description: 'A retry with the same key gets the first answer and publishes nothing',
  schema: { type: 'string', maxLength: 200 },
};

export function openApiDocument(): object {
  return {
    openapi: '3.1.0',
    info: { title: 'Midge HTTP API', version: VERSION, description: 'Push to and control an MQTT broker.' },
    security: [{ apiKey: [] }, { basic: [] }],
    components: {
      securitySchemes: {
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key from `midge apikey create`' },
        basic: { type: 'http', scheme: 'basic', description: 'A Midge user (superuser for admin routes)' },
      },
      responses: { Error: error },
      schemas: {
        PublishRequest: publishBodySchema,
        ...dataSchemas,
        ...extraSchemas,
        ...consoleSchemas,
      },
    },
    paths: {
      ...extraPaths,
      ...consolePaths,
      '/api/v1/publish': {
        post: {
          summary: 'Publish one message as the caller (ACL and hooks apply)',
          parameters: [idempotencyKey],
          requestBody: { required: true, content: { 'application/json': { schema: ref('PublishRequest') } } },
          responses: { 200: json(ref('PublishResult')), ...errors, 413: error, 422: error },
        },
      },
      '/api/v1/publish/batch': {
        post: {
          summary: 'Publish several messages in order; one result each',
          parameters: [idempotencyKey],
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: {
                  type: 'object',
                  properties: { messages: { type: 'array', items: ref('PublishRequest') } },
                },
              },
            },
          },
          responses: {
            200: json({
              type: 'object',
              properties: { results: { type: 'array', items: { type: 'object' } } },
            }),
            ...errors,
          },
        },
      },
      '/api/v1/clients': {
        get: {
          summary: 'Clients and their sessions',
          parameters: [
            query('clientId', 'string', 'Client ids containing this text'),
            query('username', 'string'),
            query('listener', 'integer'),
            query('connected', 'boolean'),
            ...pageParameters,
          ],
          responses: {
            200: json({
              type: 'object',
              properties: { clients: { type: 'array', items: ref('ClientInfo') }, ...pageFields },
            }),
            ...errors,
          },
        },
      },
      '/api/v1/clients/{clientId}': {
        get: {
          summary: "One client's details and subscriptions",
          parameters: [clientIdParam],
          responses: { 200: json(ref('ClientInfo')), ...errors },
        },
        delete: {
          summary: 'Disconnect a client (MQTT 5 clients get DISCONNECT with the reason code, default 0x98)',
          parameters: [clientIdParam, query('reasonCode', 'integer')],
          responses: { 204: { description: 'Disconnected' }, ...errors },
        },
      },
      '/api/v1/sessions/{clientId}': {
        delete: {
          summary: 'End a session (its client is disconnected first)',
          parameters: [clientIdParam],
          responses: { 204: { description: 'Deleted' }, ...errors },
        },
      },
      '/api/v1/subscriptions': {
        get: {
          summary: 'Subscriptions, by client or by filter',
          parameters: [query('clientId', 'string'), query('filter', 'string'), ...pageParameters],
          responses: {
            200: json({
              type: 'object',
              properties: { subscriptions: { type: 'array', items: ref('Subscription') }, ...pageFields },
            }),
            ...errors,
          },
        },
      },
      '/api/v1/retained': {
        get: {
          summary: 'Retained messages matching a topic filter (default #)',
          parameters: [query('filter', 'string')],
          responses: {
            200: json({
              type: 'object',
              properties: { messages: { type: 'array', items: ref('RetainedMessage') } },
            }),
            ...errors,
          },
        },
      },
      '/api/v1/retained/{topic}': {
        get: {
          summary: 'One retained message',
          parameters: [topicParam],
          responses: { 200: json(ref('RetainedMessage')), ...errors },
        },
        delete: {
          summary: 'Delete a retained message (nothing is sent to subscribers)',
          parameters: [topicParam],
          responses: { 204: { description: 'Deleted' }, ...errors },
        },
      },
      '/api/v1/tokens': {
        post: {
          summary: 'Issue an envelope device token (needs envelope_secret)',
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('TokenRequest') } },
          },
          responses: {
            200: json({
              type: 'object',
              properties: { token: { type: 'string' }, expiresAt: { type: 'string' } },
            }),
            ...errors,
            409: error,
          },
        },
      },
      '/api/v1/users': {
        get: {
          summary: 'Users of the auth store',
          responses: { 200: json({ type: 'object' }), ...errors, 409: error },
        },
        post: {
          summary: 'Add a user',
          requestBody: { required: true, content: { 'application/json': { schema: ref('UserRequest') } } },
          responses: { 201: json({ type: 'object' }, 'Created'), ...errors, 409: error },
        },
      },
      '/api/v1/users/{username}': {
        patch: {
          summary: "Change a user's password or superuser flag",
          parameters: [usernameParam],
          requestBody: { required: true, content: { 'application/json': { schema: { type: 'object' } } } },
          responses: { 204: { description: 'Changed' }, ...errors },
        },
        delete: {
          summary: 'Remove a user and its ACL rows',
          parameters: [usernameParam],
          responses: { 204: { description: 'Removed' }, ...errors },
        },
      },
      '/api/v1/acls': {
        get: {
          summary: 'ACL rows, of one user or all',
          parameters: [query('username', 'string')],
          responses: { 200: json({ type: 'object' }), ...errors, 409: error },
        },
        post: {
          summary: 'Add or change an ACL row (rw: 1 read, 2 read and write)',
          requestBody: { required: true, content: { 'application/json': { schema: ref('AclRequest') } } },
          responses: { 201: json({ type: 'object' }, 'Created'), ...errors, 409: error },
        },
        delete: {
          summary: 'Remove an ACL row',
          parameters: [query('username', 'string'), query('topic', 'string')],
          responses: { 204: { description: 'Removed' }, ...errors },
        },
      },
      '/api/v1/acls/explain': {
        post: {
          summary: 'Which provider and rule decide an access (as `midge acl explain`)',
          requestBody: { required: true, content: { 'application/json': { schema: ref('ExplainRequest') } } },
          responses: { 200: json({ type: 'object' }), ...errors },
        },
      },
      '/healthz': {
        get: { summary: 'Liveness', security: [], responses: { 200: json({ type: 'object' }) } },
      },
      '/readyz': {
        get: {
          summary: 'Readiness',
          security: [],
          responses: { 200: json({ type: 'object' }), 503: json({ type: 'object' }, 'Stopping') },
        },
      },
      '/metrics': {
        get: {
          summary: 'Prometheus metrics',
          responses: {
            200: { description: 'OK', content: { 'text/plain': { schema: { type: 'string' } } } },
            401: error,
          },
        },
      },
    },
  };
}
