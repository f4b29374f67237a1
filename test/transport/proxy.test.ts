// enable_proxy_protocol on TCP, TLS and WebSocket listeners: a PROXY v1 or v2 header before the first byte
// of MQTT, TLS or HTTP names the client, and the broker (its logs, its auth checks) sees that address.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect as tcpConnect, type Socket } from 'node:net';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { encode } from '../../src/protocol/encoder.js';
import { FrameDecoder } from '../../src/protocol/decoder.js';
import type { Packet } from '../../src/protocol/types.js';
import { CONNECT, RawWsClient } from './ws-client.js';
import { startListeners, type Brokered } from './support.js';

const SIGNATURE = Buffer.from('0d0a0d0a000d0a515549540a', 'hex');
let certs: TestCerts;
let midge: Brokered;
const logs: Record<string, unknown>[] = [];

/** listeners: 0 TCP + PROXY, 1 TLS + PROXY, 2 WebSocket + PROXY */
before(async () => {
  certs = makeTestCerts();
  const proxy = { host: '127.0.0.1', proxyProtocol: 2 };
  midge = await startListeners(
    {
      listeners: [
        { port: 0, protocol: 'mqtt', ...proxy },
        { port: 0, protocol: 'mqtt', certfile: certs.serverCert, keyfile: certs.serverKey, ...proxy },
        { port: 0, protocol: 'websockets', ...proxy },
      ],
    },
    logs,
  );
});

after(async () => {
  await midge.stop();
  certs.remove();
});

const port = (index: number): number => midge.addresses[index]?.port as number;
const remoteOf = (clientId: string): unknown =>
  logs.find((l) => l.msg === 'client connected' && l.clientId === clientId)?.remote;

function v2Ipv4(address: number[], sourcePort: number): Buffer {
  const header = Buffer.alloc(28);
  SIGNATURE.copy(header);
  header[12] = 0x21; // version 2, PROXY
  header[13] = 0x11; // TCP over IPv4
  header.writeUInt16BE(12, 14);
  Buffer.from(address).copy(header, 16);
  Buffer.from([127, 0, 0, 1]).copy(header, 20);
  header.writeUInt16BE(sourcePort, 24);
  header.writeUInt16BE(1883, 26);
  return header;
}

function open(index: number): Promise<Socket> {
  return new Promise((ok, fail) => {
    const socket = tcpConnect({ host: '127.0.0.1', port: port(index) }, () => ok(socket));
    socket.once('error', fail);
  });
}

/**
 * A stream over `raw` whose first write goes out glued to `header`: the PROXY header and the TLS ClientHello
 * (or the HTTP upgrade request) reach the server in one segment, as a proxy usually sends them.
 */
function gluedTo(raw: Socket, header: Buffer | string): Duplex {
  let first = true;
  const tunnel = new Duplex({
    read: () => undefined,
    write(chunk: Buffer, _encoding, done) {
      raw.write(first ? Buffer.concat([Buffer.from(header), chunk]) : chunk, done);
      first = false;
    },
    destroy(error, done) {
      raw.destroy();
      done(error);
    },
  });
  raw.on('data', (chunk: Buffer) => tunnel.push(chunk));
  raw.on('end', () => tunnel.push(null));
  return tunnel;
}

/** The first packet the server sends, or 'closed'. */
function firstPacket(socket: Socket): Promise<Packet | 'closed'> {
  const decoder = new FrameDecoder({ role: 'client', protocolVersion: 4 });
  return new Promise((ok) => {
    const timer = setTimeout(() => ok('closed'), 3000);
    socket.on('data', (chunk: Buffer) =>
      decoder.push(chunk, (packet) => {
        clearTimeout(timer);
        ok(packet);
      }),
    );
    socket.once('close', () => ok('closed'));
  });
}

test('TCP: a PROXY v1 header and CONNECT in one write; the broker sees the address from the header', async () => {
  const socket = await open(0);
  const reply = firstPacket(socket);
  socket.write(
    Buffer.concat([
      Buffer.from('PROXY TCP4 203.0.113.50 10.0.0.1 40000 1883\r\n'),
      encode(CONNECT('proxied-v1'), 4),
    ]),
  );
  assert.equal(((await reply) as Packet).type, 'connack');
  assert.equal(remoteOf('proxied-v1'), '203.0.113.50');
  socket.destroy();
});

test('TCP: a PROXY v2 header arriving in pieces', async () => {
  const socket = await open(0);
  const reply = firstPacket(socket);
  const bytes = Buffer.concat([v2Ipv4([198, 51, 100, 7], 5555), encode(CONNECT('proxied-v2'), 4)]);
  for (const piece of [bytes.subarray(0, 5), bytes.subarray(5, 20), bytes.subarray(20)]) {
    socket.write(piece);
    await new Promise((ok) => setTimeout(ok, 20));
  }
  assert.equal(((await reply) as Packet).type, 'connack');
  assert.equal(remoteOf('proxied-v2'), '198.51.100.7');
  socket.destroy();
});

test('TCP: a connection without a PROXY header is dropped', async () => {
  const socket = await open(0);
  const reply = firstPacket(socket);
  socket.write(encode(CONNECT('no-header'), 4));
  assert.equal(await reply, 'closed');
  assert.equal(remoteOf('no-header'), undefined);
});

test('TLS: the PROXY header comes before the TLS handshake, in the same segment', async () => {
  const raw = await open(1);
  const secure = tlsConnect({
    socket: gluedTo(raw, v2Ipv4([192, 0, 2, 33], 6000)),
    ca: certs.read(certs.caCert),
    servername: 'localhost',
  });
  await new Promise<void>((ok, fail) => {
    secure.once('secureConnect', ok);
    secure.once('error', fail);
  });
  const reply = firstPacket(secure as unknown as Socket);
  secure.write(encode(CONNECT('proxied-tls'), 4));
  assert.equal(((await reply) as Packet).type, 'connack');
  assert.equal(remoteOf('proxied-tls'), '192.0.2.33');
  secure.destroy();
});

test('WebSocket: the PROXY header comes before the HTTP upgrade, in the same segment', async () => {
  const raw = await open(2);
  const tunnel = gluedTo(raw, 'PROXY TCP6 2001:db8::42 ::1 7000 9001\r\n');
  const client = await RawWsClient.open(`ws://127.0.0.1:${port(2)}/mqtt`, ['mqtt'], {
    createConnection: () => tunnel as unknown as Socket,
  });
  client.send(RawWsClient.bytes(CONNECT('proxied-ws')));
  assert.equal((await client.next()).type, 'connack');
  assert.equal(remoteOf('proxied-ws'), '2001:db8::42');
  client.close();
});
