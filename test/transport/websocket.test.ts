// WebSocket and secure WebSocket listeners through a raw `ws` client (exact frames) and MQTT.js: subprotocol
// choice, packets split across frames and many per frame, text and oversize frames, ping/pong, any path,
// http_dir, X-Forwarded-For, WSS with client certificates, and WebSocket ↔ TCP message exchange.
import { test, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'node:http';
import { makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { uniquePrefix } from '../interop/support.js';
import WebSocket from 'ws';
import { decodePacket } from '../../src/protocol/decoder.js';
import { encode } from '../../src/protocol/encoder.js';
import { CONNECT, RawWsClient } from './ws-client.js';
import { Clients, startListeners, type Brokered } from './support.js';

const MAX_PACKET = 4096;
let certs: TestCerts;
let midge: Brokered;
const logs: Record<string, unknown>[] = [];
const clients = new Clients();
const raw: RawWsClient[] = [];

/** listeners: 0 TCP, 1 WS + http_dir + trust_x_forwarded_for, 2 WS, 3 WSS + require_certificate + identity */
before(async () => {
  certs = makeTestCerts('browser-1');
  const www = join(certs.dir, 'www');
  mkdirSync(join(www, 'app'), { recursive: true });
  writeFileSync(join(www, 'index.html'), '<h1>midge</h1>');
  writeFileSync(join(www, 'app', 'main.js'), 'console.log(1);');
  writeFileSync(join(certs.dir, 'secret.txt'), 'not for the web');
  symlinkSync(join(certs.dir, 'secret.txt'), join(www, 'escape.txt'));
  midge = await startListeners(
    {
      maxPacketSize: MAX_PACKET,
      listeners: [
        { port: 0, host: '127.0.0.1', protocol: 'mqtt' },
        { port: 0, host: '127.0.0.1', protocol: 'websockets', httpDir: www, trustForwardedFor: true },
        { port: 0, host: '127.0.0.1', protocol: 'websockets' },
        {
          port: 0,
          host: '127.0.0.1',
          protocol: 'websockets',
          certfile: certs.serverCert,
          keyfile: certs.serverKey,
          cafile: certs.caCert,
          requireCertificate: true,
          useIdentityAsUsername: true,
        },
      ],
    },
    logs,
  );
});

afterEach(async () => {
  for (const client of raw.splice(0)) client.close();
  await clients.closeAll();
});

after(async () => {
  await midge.stop();
  certs.remove();
});

const port = (index: number): number => midge.addresses[index]?.port as number;
const url = (index: number, path = '/mqtt'): string => `ws://127.0.0.1:${port(index)}${path}`;

async function open(index = 2, protocols = ['mqtt'], path = '/mqtt', headers = {}): Promise<RawWsClient> {
  const client = await RawWsClient.open(url(index, path), protocols, { headers });
  raw.push(client);
  return client;
}

test('the listeners report ws and wss', () => {
  assert.deepEqual(
    midge.addresses.map((a) => a.protocol),
    ['mqtt', 'ws', 'ws', 'wss'],
  );
});

test('[MQTT-6.0.0-4] the server selects the "mqtt" subprotocol; "mqttv3.1" is accepted for MQTT 3.1 clients', async () => {
  assert.equal((await open(2, ['other', 'mqtt'])).ws.protocol, 'mqtt');
  assert.equal((await open(2, ['mqttv3.1'])).ws.protocol, 'mqttv3.1');
});

test('[MQTT-6.0.0-3] an upgrade without the "mqtt" subprotocol is refused with 400 and a reason', async () => {
  for (const protocols of [[], ['chat']]) {
    await assert.rejects(
      open(2, protocols),
      /HTTP 400: MQTT over WebSocket needs the WebSocket subprotocol "mqtt"/,
    );
  }
});

test('any path is accepted', async () => {
  for (const path of ['/', '/mqtt', '/some/deep/path?x=1']) {
    const client = await open(2, ['mqtt'], path);
    client.send(RawWsClient.bytes(CONNECT(`path-${path.length}`)));
    assert.equal((await client.next()).type, 'connack');
  }
});

test('[MQTT-6.0.0-2] a CONNECT sent one byte per frame is decoded', async () => {
  const client = await open();
  for (const byte of RawWsClient.bytes(CONNECT('bytewise'))) client.send(Buffer.from([byte]));
  assert.deepEqual(await client.next(), { type: 'connack', sessionPresent: false, reasonCode: 0 });
});

test('[MQTT-6.0.0-2] several packets in one frame, and a frame ending mid-packet', async () => {
  const client = await open();
  const topic = `${uniquePrefix('ws-frames')}/t`;
  const batch = Buffer.concat([
    RawWsClient.bytes(CONNECT('batched')),
    RawWsClient.bytes({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: topic, qos: 0 }] }),
    RawWsClient.bytes({
      type: 'publish',
      topic,
      payload: Buffer.from('one'),
      qos: 0,
      retain: false,
      dup: false,
    }),
    RawWsClient.bytes({ type: 'pingreq' }),
  ]);
  const cut = batch.length - 3;
  client.send(batch.subarray(0, cut));
  client.send(batch.subarray(cut));
  assert.equal((await client.next()).type, 'connack');
  assert.equal((await client.next()).type, 'suback');
  const publish = await client.next();
  assert.equal(publish.type, 'publish');
  assert.equal(publish.type === 'publish' && publish.payload.toString(), 'one');
  assert.equal((await client.next()).type, 'pingresp');
});

