// Every listener kind in one process: per_listener_settings gives WebSocket and TLS listeners their own
// password files, max_connections in a listener section limits that listener only, and Python paho
// (Debian's python3-paho-mqtt) talks MQTT over WebSocket and secure WebSocket to TCP clients.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { hashPassword } from '../../src/auth/password.js';
import { makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { describeExit, startProcess, uniquePrefix } from '../interop/support.js';
import { Clients, startListeners, type Brokered } from './support.js';

const PAHO = fileURLToPath(new URL('../interop/python/paho_client.py', import.meta.url));
let certs: TestCerts;
let midge: Brokered;
const clients = new Clients();

/** listeners: 0 TCP, 1 WS (ws.passwd), 2 WSS, 3 TLS (tls.passwd), 4 TCP with max_connections 2 */
before(async () => {
  certs = makeTestCerts();
  const wsPasswd = join(certs.dir, 'ws.passwd');
  const tlsPasswd = join(certs.dir, 'tls.passwd');
  writeFileSync(wsPasswd, `web:${hashPassword('web-pw')}\n`);
  writeFileSync(tlsPasswd, `device:${hashPassword('device-pw')}\n`);
  const tls = { certfile: certs.serverCert, keyfile: certs.serverKey };
  midge = await startListeners({
    perListenerSettings: true,
    listeners: [
      { port: 0, host: '127.0.0.1', protocol: 'mqtt', allowAnonymous: true },
      { port: 0, host: '127.0.0.1', protocol: 'websockets', allowAnonymous: false, passwordFile: wsPasswd },
      { port: 0, host: '127.0.0.1', protocol: 'websockets', ...tls, allowAnonymous: true },
      {
        port: 0,
        host: '127.0.0.1',
        protocol: 'mqtt',
        ...tls,
        allowAnonymous: false,
        passwordFile: tlsPasswd,
      },
      { port: 0, host: '127.0.0.1', protocol: 'mqtt', allowAnonymous: true, maxConnections: 2 },
    ],
  });
});

afterEach(() => clients.closeAll());

after(async () => {
  await midge.stop();
  certs.remove();
});

const port = (index: number): number => midge.addresses[index]?.port as number;

test('per_listener_settings: WebSocket and TLS listeners check their own password files', async () => {
  const ws = { protocol: 'ws', port: port(1), path: '/mqtt' } as const;
  const tls = { protocol: 'mqtts', port: port(3), ca: certs.read(certs.caCert) } as const;
  await clients.connect({ ...ws, username: 'web', password: 'web-pw' });
  await assert.rejects(
    clients.connect({ ...ws, username: 'device', password: 'device-pw' }),
    /Not authorized|Bad user/i,
  );
  await assert.rejects(clients.connect(ws), /Not authorized|Bad user/i);
  await clients.connect({ ...tls, username: 'device', password: 'device-pw' });
  await assert.rejects(
    clients.connect({ ...tls, username: 'web', password: 'web-pw' }),
    /Not authorized|Bad user/i,
  );
});

function openRaw(index: number): Promise<Socket> {
  return new Promise((ok, fail) => {
    const socket = connect({ host: '127.0.0.1', port: port(index) }, () => ok(socket));
    socket.once('error', fail);
  });
}

test('max_connections in a listener section closes that listener’s connections beyond the limit', async () => {
  const open = [await openRaw(4), await openRaw(4)];
  const third = await openRaw(4);
  const closed = await new Promise<boolean>((ok) => {
    const timer = setTimeout(() => ok(false), 3000);
    third.once('close', () => {
      clearTimeout(timer);
      ok(true);
    });
  });
  assert.equal(closed, true, 'the third connection to a listener with max_connections 2 is closed');
  // The limit is that listener's alone: a third connection elsewhere is served.
  const elsewhere = await clients.connect({ protocol: 'mqtt', port: port(0) });
  assert.equal(elsewhere.client.connected, true);
  for (const socket of open) socket.destroy();
});

for (const [label, index, extra] of [
  ['WebSocket', 1, ['--websocket', '/mqtt']],
  ['secure WebSocket', 2, ['--websocket', '/mqtt']],
] as const) {
  test(`Python paho over ${label} receives what a TCP client publishes, and publishes back (MQTT 3.1.1 and 5)`, async () => {
    for (const protocol of ['311', '5']) {
      const topic = `${uniquePrefix('paho-ws')}/t`;
      const tcp = await clients.connect({ protocol: 'mqtt', port: port(0) });
      await tcp.client.subscribeAsync(`${topic}/back`, { qos: 1 });
      const args = [PAHO, '--port', String(port(index)), '--protocol', protocol, ...extra];
      if (index === 1) args.push('--client-id', `paho-${protocol}`);
      const auth = index === 1 ? ['--username', 'web', '--password', 'web-pw'] : [];
      const tlsArgs = index === 2 ? ['--cafile', certs.caCert] : [];
      const paho = startProcess(
        '/usr/bin/python3',
        [
          ...args,
          ...auth,
          ...tlsArgs,
          '--sub',
          `${topic}:1`,
          '--pub',
          `${topic}/back:1:0:${Buffer.from('from paho').toString('hex')}`,
          '--count',
          '1',
        ],
        { timeoutMs: 10_000 },
      );
      await paho.waitForLine(/"event": "ready"/, 8000);
      await tcp.client.publishAsync(topic, 'from tcp', { qos: 1 });
      const exit = await paho.exit;
      assert.equal(exit.code, 0, describeExit(`paho over ${label}`, exit));
      const message = exit.stdout
        .split('\n')
        .filter((l) => l.includes('"message"'))
        .map((l) => JSON.parse(l) as { topic: string; payload_hex: string; qos: number })[0];
      assert.deepEqual(
        message && [message.topic, Buffer.from(message.payload_hex, 'hex').toString(), message.qos],
        [topic, 'from tcp', 1],
      );
      const back = await tcp.inbox.waitFor(1);
      assert.equal(back[0]?.payload.toString(), 'from paho');
      await clients.closeAll();
    }
  });
}
