// The HTTP API of a started `midge` process, called with real HTTP requests, with MQTT.js clients on the
// MQTT side: publish (online, offline session, ACL refusal, idempotency, wait mode, batch), clients, kick,
// sessions, subscriptions, retained messages, health, metrics, CORS and the OpenAPI document.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { closeClient, connectClient, subscribe } from '../helpers/mqttjs.js';
import { sleep } from '../interop/support.js';
import { call, parseMetrics, startApiBroker, type ApiBroker } from './support.js';

let api: ApiBroker;
const dev = { username: 'dev', password: 'dev-secret' };

before(async () => {
  api = await startApiBroker();
});

after(() => api.midge.stop());

test('health and readiness need no credentials; everything else does (401 with WWW-Authenticate)', async () => {
  assert.equal((await call(api, 'GET', '/healthz')).status, 200);
  assert.equal((await call(api, 'GET', '/readyz')).body.status, 'ready');
  const refused = await call(api, 'GET', '/api/v1/clients');
  assert.equal(refused.status, 401);
  assert.equal(refused.body.error.code, 'MIDGE_API_UNAUTHORIZED');
  assert.match(refused.headers.get('www-authenticate') ?? '', /Bearer/);
  assert.equal(
    (await call(api, 'GET', '/api/v1/clients', { key: 'midge_0000000000000000_' + 'x'.repeat(43) })).status,
    401,
  );
  assert.equal((await call(api, 'GET', '/api/v1/clients', { basic: ['dev', 'wrong'] })).status, 401);
  assert.equal((await call(api, 'GET', '/metrics')).status, 401);
});

test('the OpenAPI document validates as OpenAPI 3.1 and lists the required routes', async () => {
  const reply = await call(api, 'GET', '/api/v1/openapi.json');
  assert.equal(reply.status, 200);
  const result = await new Validator().validate(reply.body);
  assert.equal(result.valid, true, JSON.stringify(result.errors));
  for (const path of [
    '/api/v1/publish',
    '/api/v1/publish/batch',
    '/api/v1/clients/{clientId}',
    '/api/v1/sessions/{clientId}',
    '/api/v1/retained/{topic}',
    '/api/v1/tokens',
    '/api/v1/users',
    '/api/v1/acls/explain',
    '/api/v1/webhooks',
    '/api/v1/webhooks/{id}',
    '/api/v1/events',
    '/api/v1/session',
    '/api/v1/overview',
    '/api/v1/stats',
    '/metrics',
  ]) {
    assert.ok(reply.body.paths[path], path);
  }
  const listParameters = (path: string): string[] =>
    reply.body.paths[path].get.parameters.map((p: { name: string }) => p.name);
  for (const path of ['/api/v1/clients', '/api/v1/subscriptions']) {
    assert.ok(listParameters(path).includes('limit') && listParameters(path).includes('offset'), path);
    assert.ok(
      reply.body.paths[path].get.responses['200'].content['application/json'].schema.properties.total,
    );
  }
});

test('POST /api/v1/publish reaches a subscribed MQTT.js client now (utf8, json and base64 payloads)', async () => {
  const sub = await connectClient(api.midge.port, { ...dev, clientId: 'http-online' });
  await subscribe(sub.client, 'push/online/#');
  const texts = [
    [{ payload: 'hello' }, 'hello'],
    [{ payload: { n: 1 }, encoding: 'json' }, '{"n":1}'],
    [{ payload: Buffer.from('bytes').toString('base64'), encoding: 'base64' }, 'bytes'],
  ] as const;
  for (const [body, _] of texts) {
    const reply = await call(api, 'POST', '/api/v1/publish', {
      key: api.adminKey,
      body: { topic: 'push/online/a', qos: 1, ...body },
    });
    assert.equal(reply.status, 200, reply.text);
    assert.deepEqual(reply.body, { delivered: 1, queued: 0 });
  }
  const got = await sub.inbox.waitFor(3);
  assert.deepEqual(
    got.map((m) => m.payload.toString()),
    texts.map(([, text]) => text),
  );
  await closeClient(sub.client);
});

test('publish to an offline persistent session is queued and arrives when it reconnects', async () => {
  const options = {
    ...dev,
    clientId: 'http-offline',
    clean: false,
    properties: { sessionExpiryInterval: 600 },
  };
  const first = await connectClient(api.midge.port, options);
  await subscribe(first.client, 'push/offline');
  await closeClient(first.client);
  await sleep(100);
  const reply = await call(api, 'POST', '/api/v1/publish', {
    key: api.adminKey,
    body: { topic: 'push/offline', payload: 'later', qos: 1 },
  });
  assert.deepEqual(reply.body, { delivered: 0, queued: 1 });
  const listed = await call(api, 'GET', '/api/v1/clients?clientId=http-offline&connected=false', {
    key: api.adminKey,
  });
  assert.equal(listed.body.clients[0]?.queued, 1);
  const again = await connectClient(api.midge.port, options);
  assert.equal((await again.inbox.waitFor(1))[0]?.payload.toString(), 'later');
  await closeClient(again.client);
});

