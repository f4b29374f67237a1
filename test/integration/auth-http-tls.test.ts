// The HTTP backend over HTTPS to a service whose certificate comes from a private CA made here with openssl
// (auth_opt_http_cafile), and auth-plug's auth_opt_http_{getuser,superuser,aclcheck}_params: extra fields
// taken from the broker's environment, seen by the real service in form and JSON bodies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { login, subscribeCode } from '../helpers/mqtt-login.js';

const USERS: Record<string, string> = { client: '123456', admin: 'admin-secret' };
const ENV = { MIDGE_TEST_DOMAIN: 'example.com', MIDGE_TEST_TRICKY: 'space & equals=value' };

interface Seen {
  url: string;
  fields: Record<string, unknown>;
}

let certs: TestCerts;
let service: Server;
let servicePort = 0;
const seen: Seen[] = [];
const brokers: MidgeProcess[] = [];

before(async () => {
  certs = makeTestCerts();
  service = createServer(
    { cert: certs.read(certs.serverCert), key: certs.read(certs.serverKey) },
    (request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        const json = request.headers['content-type'] === 'application/json';
        const fields = json
          ? (JSON.parse(body) as Record<string, unknown>)
          : Object.fromEntries(new URLSearchParams(body));
        seen.push({ url: request.url ?? '', fields });
        let allowed = false;
        const username = String(fields.username);
        if (request.url === '/user') allowed = USERS[username] === fields.password;
        if (request.url === '/super') allowed = username === 'admin';
        if (request.url === '/acl') allowed = String(fields.topic).startsWith(`${username}/`);
        response.writeHead(allowed ? 200 : 403).end();
      });
    },
  );
  await new Promise<void>((ok) => service.listen(0, '127.0.0.1', ok));
  servicePort = (service.address() as AddressInfo).port;
});

after(async () => {
  for (const broker of brokers) await broker.stop();
  await new Promise<void>((ok) => service.close(() => ok()));
  certs?.remove();
});

/** A midge process asking the HTTPS service; `extra` lines follow the common ones. */
async function broker(extra: string[]): Promise<MidgeProcess> {
  const midge = await startMidge({
    env: ENV,
    conf: [
      'allow_anonymous false',
      'auth_opt_backends http',
      'auth_opt_http_hostname 127.0.0.1',
      `auth_opt_http_port ${servicePort}`,
      'auth_opt_http_with_tls true',
      'auth_opt_http_getuser_uri /user',
      'auth_opt_http_superuser_uri /super',
      'auth_opt_http_aclcheck_uri /acl',
      'auth_opt_http_retry_count 0',
      'auth_opt_acl_cacheseconds 0',
      ...extra,
    ].join('\n'),
  });
  brokers.push(midge);
  return midge;
}

const PARAMS = [
  'auth_opt_http_getuser_params domain=MIDGE_TEST_DOMAIN,tricky=MIDGE_TEST_TRICKY',
  'auth_opt_http_superuser_params domain=MIDGE_TEST_DOMAIN',
  'auth_opt_http_aclcheck_params site=MIDGE_TEST_DOMAIN',
];

test('https with auth_opt_http_cafile: logins and topic checks are answered by the service', async () => {
  const midge = await broker([`auth_opt_http_cafile ${certs.caCert}`]);
  const { client, code } = await login(midge.port, 'client', '123456');
  assert.equal(code, 0);
  try {
    assert.equal(await subscribeCode(client!, 'client/inbox', 1), 1);
    assert.equal(await subscribeCode(client!, 'admin/inbox', 1), 0x80);
  } finally {
    client?.end(true);
  }
  assert.equal((await login(midge.port, 'client', 'wrong')).code, 4);
});

test('https without the CA file, or with another CA: the certificate is not trusted, logins get CONNACK 3', async () => {
  const untrusted = await broker([]);
  assert.equal((await login(untrusted.port, 'client', '123456')).code, 3);
  const wrongCa = await broker([`auth_opt_http_cafile ${join(certs.dir, 'rogue-ca.crt')}`]);
  assert.equal((await login(wrongCa.port, 'client', '123456')).code, 3);
  assert.match(untrusted.output(), /MIDGE_AUTH_HTTP_UNAVAILABLE/);
});

test('auth_opt_http_*_params: each endpoint gets its extra fields from the environment (form bodies)', async () => {
  const midge = await broker([`auth_opt_http_cafile ${certs.caCert}`, ...PARAMS]);
  seen.length = 0;
  const { client, code } = await login(midge.port, 'admin', 'admin-secret');
  assert.equal(code, 0);
  client?.end(true);
  const user = await login(midge.port, 'client', '123456');
  try {
    assert.equal(await subscribeCode(user.client!, 'client/inbox', 1), 1);
  } finally {
    user.client?.end(true);
  }
  const fieldsOf = (url: string) => seen.find((s) => s.url === url)?.fields;
  assert.deepEqual(
    { domain: fieldsOf('/user')?.domain, tricky: fieldsOf('/user')?.tricky },
    { domain: 'example.com', tricky: 'space & equals=value' },
  );
  assert.equal(fieldsOf('/user')?.username, 'admin', 'the standard fields are still there');
  assert.equal(fieldsOf('/super')?.domain, 'example.com');
  assert.equal(fieldsOf('/super')?.tricky, undefined, 'getuser params only go to getuser');
  assert.equal(fieldsOf('/acl')?.site, 'example.com');
  assert.equal(fieldsOf('/acl')?.domain, undefined);
});

test('auth_opt_http_*_params in JSON bodies (http_params_mode json) are string members', async () => {
  const midge = await broker([
    `auth_opt_http_cafile ${certs.caCert}`,
    'auth_opt_http_params_mode json',
    ...PARAMS,
  ]);
  seen.length = 0;
  const { client, code } = await login(midge.port, 'client', '123456');
  assert.equal(code, 0);
  client?.end(true);
  const body = seen.find((s) => s.url === '/user')?.fields;
  assert.equal(body?.domain, 'example.com');
  assert.equal(body?.tricky, 'space & equals=value');
  assert.equal(body?.password, '123456');
});

test('an unset variable in *_params or an unreadable http_cafile stops the broker with MIDGE_AUTH_BAD_OPTION', async () => {
  for (const line of [
    'auth_opt_http_getuser_params domain=MIDGE_TEST_UNSET_VARIABLE',
    'auth_opt_http_aclcheck_params username=MIDGE_TEST_DOMAIN',
    'auth_opt_http_superuser_params domain',
    `auth_opt_http_cafile ${join(certs.dir, 'missing.crt')}`,
  ]) {
    await assert.rejects(broker([line]), /MIDGE_AUTH_BAD_OPTION/, line);
  }
});
