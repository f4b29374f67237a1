// Envelope mode end to end with MQTT.js: accepted envelopes reach subscribers without their token and with
// the verified device id; bad signature, stale timestamp, replay, wrong client id and non-JSON are refused
// (MQTT 5: PUBACK 0x87 / 0x99; MQTT 3.1.1: acknowledged and dropped) and counted.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { closeClient, connectClient, subscribe, type TestClient } from '../helpers/mqttjs.js';
import { issueDeviceToken } from '../../src/index.js';
import { startHttpApi, type HttpApi } from '../../src/api/http-api.js';
import { registerTokenRoutes } from '../../src/api/routes-tokens.js';
import { sleep } from '../interop/support.js';

const SECRET = 'device-token-secret';
const JWT_SECRET = 'jwt-secret-of-at-least-32-bytes!!';
let started: StartedBroker;
let sub: TestClient;
let pub: TestClient;
let api: HttpApi;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-envelope-'));
  started = await startBroker({
    envelope: { filters: ['/p/+/upload'], secret: SECRET, jwtSecret: JWT_SECRET, windowSeconds: 60 },
    httpApi: { keyFile: join(dir, 'keys.json'), allowAnonymous: true },
  });
  sub = await connectClient(started.port, { clientId: 'env-sub' });
  await subscribe(sub.client, '/p/+/upload');
  await subscribe(sub.client, '$envelope/#');
  pub = await connectClient(started.port, { clientId: 'env-pub' });
  api = await startHttpApi(started.broker, {
    port: 0,
    listener: -1,
    settings: started.broker.config.httpApi,
    extend: registerTokenRoutes(started.broker.config),
  });
});

after(async () => {
  await closeClient(sub.client);
  await closeClient(pub.client);
  await api.close();
  await started.stop();
});

const now = (): string => String(Math.floor(Date.now() / 1000));

function envelope(fields: Record<string, unknown> = {}): string {
  return JSON.stringify({
    timestamp: now(),
    client_id: '1001001',
    message_type: 'ping',
    data: { detail: 'content' },
    token: issueDeviceToken(SECRET, ['1001001'], 3600),
    ...fields,
  });
}

async function publishV5(payload: string, topic = '/p/1001001/upload'): Promise<number> {
  try {
    const ack = await pub.client.publishAsync(topic, payload, { qos: 1 });
    return (ack as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
  } catch (error) {
    return (error as { code: number }).code;
  }
}

test('a valid envelope is delivered without its token, with device_id, and routed to $envelope/{type}/...', async () => {
  sub.inbox.messages.length = 0;
  const userProps: unknown[] = [];
  const onMessage = (_t: string, _p: Buffer, packet: { properties?: { userProperties?: unknown } }): void =>
    void userProps.push(packet.properties?.userProperties);
  sub.client.on('message', onMessage);
  assert.equal(await publishV5(envelope()), 0);
  const got = await sub.inbox.waitFor(2);
  sub.client.off('message', onMessage);
  const topics = got.map((m) => m.topic).sort();
  assert.deepEqual(topics, ['$envelope/ping/p/1001001/upload', '/p/1001001/upload']);
  const body = JSON.parse(got[0]?.payload.toString() ?? '{}') as Record<string, unknown>;
  assert.equal(body.token, undefined);
  assert.deepEqual(body.data, { detail: 'content' });
  assert.deepEqual({ ...(userProps[0] as object) }, { device_id: '1001001' });
});

for (const [name, payload, code] of [
  ['bad signature', () => envelope({ token: issueDeviceToken('another-secret', ['1001001'], 3600) }), 0x87],
  ['stale timestamp', () => envelope({ timestamp: String(Math.floor(Date.now() / 1000) - 3600) }), 0x87],
  ['wrong client id', () => envelope({ client_id: '999' }), 0x87],
  [
    'expired token',
    () => envelope({ token: issueDeviceToken(SECRET, ['1001001'], 10, Date.now() - 60_000) }),
    0x87,
  ],
  ['not JSON', () => 'hello', 0x99],
  ['JSON without the envelope fields', () => JSON.stringify({ hello: 1 }), 0x99],
] as const) {
  test(`an envelope with a ${name} is refused with 0x${code.toString(16)} and not delivered`, async () => {
    sub.inbox.messages.length = 0;
    assert.equal(await publishV5(payload()), code);
    await sleep(150);
    assert.equal(sub.inbox.messages.length, 0);
  });
}

test('a replayed envelope (same token and timestamp) is refused', async () => {
  const once = envelope();
  assert.equal(await publishV5(once), 0);
  assert.equal(await publishV5(once), 0x87);
});

test('a JWT (HS256) issued for the client id is accepted', async () => {
  const jwt = await new SignJWT({ client_id: ['1001001', '1001002'] })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(JWT_SECRET));
  assert.equal(await publishV5(envelope({ token: jwt, client_id: '1001002' })), 0);
  assert.equal(await publishV5(envelope({ token: `${jwt}x`, client_id: '1001002' })), 0x87);
});

test('clients may not publish to $envelope/... themselves', async () => {
  assert.equal(await publishV5(envelope(), '$envelope/ping/forged'), 0x87);
});

test('MQTT 3.1.1: an invalid envelope is acknowledged (no reason codes) and dropped', async () => {
  const old = await connectClient(started.port, { clientId: 'env-311', protocolVersion: 4 });
  sub.inbox.messages.length = 0;
  await old.client.publishAsync('/p/1001001/upload', 'not json', { qos: 1 });
  await sleep(150);
  assert.equal(sub.inbox.messages.length, 0);
  await closeClient(old.client);
});

test('rejections are counted by reason in the metrics', async () => {
  const { text } = await started.broker.control.metrics();
  for (const reason of ['bad_token', 'stale_timestamp', 'client_id_mismatch', 'replay', 'not_an_envelope']) {
    assert.match(
      text,
      new RegExp(`^midge_envelope_rejected_total\\{reason="${reason}"\\} [1-9]`, 'm'),
      reason,
    );
  }
});

test('POST /api/v1/tokens issues a token the envelope gate accepts; an API publish passes the same gate', async () => {
  const response = await fetch(`http://127.0.0.1:${api.port}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ clientIds: ['2002002'], ttlSeconds: 600 }),
  });
  const { token } = (await response.json()) as { token: string };
  assert.equal(await publishV5(envelope({ token, client_id: '2002002' }), '/p/2002002/upload'), 0);
  const viaApi = await fetch(`http://127.0.0.1:${api.port}/api/v1/publish`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ topic: '/p/2002002/upload', payload: 'not an envelope' }),
  });
  assert.equal(viaApi.status, 422);
  assert.equal(((await viaApi.json()) as { error: { reasonCode: number } }).error.reasonCode, 0x99);
});

test('midge token issue --client-id --ttl prints a token signed with envelope_secret', () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-token-'));
  const conf = join(dir, 'midge.conf');
  writeFileSync(conf, `listener 0 127.0.0.1\nenvelope /p/+/upload\nenvelope_secret ${SECRET}\n`);
  const result = spawnSync(
    process.execPath,
    ['dist/cli/main.js', 'token', 'issue', '--client-id', '1001001', '--ttl', '1h', '-c', conf],
    { encoding: 'utf8', timeout: 20_000 },
  );
  assert.equal(result.status, 0, result.stderr);
  const token = result.stdout.trim();
  assert.match(token, /^v1\.[\w-]+\.[\w-]+$/);
  const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as {
    c: string[];
    e: number;
  };
  assert.deepEqual(claims.c, ['1001001']);
  assert.ok(Math.abs(claims.e - (Date.now() / 1000 + 3600)) < 60);
});