test('an API user refused by the ACL gets 403 MIDGE_API_NOT_AUTHORIZED, and no subscriber receives it', async () => {
  const sub = await connectClient(api.midge.port, { ...dev, clientId: 'http-acl' });
  await subscribe(sub.client, '#');
  const byKey = await call(api, 'POST', '/api/v1/publish', {
    key: api.bobKey,
    body: { topic: 'alice/x', payload: 'no' },
  });
  assert.equal(byKey.status, 403);
  assert.equal(byKey.body.error.code, 'MIDGE_API_NOT_AUTHORIZED');
  const byBasic = await call(api, 'POST', '/api/v1/publish', {
    basic: ['bob', 'bob-secret'],
    body: { topic: 'alice/x', payload: 'no' },
  });
  assert.equal(byBasic.status, 403);
  const allowed = await call(api, 'POST', '/api/v1/publish', {
    basic: ['bob', 'bob-secret'],
    body: { topic: 'bob/x', payload: 'yes' },
  });
  assert.equal(allowed.status, 200);
  const [got] = await sub.inbox.waitFor(1);
  assert.equal(got?.topic, 'bob/x');
  await sleep(200);
  assert.equal(sub.inbox.messages.length, 1);
  // A user who is not a superuser may publish but not administer.
  const admin = await call(api, 'GET', '/api/v1/clients', { basic: ['bob', 'bob-secret'] });
  assert.equal(admin.status, 403);
  assert.equal(admin.body.error.code, 'MIDGE_API_FORBIDDEN');
  await closeClient(sub.client);
});

test('Idempotency-Key: a retried publish is answered from the first attempt and delivered once', async () => {
  const sub = await connectClient(api.midge.port, { ...dev, clientId: 'http-idem' });
  await subscribe(sub.client, 'push/idem');
  const request = {
    key: api.adminKey,
    body: { topic: 'push/idem', payload: 'once', qos: 1 },
    headers: { 'idempotency-key': 'k-1' },
  };
  const first = await call(api, 'POST', '/api/v1/publish', request);
  const second = await call(api, 'POST', '/api/v1/publish', request);
  assert.deepEqual(second.body, first.body);
  await sub.inbox.waitFor(1);
  await sleep(200);
  assert.equal(sub.inbox.messages.length, 1);
  await closeClient(sub.client);
});

test('wait mode answers acknowledged: true once the named client sent PUBACK, false after the timeout', async () => {
  const sub = await connectClient(api.midge.port, { ...dev, clientId: 'http-wait' });
  await subscribe(sub.client, 'push/wait');
  const acked = await call(api, 'POST', '/api/v1/publish', {
    key: api.adminKey,
    body: { topic: 'push/wait', payload: 'w', qos: 1, waitFor: { clientId: 'http-wait', timeoutMs: 5000 } },
  });
  assert.deepEqual(acked.body, { delivered: 1, queued: 0, acknowledged: true });
  const missed = await call(api, 'POST', '/api/v1/publish', {
    key: api.adminKey,
    body: {
      topic: 'push/wait',
      payload: 'w',
      qos: 1,
      waitFor: { clientId: 'not-subscribed', timeoutMs: 200 },
    },
  });
  assert.equal(missed.body.acknowledged, false);
  await closeClient(sub.client);
});

test('batch publishes in order and reports each message; a refused one does not stop the rest', async () => {
  const sub = await connectClient(api.midge.port, { ...dev, clientId: 'http-batch' });
  await subscribe(sub.client, 'bob/batch/#');
  const reply = await call(api, 'POST', '/api/v1/publish/batch', {
    key: api.bobKey,
    body: {
      messages: [
        { topic: 'bob/batch/1', payload: '1' },
        { topic: 'elsewhere', payload: 'x' },
        { topic: 'bob/batch/2', payload: '2' },
      ],
    },
  });
  assert.equal(reply.status, 200);
  assert.deepEqual(
    reply.body.results.map((r: { ok: boolean }) => r.ok),
    [true, false, true],
  );
  assert.equal(reply.body.results[1].error.code, 'MIDGE_API_NOT_AUTHORIZED');
  assert.deepEqual(
    (await sub.inbox.waitFor(2)).map((m) => m.topic),
    ['bob/batch/1', 'bob/batch/2'],
  );
  await closeClient(sub.client);
});

test('bad requests are 400 with a code: missing topic, wildcard topic, bad qos', async () => {
  for (const body of [{ payload: 'x' }, { topic: 'a/#' }, { topic: 'a', qos: 3 }]) {
    const reply = await call(api, 'POST', '/api/v1/publish', { key: api.adminKey, body });
    assert.equal(reply.status, 400, JSON.stringify(body));
    assert.match(reply.body.error.code, /^MIDGE_API_/);
  }
});

