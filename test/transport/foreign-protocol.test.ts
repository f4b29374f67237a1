// Beginners' mistakes get a clear answer: a browser or curl at the MQTT TCP port gets HTTP/1.1 400 with a
// one-line body naming the MQTT over WebSocket port (or saying there is none) and a log line; a TLS client at a
// plain listener and a plain MQTT (or HTTP) client at a TLS listener each get one log line saying exactly that.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { startListeners, type Brokered } from './support.js';

/** Writes `request`, collects everything the server sends until it closes the connection. */
function exchange(port: number, request: Buffer | string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = netConnect({ port, host: '127.0.0.1' }, () => socket.write(request));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => reject(new Error('the server did not close the connection')), 5000);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
  });
}

/** Resolves with the first log line whose message matches, waiting for it to be written. */
async function logLine(logs: Record<string, unknown>[], pattern: RegExp): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const line = logs.find((l) => pattern.test(String(l.msg)));
    if (line !== undefined) return line;
    if (Date.now() > deadline) assert.fail(`no log line matching ${pattern}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function upgradeRequest(port: number): string {
  return [
    'GET /mqtt HTTP/1.1',
    `Host: 127.0.0.1:${port}`,
    'Connection: Upgrade',
    'Upgrade: websocket',
    'Origin: http://localhost:8080',
    'Sec-WebSocket-Version: 13',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Sec-WebSocket-Protocol: mqtt',
    '',
    '',
  ].join('\r\n');
}

const INFO = 30;

describe('an MQTT TCP listener next to a WebSocket and a TLS listener', () => {
  let certs: TestCerts;
  let midge: Brokered;
  const logs: Record<string, unknown>[] = [];
  let tcp = 0;
  let ws = 0;
  let tls = 0;

  before(async () => {
    certs = makeTestCerts();
    midge = await startListeners(
      {
        listeners: [
          { port: 0, host: '127.0.0.1', protocol: 'mqtt' },
          { port: 0, host: '127.0.0.1', protocol: 'websockets' },
          {
            port: 0,
            host: '127.0.0.1',
            protocol: 'mqtt',
            certfile: certs.serverCert,
            keyfile: certs.serverKey,
          },
        ],
      },
      logs,
    );
    [tcp, ws, tls] = midge.addresses.map((a) => a.port) as [number, number, number];
  });
  after(async () => {
    await midge.stop();
    certs.remove();
  });

  test("a browser's WebSocket upgrade at the MQTT TCP port gets 400 naming the WebSocket port, and a log line", async () => {
    const answer = await exchange(tcp, upgradeRequest(tcp));
    const [head, body] = answer.split('\r\n\r\n') as [string, string];
    assert.match(head, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(head, new RegExp(`\r\nContent-Length: ${Buffer.byteLength(body)}(\r\n|$)`));
    assert.equal(body, `This port speaks MQTT over TCP, not HTTP; MQTT over WebSocket is on port ${ws}.\n`);
    const line = await logLine(logs, /^HTTP request from 127\.0\.0\.1 on an MQTT TCP listener: answered 400/);
    assert.equal(line.level, INFO);
    assert.equal(line.remote, '127.0.0.1');
    // One line for the mistake: the connection log (connection_messages) does not add a disconnect line.
    assert.equal(
      logs.filter((l) => /^Client .* from 127\.0\.0\.1:\d+ disconnected/.test(String(l.msg))).length,
      0,
    );
  });

  test('a plain GET (curl) at the MQTT TCP port gets the same 400', async () => {
    const answer = await exchange(
      tcp,
      `GET / HTTP/1.1\r\nHost: 127.0.0.1:${tcp}\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n\r\n`,
    );
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n[\s\S]*MQTT over WebSocket is on port \d+\.\n$/);
  });

  test('a TLS ClientHello at the plain MQTT listener: closed, one log line that says so', async () => {
    await new Promise<void>((resolve) => {
      const socket = tlsConnect({ port: tcp, host: '127.0.0.1', rejectUnauthorized: false });
      socket.on('error', () => resolve());
      socket.on('close', () => resolve());
    });
    const line = await logLine(logs, /^TLS handshake from 127\.0\.0\.1 on a plain \(non-TLS\) MQTT listener/);
    assert.equal(line.level, INFO);
  });

  test('plain MQTT at the TLS listener: one log line that says the client must use TLS', async () => {
    const connect = Buffer.from('101000044d5154540402003c000461626364', 'hex');
    await exchange(tls, connect);
    const line = await logLine(
      logs,
      /^plain data instead of a TLS handshake \(MQTT without TLS\?\) from 127\.0\.0\.1 on TLS listener/,
    );
    assert.equal(line.level, INFO);
    assert.match(String(line.msg), /the client must use TLS \(mqtts\)$/);
  });

  test('an HTTP request at the TLS listener: one log line naming it', async () => {
    await exchange(tls, `GET / HTTP/1.1\r\nHost: 127.0.0.1:${tls}\r\n\r\n`);
    await logLine(logs, /^an HTTP request from 127\.0\.0\.1 on TLS listener/);
  });
});

describe('an MQTT TCP listener without any WebSocket listener', () => {
  let midge: Brokered;
  before(async () => {
    midge = await startListeners({ listeners: [{ port: 0, host: '127.0.0.1', protocol: 'mqtt' }] });
  });
  after(() => midge.stop());

  test('the 400 body says that no MQTT over WebSocket listener is configured', async () => {
    const port = midge.addresses[0]?.port as number;
    const answer = await exchange(port, upgradeRequest(port));
    assert.match(answer, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(
      answer,
      /\r\n\r\nThis port speaks MQTT over TCP, not HTTP; no MQTT over WebSocket listener is configured/,
    );
  });
});
