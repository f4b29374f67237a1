// The HTTP and JWT backends in a running `midge` process (auth_opt_backends http / jwt in midge.conf), with a
// real auth service started here and real signed tokens, checked with MQTT.js: the seed table of issue 5
// (client reads /p/client/download and writes /p/client/upload; server writes both).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { login, nextMessage, subscribeCode } from '../helpers/mqtt-login.js';

const USERS: Record<string, string> = { client: '123456', server: 's3rver' };
const ACLS: [string, string, number][] = [
  ['client', '/p/client/upload', 2],
  ['server', '/p/client/upload', 2],
  ['client', '/p/client/download', 1],
  ['server', '/p/client/download', 2],
];
const SECRET = 'jwt secret for the midge end-to-end test';

let service: Server;
let servicePort = 0;
let httpBroker: MidgeProcess;
let jwtBroker: MidgeProcess;

before(async () => {
  service = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const f = Object.fromEntries(new URLSearchParams(body));
      let allowed = false;
      if (request.url === '/user') allowed = f.username !== undefined && USERS[f.username] === f.password;
      if (request.url === '/acl') {
        allowed = ACLS.some(([u, t, rw]) => u === f.username && t === f.topic && rw >= Number(f.acc));
      }
      response.writeHead(allowed ? 200 : 403).end();
    });
  });
  await new Promise<void>((ok) => service.listen(0, '127.0.0.1', ok));
  servicePort = (service.address() as AddressInfo).port;
  httpBroker = await startMidge({
    conf: [
      'allow_anonymous false',
      'auth_opt_backends http',
      'auth_opt_http_hostname 127.0.0.1',
      `auth_opt_http_port ${servicePort}`,
      'auth_opt_http_getuser_uri /user',
      'auth_opt_http_aclcheck_uri /acl',
    ].join('\n'),
  });
  jwtBroker = await startMidge({
    conf: ['allow_anonymous false', 'auth_opt_backends jwt', `auth_opt_jwt_secret ${SECRET}`].join('\n'),
  });
});

after(async () => {
  await Promise.all([httpBroker.stop(), jwtBroker.stop()]);
  await new Promise<void>((ok) => service.close(() => ok()));
});

for (const version of [4, 5] as const) {
  test(`http backend (MQTT ${version === 4 ? '3.1.1' : '5.0'}): logins and the seed table`, async (t) => {
    const port = httpBroker.port;
    const refused = await login(port, 'client', 'wrong', version);
    assert.equal(refused.code, version === 4 ? 4 : 0x86);
    const client = await login(port, 'client', '123456', version);
    const server = await login(port, 'server', 's3rver', version);
    t.after(() => {
      client.client?.end(true);
      server.client?.end(true);
    });
    assert.equal(client.code, 0, httpBroker.output());
    assert.equal(server.code, 0);
    const c = client.client!;
    const s = server.client!;
    assert.equal(await subscribeCode(c, '/p/client/download'), 1, 'client may subscribe where it may read');
    assert.equal(await subscribeCode(c, '/p/client/upload'), 1, 'rw 2 is read and write');
    const refusedCode = version === 4 ? 0x80 : 0x87;
    assert.equal(await subscribeCode(c, '/p/client/#'), refusedCode, 'the service grants no wildcard filter');
    assert.equal(await subscribeCode(s, '/p/client/upload'), 1);
    const toClient = nextMessage(c, '/p/client/download');
    await s.publishAsync('/p/client/download', 'from server', { qos: 2 });
    assert.equal(await toClient, 'from server');
    const toServer = nextMessage(s, '/p/client/upload');
    await c.publishAsync('/p/client/upload', 'from client', { qos: 1 });
    assert.equal(await toServer, 'from client');
    const spoof = nextMessage(c, '/p/client/download', 1000);
    await c
      .publishAsync('/p/client/download', 'client may not write here', { qos: 1 })
      .catch(() => undefined);
    assert.equal(await spoof, undefined, 'client publishing to download is refused');
  });
}

const token = (claims: Record<string, unknown>): Promise<string> =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));

test('jwt backend: the token is the password; its acl claim is the seed table', async (t) => {
  const port = jwtBroker.port;
  const clientToken = await token({
    username: 'client',
    acl: { pub: ['/p/client/upload'], sub: ['/p/client/download'] },
  });
  const serverToken = await token({ username: 'server', acl: { all: ['/p/client/+'] } });
  assert.equal((await login(port, 'client', serverToken)).code, 4, "server's token is not client's");
  assert.equal((await login(port, 'client', 'not a token')).code, 4);
  const client = await login(port, 'client', clientToken);
  const server = await login(port, 'server', serverToken);
  t.after(() => {
    client.client?.end(true);
    server.client?.end(true);
  });
  assert.equal(client.code, 0, jwtBroker.output());
  const c = client.client!;
  const s = server.client!;
  assert.equal(await subscribeCode(c, '/p/client/download'), 1);
  assert.equal(await subscribeCode(c, '/p/client/upload'), 0x80);
  assert.equal(await subscribeCode(s, '/p/client/#'), 1, 'a wildcard inside the grant');
  const toClient = nextMessage(c, '/p/client/download');
  await s.publishAsync('/p/client/download', 'signed', { qos: 1 });
  assert.equal(await toClient, 'signed');
  const toServer = nextMessage(s, '/p/client/download', 1000);
  await c.publishAsync('/p/client/download', 'refused write', { qos: 1 });
  assert.equal(await toServer, undefined, 'client has no pub grant on download');
  const admin = await login(port, 'admin', await token({ sub: 'admin', superuser: true }));
  t.after(() => admin.client?.end(true));
  assert.equal(await subscribeCode(admin.client!, '#'), 1, 'a superuser token skips the checks');
});
