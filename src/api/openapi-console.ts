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

export const consoleSchemas = { ConsoleSession: sessionInfo, StatsSample: statsSample };

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
};
