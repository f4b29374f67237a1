// The OpenAPI description of the routes the web console uses besides the general ones: sign-in sessions,
// the overview and the counters its charts are drawn from. Merged into the document by openapi.ts.
const error = { $ref: '#/components/responses/Error' };
const errors = { 400: error, 401: error, 403: error };
const json = (schema: object, description = 'OK'): object => ({
  description,
  content: { 'application/json': { schema } },
});

const sessionInfo = {
  type: 'object',
  properties: {
    user: { type: 'string', description: "'user:NAME' or 'key:NAME'" },
    csrfToken: { type: 'string', description: 'Send it as X-CSRF-Token on every changing request' },
    expires: { type: 'string', format: 'date-time' },
  },
};

const statsSample = {
  type: 'object',
  description: 'Counters since start; rates are differences between consecutive samples',
  properties: Object.fromEntries(
    [
      'time',
      'uptimeSeconds',
      'connections',
      'sessions',
      'subscriptions',
      'retained',
      'messagesIn',
      'messagesOut',
      'bytesIn',
      'bytesOut',
      'dropped',
      'authFailures',
      'commits',
      'commitSeconds',
    ].map((name) => [name, { type: 'number' }]),
  ),
};

const topicInfo = {
  type: 'object',
  properties: {
    topic: { type: 'string' },
    count: { type: 'integer', description: 'Messages seen since tracking started' },
    rate: { type: 'integer', description: 'Messages in the last second' },
    lastAt: { type: 'string', format: 'date-time', description: 'To the second' },
    retained: { type: 'boolean', description: 'The RETAIN flag of the last message' },
    payload: { type: 'string', description: 'The first 256 bytes of the last payload as UTF-8' },
    size: { type: 'integer' },
    truncated: { type: 'boolean' },
  },
};

const topicParameter = {
  name: 'topic',
  in: 'query',
  required: true,
  schema: { type: 'string' },
  description: 'The topic name',
};

export const consoleSchemas = { ConsoleSession: sessionInfo, StatsSample: statsSample, TopicInfo: topicInfo };

export const consolePaths = {
  '/api/v1/session': {
    post: {
      summary:
        'Console sign-in with a superuser username and password or a superuser API key: sets the session cookie ' +
        '(HttpOnly, SameSite=Strict, Secure over TLS; 8 hours) and returns the CSRF token',
      security: [],
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: {
              type: 'object',
              properties: {
                username: { type: 'string' },
                password: { type: 'string' },
                apiKey: { type: 'string' },
              },
            },
          },
        },
      },
      responses: { 200: json({ $ref: '#/components/schemas/ConsoleSession' }), ...errors },
    },
    get: {
      summary: "The cookie's session and its CSRF token",
      responses: { 200: json({ $ref: '#/components/schemas/ConsoleSession' }), ...errors },
    },
    delete: {
      summary: 'Sign out (needs the X-CSRF-Token header)',
      responses: { 204: { description: 'Signed out' }, ...errors },
    },
  },
  '/api/v1/overview': {
    get: {
      summary: 'Version, uptime, MQTT listeners and cluster nodes',
      responses: {
        200: json({
          type: 'object',
          properties: {
            version: { type: 'string' },
            uptimeSeconds: { type: 'integer' },
            startedAt: { type: 'string', format: 'date-time' },
            listeners: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  host: { type: 'string' },
                  port: { type: 'integer' },
                  protocol: { type: 'string' },
                },
              },
            },
            nodes: { type: 'array', items: { type: 'string' } },
          },
        }),
        ...errors,
      },
    },
  },
  '/api/v1/stats': {
    get: {
      summary:
        'One sample of the counters a second over the last 15 minutes (sampling starts with the first request)',
      parameters: [
        {
          name: 'since',
          in: 'query',
          required: false,
          schema: { type: 'integer', minimum: 0 },
          description: 'Only samples taken after this Unix time in milliseconds',
        },
      ],
      responses: {
        200: json({
          type: 'object',
          properties: { samples: { type: 'array', items: { $ref: '#/components/schemas/StatsSample' } } },
        }),
        ...errors,
      },
    },
  },
  '/api/v1/topics': {
    get: {
      summary:
        'Recently published topics (the http_api_console_topics most recent; tracking runs while these routes ' +
        'are asked and stops a minute after), sorted, searchable by substring',
      parameters: [
        { name: 'search', in: 'query', required: false, schema: { type: 'string' } },
        {
          name: 'limit',
          in: 'query',
          required: false,
          schema: { type: 'integer', minimum: 1, maximum: 10000 },
        },
        { name: 'offset', in: 'query', required: false, schema: { type: 'integer', minimum: 0 } },
      ],
      responses: {
        200: json({
          type: 'object',
          properties: {
            topics: { type: 'array', items: { $ref: '#/components/schemas/TopicInfo' } },
            total: { type: 'integer' },
            offset: { type: 'integer' },
            limit: { type: 'integer' },
          },
        }),
        ...errors,
      },
    },
  },
  '/api/v1/topics/tree': {
    get: {
      summary:
        'The topic levels right below a prefix, with topic counts and rates; the prefix itself if it is a topic',
      parameters: [{ name: 'prefix', in: 'query', required: false, schema: { type: 'string' } }],
      responses: {
        200: json({
          type: 'object',
          properties: {
            prefix: { type: 'string' },
            tracked: { type: 'integer' },
            capacity: { type: 'integer' },
            topic: { $ref: '#/components/schemas/TopicInfo' },
            children: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  level: { type: 'string' },
                  path: { type: 'string' },
                  topics: { type: 'integer' },
                  rate: { type: 'integer' },
                  topic: { $ref: '#/components/schemas/TopicInfo' },
                },
              },
            },
          },
        }),
        ...errors,
      },
    },
  },
  '/api/v1/topics/series': {
    get: {
      summary:
        "A topic's numbers over time (plain-number payloads as 'value', JSON number fields by dotted path), " +
        'recorded from the first request on for 30 s after the last, at most 10 points a second, an hour kept',
      parameters: [topicParameter],
      responses: {
        200: json({
          type: 'object',
          properties: {
            topic: { type: 'string' },
            times: { type: 'array', items: { type: 'integer' }, description: 'Unix ms' },
            fields: {
              type: 'array',
              items: {
                type: 'object',
                properties: {
                  field: { type: 'string' },
                  values: { type: 'array', items: { type: ['number', 'null'] } },
                },
              },
            },
          },
        }),
        ...errors,
      },
    },
  },
  '/api/v1/topics/series.csv': {
    get: {
      summary: 'The same series as CSV: time (ISO 8601) and one column per field',
      parameters: [topicParameter],
      responses: {
        200: { description: 'CSV', content: { 'text/csv': { schema: { type: 'string' } } } },
        ...errors,
      },
    },
  },
};