test('[MQTT-6.0.0-1] a text frame closes the connection with 1003', async () => {
  const client = await open();
  client.send(RawWsClient.bytes(CONNECT('texter')));
  await client.next();
  client.send('hello', false);
  assert.deepEqual(await client.closed, {
    code: 1003,
    reason: 'MQTT over WebSocket uses binary frames only',
  });
});

test('(5.0) [MQTT-6.0.0-1][MQTT-6.0.0-2][MQTT-6.0.0-4] MQTT 5 over WebSocket: "mqtt" is selected, a CONNECT split over two frames gets CONNACK, a text frame closes with 1003', async () => {
  const ws = new WebSocket(url(2), ['mqtt']);
  const frames: Buffer[] = [];
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  ws.on('message', (data: Buffer) => frames.push(data));
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  assert.equal(ws.protocol, 'mqtt');
  const connect = encode(
    {
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 5,
      clean: true,
      keepalive: 60,
      clientId: 'ws5',
    },
    5,
  );
  ws.send(connect.subarray(0, 5), { binary: true });
  ws.send(connect.subarray(5), { binary: true });
  const deadline = Date.now() + 5000;
  while (frames.length === 0 && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 10));
  const connack = decodePacket(Buffer.concat(frames), 5);
  assert.deepEqual([connack.type, connack.type === 'connack' && connack.reasonCode], ['connack', 0]);
  ws.send('text', { binary: false });
  assert.equal(await closed, 1003);
});

test('a frame larger than the maximum packet size closes the connection with 1009', async () => {
  const client = await open();
  client.send(Buffer.alloc(MAX_PACKET + 1));
  assert.equal((await client.closed).code, 1009);
});

test('WebSocket pings are answered with pongs', async () => {
  const client = await open();
  const pong = new Promise<Buffer>((ok) => client.ws.once('pong', ok));
  client.ws.ping(Buffer.from('are you there'));
  assert.equal((await pong).toString(), 'are you there');
});

test('QoS 0, 1 and 2 between an MQTT.js WebSocket client and a TCP client, both ways', async () => {
  const topic = `${uniquePrefix('ws-tcp')}/t`;
  const ws = await clients.connect({ protocol: 'ws', port: port(2), path: '/mqtt' });
  const tcp = await clients.connect({ protocol: 'mqtt', port: port(0) });
  await ws.client.subscribeAsync(`${topic}/to-ws`, { qos: 2 });
  await tcp.client.subscribeAsync(`${topic}/to-tcp`, { qos: 2 });
  for (const qos of [0, 1, 2] as const) {
    await tcp.client.publishAsync(`${topic}/to-ws`, `tcp q${qos}`, { qos });
    await ws.client.publishAsync(`${topic}/to-tcp`, `ws q${qos}`, { qos });
  }
  const toWs = await ws.inbox.waitFor(3);
  const toTcp = await tcp.inbox.waitFor(3);
  assert.deepEqual(
    toWs.map((m) => [m.payload.toString(), m.qos]),
    [
      ['tcp q0', 0],
      ['tcp q1', 1],
      ['tcp q2', 2],
    ],
  );
  assert.deepEqual(
    toTcp.map((m) => [m.payload.toString(), m.qos]),
    [
      ['ws q0', 0],
      ['ws q1', 1],
      ['ws q2', 2],
    ],
  );
});

function get(
  index: number,
  path: string,
  method = 'GET',
): Promise<{ status: number; body: string; type: string }> {
  return new Promise((ok, fail) => {
    const req = request({ host: '127.0.0.1', port: port(index), path, method }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () =>
        ok({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type']) }),
      );
    });
    req.on('error', fail);
    req.end();
  });
}

