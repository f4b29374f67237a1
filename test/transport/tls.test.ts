// TLS listeners with certificates made by openssl in the test: server authentication, require_certificate
// with a trusted and a refused client certificate, use_identity_as_username feeding the ACL, tls_version,
// configuration errors, and mosquitto_pub/sub with --cafile/--cert/--key.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IClientOptions } from 'mqtt';
import type { ListenerConfig } from '../../src/index.js';
import { makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { hashPassword } from '../../src/auth/password.js';
import { describeExit, runProcess, startProcess, uniquePrefix } from '../interop/support.js';
import { Clients, startListeners, type Brokered } from './support.js';

let certs: TestCerts;
let midge: Brokered;
const clients = new Clients();

/** listener order: 0 plain TCP, 1 TLS, 2 TLS + require_certificate, 3 TLS + use_identity_as_username, 4 TLS 1.3 only */
before(async () => {
  certs = makeTestCerts('device-7');
  const aclFile = join(certs.dir, 'acl');
  writeFileSync(
    aclFile,
    'user device-7\ntopic readwrite devices/device-7/#\nuser alice\ntopic readwrite #\n',
  );
  const passwordFile = join(certs.dir, 'passwd');
  writeFileSync(passwordFile, `alice:${hashPassword('alice-secret')}\n`);
  const tls = (extra: Partial<ListenerConfig>): ListenerConfig => ({
    port: 0,
    host: '127.0.0.1',
    protocol: 'mqtt',
    certfile: certs.serverCert,
    keyfile: certs.serverKey,
    allowAnonymous: true,
    ...extra,
  });
  const clientCertificates = { cafile: certs.caCert, requireCertificate: true };
  midge = await startListeners({
    perListenerSettings: true,
    listeners: [
      { port: 0, host: '127.0.0.1', protocol: 'mqtt', allowAnonymous: true },
      tls({}),
      tls(clientCertificates),
      tls({
        ...clientCertificates,
        useIdentityAsUsername: true,
        allowAnonymous: false,
        passwordFile,
        aclFile,
      }),
      tls({ tlsVersion: 'tlsv1.3' }),
    ],
  });
});

afterEach(() => clients.closeAll());

after(async () => {
  await midge.stop();
  certs.remove();
});

const port = (index: number): number => midge.addresses[index]?.port as number;
const ca = (): Buffer => certs.read(certs.caCert);

test('a TLS listener reports mqtts and serves a client that trusts the CA; it talks to a TCP client', async () => {
  assert.deepEqual(
    midge.addresses.map((a) => a.protocol),
    ['mqtt', 'mqtts', 'mqtts', 'mqtts', 'mqtts'],
  );
  const topic = `${uniquePrefix('tls')}/t`;
  const secure = await clients.connect({ protocol: 'mqtts', port: port(1), ca: ca() });
  const plain = await clients.connect({ protocol: 'mqtt', port: port(0) });
  await secure.client.subscribeAsync(topic, { qos: 1 });
  await plain.client.subscribeAsync(topic, { qos: 1 });
  await plain.client.publishAsync(topic, 'from tcp', { qos: 1 });
  await secure.client.publishAsync(topic, 'from tls', { qos: 1 });
  const got = await secure.inbox.waitFor(2);
  assert.deepEqual(got.map((m) => m.payload.toString()).sort(), ['from tcp', 'from tls']);
  assert.deepEqual((await plain.inbox.waitFor(2)).map((m) => m.payload.toString()).sort(), [
    'from tcp',
    'from tls',
  ]);
});

test('a client that does not trust the server certificate refuses the handshake', async () => {
  await assert.rejects(
    clients.connect({ protocol: 'mqtts', port: port(1), ca: certs.read(certs.rogueCert) }),
    /self-signed|unable to (verify|get)/i,
  );
});

test('require_certificate: a client certificate from the CA connects', async () => {
  const { client } = await clients.connect({
    protocol: 'mqtts',
    port: port(2),
    ca: ca(),
    cert: certs.read(certs.clientCert),
    key: certs.read(certs.clientKey),
  });
  assert.equal(client.connected, true);
});

test('require_certificate: a certificate from an untrusted CA is refused', async () => {
  await assert.rejects(
    clients.connect({
      protocol: 'mqtts',
      port: port(2),
      ca: ca(),
      cert: certs.read(certs.rogueCert),
      key: certs.read(certs.rogueKey),
    }),
  );
});

test('require_certificate: a client without a certificate is refused', async () => {
  await assert.rejects(clients.connect({ protocol: 'mqtts', port: port(2), ca: ca() }));
});

test('use_identity_as_username: the certificate CN is the username the ACL sees; CONNECT credentials are ignored', async () => {
  const { client } = await clients.connect({
    protocol: 'mqtts',
    port: port(3),
    ca: ca(),
    cert: certs.read(certs.clientCert),
    key: certs.read(certs.clientKey),
    // A username the ACL would let read everything, with a wrong password: neither is used.
    username: 'alice',
    password: 'wrong',
  });
  const own = await client.subscribeAsync('devices/device-7/#', { qos: 1 });
  assert.equal(own[0]?.qos, 1);
  // MQTT.js rejects a SUBACK with 0x80 ("Unspecified error").
  await assert.rejects(client.subscribeAsync('devices/device-8/#', { qos: 1 }), /Subscribe error/);
});

test('tls_version tlsv1.3: a client limited to TLS 1.2 is refused, TLS 1.3 connects', async () => {
  await assert.rejects(
    clients.connect({ protocol: 'mqtts', port: port(4), ca: ca(), maxVersion: 'TLSv1.2' } as IClientOptions),
    /version|protocol/i,
  );
  const { client } = await clients.connect({ protocol: 'mqtts', port: port(4), ca: ca() });
  assert.equal(client.connected, true);
});

test('TLS configuration errors stop the start with a coded message', async () => {
  const cases: [Record<string, unknown>, RegExp][] = [
    [{ certfile: certs.serverCert }, /MIDGE_TLS_BAD_CONFIG: listener 0 needs both certfile and keyfile/],
    [{ cafile: certs.caCert }, /MIDGE_TLS_BAD_CONFIG/],
    [
      { certfile: join(certs.dir, 'missing.crt'), keyfile: certs.serverKey },
      /MIDGE_TLS_FILE_UNREADABLE: listener 0: cannot read certfile '.*missing\.crt' \(ENOENT\)/,
    ],
    [
      { certfile: certs.serverCert, keyfile: certs.serverKey, requireCertificate: true },
      /MIDGE_TLS_BAD_CONFIG: listener 0: require_certificate/,
    ],
    [{ certfile: certs.serverCert, keyfile: certs.rogueKey }, /MIDGE_TLS_BAD_CONFIG: listener 0: /],
  ];
  for (const [tls, message] of cases) {
    await assert.rejects(
      startListeners({ listeners: [{ port: 0, host: '127.0.0.1', protocol: 'mqtt', ...tls }] }),
      message,
    );
  }
});

test('mosquitto_pub and mosquitto_sub with --cafile, --cert and --key over TLS', async () => {
  const topic = `${uniquePrefix('tls-mosquitto')}/t`;
  const tlsArgs = [
    '-h',
    'localhost',
    '-p',
    String(port(2)),
    '--cafile',
    certs.caCert,
    '--cert',
    certs.clientCert,
    '--key',
    certs.clientKey,
  ];
  const sub = startProcess(
    '/usr/bin/stdbuf',
    ['-oL', '/usr/bin/mosquitto_sub', ...tlsArgs, '-t', topic, '-q', '1', '-C', '1', '-d'],
    {
      timeoutMs: 10_000,
    },
  );
  await sub.waitForLine(/^Subscribed/);
  const pub = await runProcess(
    '/usr/bin/mosquitto_pub',
    [...tlsArgs, '-t', topic, '-q', '1', '-m', 'over tls'],
    {
      timeoutMs: 10_000,
    },
  );
  assert.equal(pub.code, 0, describeExit('mosquitto_pub', pub));
  const exit = await sub.exit;
  assert.equal(exit.code, 0, describeExit('mosquitto_sub', exit));
  assert.match(exit.stdout, /^over tls$/m);

  const refused = await runProcess(
    '/usr/bin/mosquitto_pub',
    [...tlsArgs.slice(0, 6), '--cert', certs.rogueCert, '--key', certs.rogueKey, '-t', topic, '-m', 'x'],
    { timeoutMs: 10_000 },
  );
  assert.notEqual(refused.code, 0, describeExit('mosquitto_pub with a rogue certificate', refused));
});
