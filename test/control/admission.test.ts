// One publish admission (src/handlers/admission.ts) for MQTT clients and the control surface (the HTTP API):
// each case that the two paths used to judge differently is sent both ways and must be judged the same.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { closeClient, connectClient, subscribe, type TestClient } from '../helpers/mqttjs.js';
import { hashPassword } from '../../src/auth/password.js';
import { ControlError } from '../../src/index.js';

let started: StartedBroker;
let publisher: TestClient;
/** MQTT 3.1.1: its PUBACK carries no reason code (MQTT.js refuses 0x95, which mosquitto and Midge send). */
let publisher311: TestClient;
let watcher: TestClient;
const dev = { username: 'dev', password: 'dev-secret' };
/** The API identity: a superuser, so only rules that hold before any ACL can refuse it. */
const admin = { clientId: 'api:admin', username: 'admin', superuser: true };
const LIMIT = 16;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-admission-'));
  const passwordFile = join(dir, 'passwd');
  const aclFile = join(dir, 'acl');
  writeFileSync(passwordFile, `dev:${hashPassword('dev-secret')}\n`);
  // dev may write anywhere, $SYS included: the $SYS rule must hold although the ACL allows it.
  writeFileSync(aclFile, 'user dev\ntopic readwrite #\ntopic readwrite $SYS/#\n');
  started = await startBroker({ allowAnonymous: false, passwordFile, aclFile, messageSizeLimit: LIMIT });
  publisher = await connectClient(started.port, { ...dev, clientId: 'adm-pub' });
  publisher311 = await connectClient(started.port, { ...dev, clientId: 'adm-pub-311', protocolVersion: 4 });
  watcher = await connectClient(started.port, { ...dev, clientId: 'adm-watch' });
  await subscribe(watcher.client, 'adm/#');
  await subscribe(watcher.client, '$SYS/broker/connection/#');
  await subscribe(watcher.client, '$SYS/fake/#');
});

after(async () => {
  await closeClient(publisher.client);
  await closeClient(publisher311.client);
  await closeClient(watcher.client);
  await started.stop();
});

/** Publishes at QoS 1 over MQTT 5 and returns the PUBACK reason code (0 = success). */
async function mqttPublish(
  client: MqttClient,
  topic: string,
  payload: Buffer,
  properties: Record<string, unknown> = {},
): Promise<number> {
  try {
    const packet = await client.publishAsync(topic, payload, { qos: 1, properties });
    return (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0;
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (typeof code !== 'number') throw error;
    return code;
  }
}

async function apiRefusal(topic: string, payload: Buffer, properties?: object): Promise<ControlError> {
  const refusal = await started.broker.control
    .publish({ topic, payload, qos: 1, retain: false, properties }, admin)
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  assert.ok(refusal instanceof ControlError, `the API publish to ${topic} was refused`);
  return refusal;
}

async function metric(line: RegExp): Promise<number> {
  const { text } = await started.broker.control.metrics();
  const match = line.exec(text);
  return match === null ? 0 : Number(match[1]);
}

/** Nothing refused reached the watcher: a marker published after it is the first thing it gets. */
async function assertNothingRoutedBefore(marker: string): Promise<void> {
  const seen = watcher.inbox.messages.length;
  await started.broker.control.publish(
    { topic: 'adm/marker', payload: Buffer.from(marker), qos: 0, retain: false },
    admin,
  );
  const [first] = (await watcher.inbox.waitFor(seen + 1)).slice(seen);
  assert.equal(first?.payload.toString(), marker, 'no refused message was routed before the marker');
}

test('$SYS is the broker’s: an MQTT client the ACL allows and an API superuser are both refused (0x87)', async () => {
  const fake = Buffer.from('1');
  assert.equal(await mqttPublish(publisher.client, '$SYS/fake/uptime', fake), 0x87);
  const refusal = await apiRefusal('$SYS/fake/uptime', fake);
  assert.equal(refusal.code, 'MIDGE_API_NOT_AUTHORIZED');
  assert.equal(refusal.status, 403);
  assert.equal(refusal.reasonCode, 0x87);
  await assertNothingRoutedBefore('after-sys');
});

test('$SYS bridge connection state stays writable on both paths (mosquitto allows bridges to report it)', async () => {
  const topic = '$SYS/broker/connection/edge/state';
  const seen = watcher.inbox.messages.length;
  assert.equal(await mqttPublish(publisher.client, topic, Buffer.from('1')), 0);
  await started.broker.control.publish({ topic, payload: Buffer.from('0'), qos: 1, retain: false }, admin);
  const got = (await watcher.inbox.waitFor(seen + 2)).slice(seen).map((m) => m.payload.toString());
  assert.deepEqual(got.sort(), ['0', '1']);
});

test('message_size_limit: both paths refuse a larger payload and count it as a too_large drop', async () => {
  const dropped = /^midge_messages_dropped_total\{reason="too_large"\} (\d+)/m;
  const before = await metric(dropped);
  const big = Buffer.alloc(LIMIT + 1, 0x61);
  assert.equal(await mqttPublish(publisher311.client, 'adm/big', big), 0);
  const refusal = await apiRefusal('adm/big', big);
  assert.equal(refusal.code, 'MIDGE_API_TOO_LARGE');
  assert.equal(refusal.status, 413);
  assert.equal(await metric(dropped), before + 2);
  await assertNothingRoutedBefore('after-big');
});

test('payload format indicator: a payload said to be UTF-8 that is not is refused on both paths (0x99)', async () => {
  const notUtf8 = Buffer.from([0xff, 0xfe]);
  assert.equal(
    await mqttPublish(publisher.client, 'adm/text', notUtf8, { payloadFormatIndicator: true }),
    0x99,
  );
  const refusal = await apiRefusal('adm/text', notUtf8, { payloadFormatIndicator: 1 });
  assert.equal(refusal.code, 'MIDGE_API_BAD_PAYLOAD_FORMAT');
  assert.equal(refusal.status, 400);
  assert.equal(refusal.reasonCode, 0x99);
  await assertNothingRoutedBefore('after-text');
});

test('a well-formed publish counts as received on both paths, also when it is then refused', async () => {
  const received = /^midge_messages_received_total\{qos="1"\} (\d+)/m;
  const before = await metric(received);
  const big = Buffer.alloc(LIMIT + 1, 0x62);
  await mqttPublish(publisher311.client, 'adm/count', big);
  await apiRefusal('adm/count', big);
  assert.equal(await metric(received), before + 2);
});
