// mosquitto's connection messages (connection_messages, on by default): the lines and their wording, the
// reasons a connection ends, `false` silencing them, log_type categories and log_dest topic.
import { after, test } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { createBroker, createLogger, loggerOptionsFor } from '../../src/index.js';
import type { Broker, ConfigInput } from '../../src/index.js';
import { RawClient } from '../helpers/raw-client.js';
import { closeClient, connectClient, subscribe } from '../helpers/mqttjs.js';
import { LogCapture } from './log-capture.js';

async function withBroker(
  config: ConfigInput,
  capture: LogCapture,
  run: (port: number, broker: Broker) => Promise<void>,
): Promise<void> {
  const broker = createBroker(
    {
      listeners: [{ port: 0, host: '127.0.0.1', protocol: 'mqtt' }],
      allowAnonymous: true,
      sysInterval: 0,
      ...config,
    },
    { logger: capture.logger },
  );
  await broker.start();
  try {
    await run(broker.addresses()[0]?.port as number, broker);
  } finally {
    await broker.stop();
  }
}

test('a connection, its client and its DISCONNECT each get one notice line worded as mosquitto', async () => {
  const log = new LogCapture();
  await withBroker({}, log, async (port) => {
    const { client } = await connectClient(port, { clientId: 'log-a', username: 'alice', keepalive: 30 });
    const opened = await log.waitFor(
      new RegExp(`^New connection from 127\\.0\\.0\\.1:\\d+ on port ${port}\\.$`),
    );
    assert.equal(opened.logType, 'notice');
    const connected = await log.waitFor(/^New client connected from/);
    assert.match(
      connected.msg,
      /^New client connected from 127\.0\.0\.1:\d+ as log-a \(p5, c1, k30, u'alice'\)\.$/,
    );
    assert.equal(connected.level, 30);
    await closeClient(client);
    await log.waitFor(/^Client log-a (disconnected|closed its connection)\.$/);

    const raw = await RawClient.connected(port, 'log-b', { keepalive: 60 });
    await log.waitFor(/as log-b \(p2, c1, k60\)\.$/);
    raw.disconnect();
    await log.waitFor(/^Client log-b disconnected\.$/);
  });
});

test('keep alive timeout, takeover and a dropped socket are logged with their reason', async () => {
  const log = new LogCapture();
  await withBroker({}, log, async (port) => {
    const idle = await RawClient.connected(port, 'log-idle', { keepalive: 1 });
    await log.waitFor(/^Client log-idle has exceeded timeout, disconnecting\.$/, 4000);
    await idle.expectClose();

    const first = await RawClient.connected(port, 'log-same');
    const second = await RawClient.connected(port, 'log-same');
    await log.waitFor(/^Client log-same already connected, closing old connection\.$/);
    await first.expectClose();
    second.destroy();
    await log.waitFor(/^Client log-same closed its connection\.$/);
  });
});

test('a refused CONNECT says why; a protocol error names the rule', async () => {
  const log = new LogCapture();
  // Anonymous access off makes the embedded user store: in a directory of its own, not the working directory.
  const dir = mkdtempSync(join(tmpdir(), 'midge-log-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  await withBroker({ allowAnonymous: false, persistenceLocation: dir }, log, async (port) => {
    const refused = await RawClient.open(port, 4);
    refused.send({
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 4,
      clientId: 'log-anon',
      clean: true,
      keepalive: 60,
    });
    await refused.expect('connack');
    await log.waitFor(
      /^Client log-anon from 127\.0\.0\.1:\d+ disconnected, not authorised \(authentication\)\.$/,
    );
    // Not logged twice: the close that follows the refusal adds no line of its own.
    await refused.expectClose();
    assert.equal(log.messages().filter((m) => m.includes('log-anon')).length, 1);
  });
  await withBroker({}, log, async (port) => {
    const client = await RawClient.connected(port, 'log-bad');
    // PUBLISH to 'a/+': a wildcard in a topic name [MQTT-3.3.2-2].
    client.sendBytes([0x30, 0x05, 0x00, 0x03, 0x61, 0x2f, 0x2b]);
    await client.expectClose();
    const line = await log.waitFor(/^Client log-bad disconnected due to protocol error: /);
    assert.match(line.msg, /\[MQTT-\d+\.\d+\.\d+-\d+\]\.$/);
  });
});