test('http_dir serves files over plain HTTP on the WebSocket listener', async () => {
  assert.deepEqual(await get(1, '/'), {
    status: 200,
    body: '<h1>midge</h1>',
    type: 'text/html; charset=utf-8',
  });
  assert.deepEqual(await get(1, '/app/main.js'), {
    status: 200,
    body: 'console.log(1);',
    type: 'text/javascript; charset=utf-8',
  });
  assert.equal((await get(1, '/missing.html')).status, 404);
  assert.equal((await get(1, '/', 'POST')).status, 405);
});

test('http_dir never serves anything outside its directory', async () => {
  for (const path of [
    '/../secret.txt',
    '/%2e%2e/secret.txt',
    '/app/%2E%2E/%2E%2E/secret.txt',
    '/escape.txt',
    '/..%5csecret.txt',
  ]) {
    const { status, body } = await get(1, path);
    assert.equal(status, 404, path);
    assert.doesNotMatch(body, /not for the web/, path);
  }
});

test('without http_dir, plain HTTP gets 426 Upgrade Required', async () => {
  const { status, body } = await get(2, '/');
  assert.equal(status, 426);
  assert.match(body, /MQTT over WebSocket endpoint/);
});

test('trust_x_forwarded_for: the address the proxy appended last is the client address the broker sees', async () => {
  const trusted = await open(1, ['mqtt'], '/mqtt', { 'x-forwarded-for': '198.51.100.1, 203.0.113.9' });
  trusted.send(RawWsClient.bytes(CONNECT('behind-proxy')));
  await trusted.next();
  const ignored = await open(2, ['mqtt'], '/mqtt', { 'x-forwarded-for': '203.0.113.10' });
  ignored.send(RawWsClient.bytes(CONNECT('not-trusted')));
  await ignored.next();
  const remoteOf = (clientId: string): unknown =>
    logs.find((l) => l.msg === 'client connected' && l.clientId === clientId)?.remote;
  assert.equal(remoteOf('behind-proxy'), '203.0.113.9');
  assert.equal(remoteOf('not-trusted'), '127.0.0.1');
});

test('WSS with require_certificate and use_identity_as_username: the CN is the username; a rogue certificate is refused', async () => {
  const tls = { ca: certs.read(certs.caCert), rejectUnauthorized: true };
  const good = await clients.connect({
    protocol: 'wss',
    host: 'localhost',
    port: port(3),
    path: '/mqtt',
    ...tls,
    cert: certs.read(certs.clientCert),
    key: certs.read(certs.clientKey),
    clientId: 'wss-good',
  });
  assert.equal(good.client.connected, true);
  const entry = logs.find((l) => l.msg === 'client connected' && l.clientId === 'wss-good');
  assert.equal(entry?.username, 'browser-1');
  await assert.rejects(
    clients.connect({
      protocol: 'wss',
      host: 'localhost',
      port: port(3),
      path: '/mqtt',
      ...tls,
      cert: certs.read(certs.rogueCert),
      key: certs.read(certs.rogueKey),
    }),
  );
});

test(
  'backpressure: a WebSocket subscriber that stops reading has QoS 0 dropped, not buffered without bound',
  { timeout: 60_000 },
  async () => {
    const topic = `${uniquePrefix('ws-slow')}/t`;
    const slow = await open();
    slow.send(RawWsClient.bytes(CONNECT('slow-reader')));
    assert.equal((await slow.next()).type, 'connack');
    slow.send(
      RawWsClient.bytes({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: topic, qos: 0 }] }),
    );
    assert.equal((await slow.next()).type, 'suback');
    slow.ws.pause(); // the socket stops reading: the kernel buffers fill, then the broker's send buffer grows

    const sent = 6000;
    // Under this broker's 4 KiB maximum packet size: 6000 × 3.5 KiB ≈ 20 MiB, far above the 4 MiB congestion limit.
    const payload = Buffer.alloc(3500, 0x61);
    const publisher = await clients.connect({ protocol: 'mqtt', port: port(0) });
    for (let i = 0; i < sent; i++) publisher.client.publish(topic, payload, { qos: 0 });
    // The publisher is not held up by the slow subscriber: a QoS 1 round trip completes.
    await publisher.client.publishAsync(`${topic}/other`, 'still moving', { qos: 1 });

    slow.ws.resume();
    // PINGRESP is queued behind every delivery the broker kept, so once it arrives all of them have.
    slow.send(RawWsClient.bytes({ type: 'pingreq' }));
    let delivered = 0;
    for (;;) {
      const packet = await slow.next(15_000);
      if (packet.type === 'pingresp') break;
      if (packet.type === 'publish') delivered++;
    }
    assert.ok(delivered > 0, 'some messages got through');
    assert.ok(
      delivered < sent,
      `QoS 0 messages beyond the limit are dropped (${delivered} of ${sent} delivered)`,
    );
  },
);
