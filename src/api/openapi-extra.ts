// The OpenAPI description of the runtime webhook routes, the event stream and list pagination; merged into
// the document by openapi.ts. The webhook body schema is the route's own validation schema.
export const webhookBodySchema = {
  type: 'object',
  required: ['url'],
  additionalProperties: false,
  properties: {
    url: { type: 'string', pattern: '^https?://\\S+$', maxLength: 2048 },
    secret: { type: 'string', minLength: 1, description: 'HMAC-SHA256 key for X-Midge-Signature' },
    events: { type: 'array', items: { type: 'string' }, description: 'Event names; empty or missing: all' },
    topics: { type: 'array', items: { type: 'string' }, description: 'Topic filters for message events' },
    messageTypes: {
      type: 'array',
      items: { type: 'string' },
      description: 'Envelope message types; each adds the topic filter $envelope/{type}/#',
    },
  },
} as const;

/** `limit` and `offset` of the paged lists, as the route validates them. */
export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 10000, default: 1000 },
  offset: { type: 'integer', minimum: 0, default: 0 },
} as const;

const webhookInfo = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string' } },
    topics: { type: 'array', items: { type: 'string' } },
    signed: { type: 'boolean' },
    queued: { type: 'integer' },
    createdAt: { type: 'string', format: 'date-time' },
  },
};

const error = { $ref: '#/components/responses/Error' };
const errors = { 400: error, 401: error, 403: error };
const param = (name: string, inPlace: string, schema: object, description: string): object => ({
  name,
  in: inPlace,
  required: inPlace === 'path',
  schema,
  description,
});

export const pageParameters = [
  param('limit', 'query', pageQuery.limit, 'Page size (default 1000)'),
  param('offset', 'query', pageQuery.offset, 'Entries to skip (default 0)'),
];

/** Fields every paged list answer has besides its items. */
export const pageFields = {
  total: { type: 'integer', description: 'Entries matching the filter, on all pages' },
  offset: { type: 'integer' },
  limit: { type: 'integer' },
};

export const extraSchemas = { WebhookRequest: webhookBodySchema, WebhookInfo: webhookInfo };

export const extraPaths = {
  '/api/v1/webhooks': {
    get: {
      summary: 'Webhooks added at runtime (configured ones are not listed)',
      responses: {
        200: {
          description: 'OK',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  webhooks: { type: 'array', items: { $ref: '#/components/schemas/WebhookInfo' } },
                },
              },
            },
          },
        },
        ...errors,
      },
    },
    post: {
      summary: 'Add a webhook (kept in memory until a restart); messageTypes route envelope copies',
      requestBody: {
        required: true,
        content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookRequest' } } },
      },
      responses: {
        201: {
          description: 'Created',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/WebhookInfo' } } },
        },
        ...errors,
        409: error,
      },
    },
  },
  '/api/v1/webhooks/{id}': {
    delete: {
      summary: 'Remove a runtime webhook; events still queued for it are dropped',
      parameters: [param('id', 'path', { type: 'string' }, 'The id POST answered with')],
      responses: { 204: { description: 'Removed' }, ...errors, 404: error },
    },
  },
  '/api/v1/events': {
    get: {
      summary:
        'Broker events as server-sent events (event: name, data: JSON); a reader that falls 256 KiB behind is disconnected',
      parameters: [
        param('events', 'query', { type: 'string' }, 'Comma-separated event names; default all'),
        param('clientId', 'query', { type: 'string' }, 'Only events about this client id'),
        param(
          'topic',
          'query',
          { type: 'array', items: { type: 'string' } },
          'Topic filters for message events (repeat the parameter for several)',
        ),
      ],
      responses: {
        200: { description: 'The stream', content: { 'text/event-stream': { schema: { type: 'string' } } } },
        ...errors,
        503: error,
      },
    },
  },
};
