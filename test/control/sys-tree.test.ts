// The $SYS/broker tree beyond the basics: load averages, heap, expiry, in-flight and stored messages, publish
// bytes and the start timestamp, under mosquitto's names, seen by an MQTT.js subscriber.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { closeClient, connectClient } from '../helpers/mqttjs.js';

let started: StartedBroker;

before(async () => {
  started = await startBroker({ sysInterval: 1 });
});

after(() => started.stop());

const NAMES = [
  'version',
  'timestamp',
  'uptime',
  'clients/expired',
  'messages/inflight',
  'messages/stored',
  'store/messages/count',
  'store/messages/bytes',
  'publish/bytes/received',
  'publish/bytes/sent',
  'heap/current',
  'heap/maximum',
  ...[
    'messages/received',
    'messages/sent',
    'bytes/received',
    'bytes/sent',
    'publish/received',
    'publish/sent',
  ]
    .concat(['publish/dropped', 'connections', 'sockets'])
    .flatMap((n) => ['1min', '5min', '15min'].map((w) => `load/${n}/${w}`)),
];

test('every mosquitto $SYS/broker topic is published, load averages with two decimals', async () => {
  const sub = await connectClient(started.port, { clientId: 'sys-reader' });
  const seen = new Map<string, string>();
  sub.client.on('message', (topic, payload) => seen.set(topic, payload.toString()));
  await sub.client.subscribeAsync('$SYS/broker/#', { qos: 0 });
  await sub.client.publishAsync('sys/test', 'x'.repeat(10), { qos: 1 });
  const deadline = Date.now() + 5000;
  while (NAMES.some((n) => !seen.has(`$SYS/broker/${n}`)) && Date.now() < deadline) {
    await new Promise((ok) => setTimeout(ok, 50));
  }
  const missing = NAMES.filter((n) => !seen.has(`$SYS/broker/${n}`));
  assert.deepEqual(missing, []);
  assert.match(seen.get('$SYS/broker/load/messages/received/1min') ?? '', /^\d+\.\d\d$/);
  assert.ok(Number(seen.get('$SYS/broker/heap/current')) > 0);
  assert.ok(!Number.isNaN(Date.parse(seen.get('$SYS/broker/timestamp') ?? '')));
  await closeClient(sub.client);
});
