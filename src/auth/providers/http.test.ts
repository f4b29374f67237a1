// The HTTP provider against a real HTTP server started here (loopback, ephemeral port) that answers like a
// team's auth service: users, superusers and an ACL table, with form or JSON bodies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpProvider, type HttpProviderSettings } from './http.js';
import { httpOptionsFrom } from './http-options.js';
import type { Credentials, Identity } from '../types.js';

interface Seen {
  path: string;
  type: string;
  fields: Record<string, string>;
}

const USERS: Record<string, string> = { client: '123456', server: 's3rver', admin: 'root' };
/** auth-plug's convention: rw 1 read, 2 read and write; the service is asked with acc 1, 2 or 4. */
const ACLS: [string, string, number][] = [
  ['client', '/p/client/upload', 2],
  ['client', '/p/client/download', 1],
  ['server', '/p/client/download', 2],
];

let server: Server;
let port: number;
const seen: Seen[] = [];
/** Per-path override: a status to answer with (for retry tests), consumed one per request. */
const forced = new Map<string, number[]>();

async function readFields(request: IncomingMessage): Promise<Record<string, string>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if ((request.headers['content-type'] ?? '').startsWith('application/json')) {
    return Object.fromEntries(Object.entries(JSON.parse(text) as object).map(([k, v]) => [k, String(v)]));
  }
  return Object.fromEntries(new URLSearchParams(text));
}

function decide(path: string, f: Record<string, string>): boolean {
  if (path.endsWith('/user')) return f.username !== undefined && USERS[f.username] === f.password;
  if (path.endsWith('/superuser')) return f.username === 'admin';
  const acc = Number(f.acc);
  return ACLS.some(([u, t, rw]) => u === f.username && t === f.topic && rw >= (acc === 4 ? 1 : acc));
}

