// Schemas of the OpenAPI document: what the routes answer and the request bodies of the admin routes. The
// publish body schema is shared with the route, so fastify's validation and the document cannot drift apart.
export const publishBodySchema = {
  type: 'object',
  required: ['topic'],
  additionalProperties: false,
  properties: {
    topic: { type: 'string', minLength: 1, maxLength: 65535 },
    payload: { description: 'Text (utf8), base64 text (base64) or any JSON value (json, sent as JSON text)' },
    encoding: { type: 'string', enum: ['utf8', 'base64', 'json'], default: 'utf8' },
    qos: { type: 'integer', enum: [0, 1, 2], default: 0 },
    retain: { type: 'boolean', default: false },
    properties: {
      type: 'object',
      additionalProperties: false,
      properties: {
        contentType: { type: 'string' },
        responseTopic: { type: 'string' },
        correlationData: { type: 'string', description: 'base64' },
        messageExpiryInterval: { type: 'integer', minimum: 0, maximum: 4294967295 },
        payloadFormatIndicator: { type: 'boolean' },
        userProperties: {
          type: 'object',
          additionalProperties: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
        },
      },
    },
    waitFor: {
      type: 'object',
      required: ['clientId'],
      additionalProperties: false,
      description: 'Answer once this client acknowledged the message (QoS 1/2) or the timeout passed',
      properties: {
        clientId: { type: 'string' },
        timeoutMs: { type: 'integer', minimum: 1, maximum: 60000, default: 10000 },
      },
    },
  },
} as const;

const publishResult = {
  type: 'object',
  required: ['delivered', 'queued'],
  properties: {
    delivered: { type: 'integer', description: 'Connected subscribers handed the message now' },
    queued: { type: 'integer', description: 'Offline persistent sessions that queued it' },
    acknowledged: { type: 'boolean', description: 'With waitFor: the client acknowledged in time' },
  },
};

const clientInfo = {
  type: 'object',
  properties: Object.fromEntries(
    [
      ['clientId', 'string'],
      ['username', 'string'],
      ['connected', 'boolean'],
      ['listener', 'integer'],
      ['remoteAddress', 'string'],
      ['protocolVersion', 'integer'],
      ['keepalive', 'integer'],
      ['connectedSince', 'string'],
      ['sessionExpiryInterval', 'integer'],
      ['subscriptionCount', 'integer'],
      ['inflight', 'integer'],
      ['queued', 'integer'],
      ['dropped', 'integer'],
      ['bytesIn', 'integer'],
      ['bytesOut', 'integer'],
      ['messagesIn', 'integer'],
      ['messagesOut', 'integer'],
    ].map(([name, type]) => [name, { type }]),
  ),
};

const subscription = {
  type: 'object',
  properties: {
    clientId: { type: 'string' },
    topicFilter: { type: 'string' },
    qos: { type: 'integer' },
    noLocal: { type: 'boolean' },
    retainAsPublished: { type: 'boolean' },
    retainHandling: { type: 'integer' },
    subscriptionId: { type: 'integer' },
  },
};

const retained = {
  type: 'object',
  properties: {
    topic: { type: 'string' },
    payload: { type: 'string', description: 'base64' },
    text: { type: 'string', description: 'The payload as text, when it is valid UTF-8' },
    qos: { type: 'integer' },
    receivedAt: { type: 'string', format: 'date-time' },
    contentType: { type: 'string' },
  },
};

export const dataSchemas = {
  PublishResult: publishResult,
  ClientInfo: clientInfo,
  Subscription: subscription,
  RetainedMessage: retained,
  TokenRequest: {
    type: 'object',
    required: ['clientIds'],
    properties: {
      clientIds: { type: 'array', items: { type: 'string' } },
      ttlSeconds: { type: 'integer' },
    },
  },
  UserRequest: {
    type: 'object',
    required: ['username', 'password'],
    properties: {
      username: { type: 'string' },
      password: { type: 'string' },
      superuser: { type: 'boolean' },
    },
  },
  AclRequest: {
    type: 'object',
    required: ['username', 'topic', 'rw'],
    properties: { username: { type: 'string' }, topic: { type: 'string' }, rw: { type: 'integer' } },
  },
  ExplainRequest: {
    type: 'object',
    required: ['topic', 'access'],
    properties: {
      username: { type: 'string' },
      clientId: { type: 'string' },
      topic: { type: 'string' },
      access: { type: 'string', enum: ['read', 'write', 'subscribe'] },
    },
  },
};