test('clients: list with filters, details with subscriptions and traffic, kick with a reason code', async () => {
  const { client } = await connectClient(api.midge.port, { ...dev, clientId: 'http-kick' });
  await subscribe(client, 'kick/me');
  const list = await call(api, 'GET', '/api/v1/clients?username=dev&connected=true', { key: api.adminKey });
  assert.ok(list.body.clients.some((c: { clientId: string }) => c.clientId === 'http-kick'));
  const details = await call(api, 'GET', '/api/v1/clients/http-kick', { key: api.adminKey });
  assert.equal(details.body.protocolVersion, 5);
  assert.equal(details.body.subscriptions[0].topicFilter, 'kick/me');
  assert.ok(details.body.bytesIn > 0 && typeof details.body.connectedSince === 'string');
  const subs = await call(api, 'GET', '/api/v1/subscriptions?clientId=http-kick', { key: api.adminKey });
  assert.deepEqual(
    subs.body.subscriptions.map((s: { topicFilter: string }) => s.topicFilter),
    ['kick/me'],
  );
  const reason = new Promise<number | undefined>((ok) =>
    client.once('disconnect', (p) => ok((p as { reasonCode?: number }).reasonCode)),
  );
  const kicked = await call(api, 'DELETE', '/api/v1/clients/http-kick?reasonCode=152', { key: api.adminKey });
  assert.equal(kicked.status, 204);
  assert.equal(await reason, 0x98);
  await closeClient(client);
  assert.equal((await call(api, 'DELETE', '/api/v1/clients/http-kick', { key: api.adminKey })).status, 404);
  assert.equal((await call(api, 'GET', '/api/v1/clients/nobody', { key: api.adminKey })).status, 404);
});

test('DELETE /api/v1/sessions/{clientId} ends a persistent session', async () => {
  const options = {
    ...dev,
    clientId: 'http-session',
    clean: false,
    properties: { sessionExpiryInterval: 600 },
  };
  await closeClient((await connectClient(api.midge.port, options)).client);
  await sleep(100);
  assert.equal((await call(api, 'GET', '/api/v1/clients/http-session', { key: api.adminKey })).status, 200);
  assert.equal(
    (await call(api, 'DELETE', '/api/v1/sessions/http-session', { key: api.adminKey })).status,
    204,
  );
  assert.equal((await call(api, 'GET', '/api/v1/clients/http-session', { key: api.adminKey })).status, 404);
  assert.equal(
    (await call(api, 'DELETE', '/api/v1/sessions/http-session', { key: api.adminKey })).status,
    404,
  );
});

test('retained messages: list by filter, read one, delete one', async () => {
  await call(api, 'POST', '/api/v1/publish', {
    key: api.adminKey,
    body: { topic: 'ret/a/b', payload: 'kept', retain: true },
  });
  const list = await call(api, 'GET', `/api/v1/retained?filter=${encodeURIComponent('ret/#')}`, {
    key: api.adminKey,
  });
  assert.deepEqual(
    list.body.messages.map((m: { topic: string; text: string }) => [m.topic, m.text]),
    [['ret/a/b', 'kept']],
  );
  const one = await call(api, 'GET', '/api/v1/retained/ret/a/b', { key: api.adminKey });
  assert.equal(Buffer.from(one.body.payload, 'base64').toString(), 'kept');
  assert.equal((await call(api, 'DELETE', '/api/v1/retained/ret/a/b', { key: api.adminKey })).status, 204);
  assert.equal((await call(api, 'GET', '/api/v1/retained/ret/a/b', { key: api.adminKey })).status, 404);
});

test('CORS: a configured origin gets a preflight answer; another origin gets no CORS headers', async () => {
  const ok = await call(api, 'OPTIONS', '/api/v1/publish', {
    headers: { origin: 'https://dash.example', 'access-control-request-method': 'POST' },
  });
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), 'https://dash.example');
  const other = await call(api, 'GET', '/healthz', { headers: { origin: 'https://evil.example' } });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
});

test('GET /metrics is Prometheus text with connections, messages by QoS, drops, auth decisions, latency', async () => {
  const reply = await call(api, 'GET', '/metrics', { key: api.adminKey });
  assert.equal(reply.status, 200);
  assert.match(reply.headers.get('content-type') ?? '', /text\/plain/);
  const m = parseMetrics(reply.text);
  assert.ok((m.get('midge_connections_total') ?? 0) > 0);
  assert.ok(m.has('midge_connections'));
  assert.ok((m.get('midge_messages_received_total{qos="1"}') ?? 0) > 0);
  assert.ok((m.get('midge_messages_sent_total{qos="1"}') ?? 0) > 0);
  assert.ok((m.get('midge_messages_dropped_total{reason="not_authorized"}') ?? 0) > 0);
  assert.ok((m.get('midge_auth_decisions_total{provider="file",check="write",decision="deny"}') ?? 0) > 0);
  assert.ok(
    (m.get('midge_auth_decisions_total{provider="file",check="authenticate",decision="allow"}') ?? 0) > 0,
  );
  assert.ok((m.get('midge_publish_latency_seconds_count') ?? 0) > 0);
  assert.equal(
    m.get('midge_publish_latency_seconds_bucket{le="+Inf"}'),
    m.get('midge_publish_latency_seconds_count'),
  );
  assert.ok(m.has('midge_queued_messages') && m.has('midge_inflight_messages'));
});