before(async () => {
  server = createServer((request, response) => {
    void readFields(request).then((fields) => {
      const path = request.url ?? '';
      seen.push({ path, type: request.headers['content-type'] ?? '', fields });
      const status = forced.get(path)?.shift();
      if (status !== undefined) return response.writeHead(status).end();
      const allowed = decide(path, fields);
      if (path.startsWith('/json')) {
        return response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ ok: allowed }));
      }
      response.writeHead(allowed ? 200 : 403).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  port = (server.address() as AddressInfo).port;
});

after(() => new Promise<void>((ok) => server.close(() => ok())));

function provider(extra: Record<string, string> = {}, prefix = '/auth') {
  const options = httpOptionsFrom({
    http_hostname: '127.0.0.1',
    http_port: String(port),
    http_getuser_uri: `${prefix}/user`,
    http_superuser_uri: `${prefix}/superuser`,
    http_aclcheck_uri: `${prefix}/acl`,
    http_retry_count: '1',
    ...extra,
  });
  const settings: HttpProviderSettings = options;
  return createHttpProvider(settings);
}

const who = (username: string | undefined, clientId = `${username ?? 'anon'}-1`): Identity => ({
  clientId,
  username,
  remoteAddress: '127.0.0.1',
  listenerId: 'l',
});
const creds = (username: string | undefined, password?: string): Credentials => ({
  ...who(username),
  password: password === undefined ? undefined : Buffer.from(password),
});

test('getuser: 2xx allows, 4xx refuses with 0x86; superuser endpoint marks superusers', async () => {
  const http = provider();
  assert.deepEqual(await http.authenticate(creds('client', '123456')), { decision: 'allow' });
  assert.deepEqual(await http.authenticate(creds('client', 'nope')), { decision: 'deny', reasonCode: 0x86 });
  assert.deepEqual(await http.authenticate(creds('admin', 'root')), { decision: 'allow', superuser: true });
  assert.deepEqual(
    await http.authenticate(creds('client')),
    { decision: 'deny', reasonCode: 0x86 },
    'no password',
  );
  assert.deepEqual(
    await http.authenticate(creds(undefined)),
    { decision: 'defer' },
    'anonymous: the chain decides',
  );
});

test('form bodies carry auth-plug’s five fields', async () => {
  seen.length = 0;
  const http = provider();
  await http.authenticate(creds('client', '123456'));
  await http.authorizePublish?.(who('client'), '/p/client/upload', 1, false);
  const [getuser, superuser, acl] = seen;
  assert.equal(getuser?.type, 'application/x-www-form-urlencoded');
  assert.deepEqual(getuser?.fields, {
    username: 'client',
    password: '123456',
    topic: '',
    acc: '-1',
    clientid: 'client-1',
  });
  assert.deepEqual(superuser?.fields, {
    username: 'client',
    password: '',
    topic: '',
    acc: '-1',
    clientid: 'client-1',
  });
  assert.deepEqual(acl?.fields, {
    username: 'client',
    password: '',
    topic: '/p/client/upload',
    acc: '2',
    clientid: 'client-1',
  });
});

test('json params and json response mode (go-auth): {"ok": true} allows', async () => {
  seen.length = 0;
  const http = provider({ http_params_mode: 'json', http_response_mode: 'json' }, '/json');
  assert.equal((await http.authenticate(creds('server', 's3rver'))).decision, 'allow');
  assert.equal((await http.authenticate(creds('server', 'bad'))).decision, 'deny');
  assert.equal(await http.authorizePublish?.(who('server'), '/p/client/download', 2, false), 'allow');
  assert.equal(await http.authorizePublish?.(who('client'), '/p/client/download', 2, false), 'deny');
  assert.equal(seen[0]?.type, 'application/json');
  assert.deepEqual(seen[0]?.fields, { username: 'server', password: 's3rver', clientid: 'server-1' });
  assert.deepEqual(seen[1]?.fields, { username: 'server' }, 'superuser: the username alone');
  assert.deepEqual(seen.find((s) => s.path === '/json/acl')?.fields, {
    username: 'server',
    clientid: 'server-1',
    topic: '/p/client/download',
    acc: '2',
  });
});

test('the seed table: client reads download, writes upload; subscribe is asked as read (acc 1)', async () => {
  const http = provider();
  const client = who('client');
  assert.equal(await http.authorizePublish?.(client, '/p/client/upload', 1, false), 'allow');
  assert.equal(await http.authorizePublish?.(client, '/p/client/download', 1, false), 'deny');
  seen.length = 0;
  assert.equal(await http.authorizeSubscribe?.(client, '/p/client/download', 1), 'allow');
  assert.equal(seen[0]?.fields.acc, '1');
  assert.equal(
    http.authorizeRead?.(client, '/p/client/download'),
    'allow',
    'answered from the subscribe check',
  );
  assert.equal(await http.authorizeSubscribe?.(client, '/p/other', 1), 'deny');
});

test('http_subscribe_acc 4 sends acc 4 for SUBSCRIBE and asks read at once for a plain topic', async () => {
  seen.length = 0;
  const http = provider({ http_subscribe_acc: '4' });
  assert.equal(await http.authorizeSubscribe?.(who('client'), '/p/client/download', 1), 'allow');
  assert.deepEqual(
    seen.map((s) => s.fields.acc),
    ['4', '1'],
  );
  assert.equal(http.authorizeRead?.(who('client'), '/p/client/download'), 'allow');
});

test('read checks answer from the cache; an unknown topic is asked in the background, then known', async () => {
  const http = provider();
  const server1 = who('server');
  assert.equal(http.authorizeRead?.(server1, '/p/client/download'), 'defer', 'not asked yet: withheld');
  await waitFor(() => http.authorizeRead?.(server1, '/p/client/download') === 'allow');
  assert.equal(http.authorizeRead?.(server1, '/p/secret'), 'defer');
  await waitFor(() => http.authorizeRead?.(server1, '/p/secret') === 'deny');
});

test('answers are cached for acl_cacheseconds; invalidate() forgets them', async () => {
  const http = provider();
  seen.length = 0;
  await http.authorizePublish?.(who('client'), '/p/client/upload', 0, false);
  await http.authorizePublish?.(who('client'), '/p/client/upload', 0, false);
  assert.equal(seen.length, 1);
  http.invalidate();
  await http.authorizePublish?.(who('client'), '/p/client/upload', 0, false);
  assert.equal(seen.length, 2);
});

test('5xx is retried (http_retry_count), then getuser refuses with 0x88 and ACL checks deny', async () => {
  const http = provider({ http_retry_count: '2' });
  forced.set('/auth/user', [500, 503]);
  assert.deepEqual(
    await http.authenticate(creds('client', '123456')),
    { decision: 'allow' },
    'third try answers',
  );
  forced.set('/auth/user', [500, 500, 500]);
  assert.deepEqual(await http.authenticate(creds('server', 's3rver')), {
    decision: 'deny',
    reasonCode: 0x88,
  });
  forced.set('/auth/acl', [502, 502, 502]);
  assert.equal(await http.authorizePublish?.(who('client'), '/p/client/upload', 0, false), 'deny');
  forced.clear();
});

test('an unreachable service: getuser 0x88, ACL deny, explain says why', async () => {
  const http = provider({ http_port: '1', http_retry_count: '0' });
  assert.deepEqual(await http.authenticate(creds('client', '123456')), {
    decision: 'deny',
    reasonCode: 0x88,
  });
  assert.equal(await http.authorizePublish?.(who('client'), '/x', 0, false), 'deny');
  const why = await http.explain({ username: 'client', clientId: 'c', topic: '/x', access: 'write' });
  assert.equal(why.decision, 'deny');
  assert.match(
    why.reason,
    /MIDGE_AUTH_HTTP_UNAVAILABLE: http:\/\/127\.0\.0\.1:1\/auth\/acl gave no answer after 1 tries/,
  );
});

test('explain names the endpoint and its answer', async () => {
  const http = provider();
  const allowed = await http.explain({
    username: 'client',
    clientId: 'c',
    topic: '/p/client/download',
    access: 'subscribe',
  });
  assert.deepEqual(allowed, {
    decision: 'allow',
    provider: 'http',
    rule: 'POST /auth/acl (username client, clientid c, acc 1)',
    reason: 'the aclcheck endpoint allowed it',
  });
  const refused = await http.explain({
    username: 'client',
    clientId: 'c',
    topic: '/p/client/download',
    access: 'write',
  });
  assert.equal(refused.decision, 'deny');
});

test('auth_opt_http_* errors carry MIDGE_AUTH_BAD_OPTION', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /needs auth_opt_http_getuser_uri/],
    [{ http_getuser_uri: 'user' }, /starting with '\/'/],
    [{ http_getuser_uri: '/u', http_port: 'x' }, /http_port expects a whole number/],
    [{ http_getuser_uri: '/u', http_with_tls: 'maybe' }, /http_with_tls expects true or false/],
    [{ http_getuser_uri: '/u', http_params_mode: 'xml' }, /http_params_mode expects form or json/],
    [{ http_getuser_uri: '/u', http_subscribe_acc: '2' }, /http_subscribe_acc expects 1 or 4/],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => httpOptionsFrom(options),
      (e: Error & { code?: string }) => e.code === 'MIDGE_AUTH_BAD_OPTION' && message.test(e.message),
    );
  }
  const tls = httpOptionsFrom({ http_getuser_uri: '/u', http_with_tls: 'true', http_ip: '10.0.0.1' });
  assert.equal(tls.port, 443);
  assert.equal(tls.host, '10.0.0.1');
});

async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((ok) => setTimeout(ok, 10));
  }
}
