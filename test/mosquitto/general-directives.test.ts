// mosquitto.conf(5) general directives shown working end to end: allow_duplicate_messages, auto_id_prefix,
// clientid_prefixes, queue_qos0_messages, retain_available, pid_file and user.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker } from '../helpers/broker.js';
import { RawClient } from '../helpers/raw-client.js';
import { startMidge } from '../helpers/midge-process.js';

async function subscriber(
  port: number,
  clientId: string,
  filters: string[],
  clean = true,
): Promise<RawClient> {
  const client = await RawClient.connected(port, clientId, { clean });
  client.send({
    type: 'subscribe',
    packetId: 1,
    subscriptions: filters.map((topicFilter) => ({ topicFilter, qos: 1 })),
  });
  await client.expect('suback');
  return client;
}

async function publish(port: number, topic: string, qos: 0 | 1, retain = false): Promise<RawClient> {
  const publisher = await RawClient.connected(port, `pub-${Math.random().toString(36).slice(2)}`);
  publisher.send({
    type: 'publish',
    topic,
    payload: Buffer.from('m'),
    qos,
    retain,
    dup: false,
    packetId: qos ? 1 : undefined,
  });
  if (qos === 1) await publisher.expect('puback');
  return publisher;
}

test('allow_duplicate_messages (either value): overlapping subscriptions deliver one copy', async () => {
  for (const text of ['allow_duplicate_messages true', 'allow_duplicate_messages false']) {
    const broker = await startBroker();
    try {
      const sub = await subscriber(broker.port, 'dup-sub', ['foo/#', 'foo/+/baz']);
      (await publish(broker.port, 'foo/bar/baz', 1)).disconnect();
      assert.equal((await sub.expect('publish')).topic, 'foo/bar/baz', text);
      await sub.expectNothing(300);
      sub.destroy();
    } finally {
      await broker.stop();
    }
  }
});

test('auto_id_prefix names generated client ids; clientid_prefixes refuses other ids', async () => {
  const broker = await startBroker({ autoIdPrefix: 'dev-', clientIdPrefixes: 'dev-' });
  try {
    const v5 = await RawClient.open(broker.port, 5);
    v5.send({
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 5,
      clientId: '',
      clean: true,
      keepalive: 60,
    });
    const connack = await v5.expect('connack');
    assert.equal(connack.reasonCode, 0);
    assert.match(connack.properties?.assignedClientIdentifier ?? '', /^dev-/);
    v5.destroy();
    const other = await RawClient.open(broker.port, 4);
    other.send({
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 4,
      clientId: 'x-1',
      clean: true,
      keepalive: 60,
    });
    assert.equal((await other.expect('connack')).reasonCode, 5); // not authorised
    await other.expectClose();
  } finally {
    await broker.stop();
  }
});

test('queue_qos0_messages: QoS 0 messages wait for an offline persistent session only when true', async () => {
  for (const queue of [true, false]) {
    const broker = await startBroker({ queueQos0Messages: queue });
    try {
      (await subscriber(broker.port, 'q0-sub', ['q0/#'], false)).disconnect();
      (await publish(broker.port, 'q0/a', 0)).disconnect();
      await publish(broker.port, 'q0/sync', 1); // the QoS 0 message was routed before this is acknowledged
      const back = await RawClient.connected(broker.port, 'q0-sub', { clean: false });
      const first = await back.next(1000);
      if (queue) assert.equal(first?.type === 'publish' ? first.topic : undefined, 'q0/a');
      else assert.equal(first?.type === 'publish' && first.topic === 'q0/a', false);
      back.destroy();
    } finally {
      await broker.stop();
    }
  }
});

test('retain_available false: a retained message is refused (MQTT 5: DISCONNECT 0x9A)', async () => {
  const broker = await startBroker({ retainAvailable: false });
  try {
    const client = await RawClient.connected(broker.port, 'ret-off', { version: 5 });
    client.send({
      type: 'publish',
      topic: 'r/a',
      payload: Buffer.from('x'),
      qos: 0,
      retain: true,
      dup: false,
    });
    const packets = await client.expectClose();
    assert.equal(packets.find((p) => p.type === 'disconnect')?.reasonCode, 0x9a);
  } finally {
    await broker.stop();
  }
});

test('pid_file: written with the pid while running, removed at exit', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-pid-'));
  const pidFile = join(dir, 'midge.pid');
  try {
    const midge = await startMidge({ conf: `pid_file ${pidFile}` });
    // Written once the listeners are open, which is when startMidge returns: wait a moment for it.
    for (let i = 0; i < 100 && !existsSync(pidFile); i++) await new Promise((ok) => setTimeout(ok, 50));
    assert.equal(readFileSync(pidFile, 'utf8'), `${midge.proc.pid}\n`);
    await midge.stop();
    assert.equal(existsSync(pidFile), false);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('user: started as root, the broker runs as that user once listening; otherwise it stays who it is', async () => {
  const midge = await startMidge({ conf: 'user nobody' });
  try {
    // The switch comes right after the listeners open; as root, wait for the line that reports it.
    for (let i = 0; i < 100 && process.getuid?.() === 0 && !midge.output().includes('running as user'); i++) {
      await new Promise((ok) => setTimeout(ok, 50));
    }
    const status = readFileSync(`/proc/${midge.proc.pid}/status`, 'utf8');
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
    const expected = process.getuid?.() === 0 ? 65534 : process.getuid?.();
    assert.equal(uid, expected, midge.output());
    const client = await RawClient.connected(midge.port, 'after-switch');
    client.disconnect();
  } finally {
    await midge.stop();
  }
});