test('connection_messages false silences them; other lines stay', async () => {
  const log = new LogCapture();
  await withBroker({ log: { connectionMessages: false } }, log, async (port) => {
    const raw = await RawClient.connected(port, 'log-quiet');
    raw.disconnect();
    await raw.expectClose();
    await log.waitFor(/^listening on /);
    assert.deepEqual(
      log.messages().filter((m) => /^(New |Client )/.test(m)),
      [],
    );
  });
});

test('log_type chooses categories: without notice no connection lines; subscribe and unsubscribe lines', async () => {
  const quiet = new LogCapture({ types: ['error', 'warning', 'information'] });
  await withBroker({}, quiet, async (port) => {
    const raw = await RawClient.connected(port, 'log-types');
    raw.disconnect();
    await raw.expectClose();
    quiet.logger.warn('a warning still shows');
    await quiet.waitFor(/^a warning still shows$/);
    assert.deepEqual(
      quiet.messages().filter((m) => /^(New |Client )/.test(m)),
      [],
    );
  });

  const subs = new LogCapture({ types: ['subscribe', 'unsubscribe'] });
  await withBroker({ log: { types: ['subscribe', 'unsubscribe'] } }, subs, async (port) => {
    const { client } = await connectClient(port, { clientId: 'log-sub' });
    await subscribe(client, 'a/b', 1);
    const line = await subs.waitFor(/^log-sub 1 a\/b$/);
    assert.equal(line.logType, 'subscribe');
    await client.unsubscribeAsync('a/b');
    assert.equal((await subs.waitFor(/^log-sub a\/b$/)).logType, 'unsubscribe');
    await closeClient(client);
    assert.equal(
      subs.messages().some((m) => m.startsWith('New client')),
      false,
    );
  });
});

test('log_dest topic publishes lines on $SYS/broker/log/<severity> with the timestamp in front', async () => {
  const { options, topic } = loggerOptionsFor({
    types: ['all'],
    dest: ['topic'],
    verbose: false,
    timestamp: true,
    timestampFormat: '%Y-%m-%dT%H:%M:%S',
  });
  assert.notEqual(topic, undefined);
  const broker = createBroker(
    {
      listeners: [{ port: 0, host: '127.0.0.1', protocol: 'mqtt' }],
      allowAnonymous: true,
      sysInterval: 0,
      log: { types: ['all'] },
    },
    { logger: createLogger(options), logTopic: topic },
  );
  await broker.start();
  try {
    const port = broker.addresses()[0]?.port as number;
    const { client, inbox } = await connectClient(port, { clientId: 'log-watch' });
    await subscribe(client, '$SYS/broker/log/#', 0);
    const other = await RawClient.connected(port, 'log-other');
    const notice = (await inbox.waitFor(1, 5000, (m) => m.payload.toString().includes('as log-other')))[0]!;
    assert.equal(notice.topic, '$SYS/broker/log/N');
    assert.match(
      notice.payload.toString(),
      /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d: New client connected from 127\.0\.0\.1:\d+ as log-other \(p2, c1, k60\)\.$/,
    );
    assert.equal(notice.retain, false);
    other.disconnect();
    await inbox.waitFor(1, 5000, (m) => m.payload.toString().endsWith('Client log-other disconnected.'));
    // log_type all includes subscribe: its lines go to M/subscribe; debug lines never reach a topic.
    await subscribe(client, 'log/x', 0);
    const sub = (
      await inbox.waitFor(
        1,
        5000,
        (m) => m.topic === '$SYS/broker/log/M/subscribe' && m.payload.toString().endsWith('log/x'),
      )
    )[0]!;
    assert.match(sub.payload.toString(), /: log-watch 0 log\/x$/);
    assert.equal(
      inbox.messages.some((m) => m.topic.startsWith('$SYS/broker/log/D')),
      false,
    );
    await closeClient(client);
  } finally {
    await broker.stop();
  }
});
