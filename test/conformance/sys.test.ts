// The $SYS/broker tree (mosquitto's figures, published as retained QoS 0 messages every sysInterval seconds)
// seen by a subscriber: version, clients/connected, retained messages/count, publish/messages/received.
// $SYS is not numbered by the standard; it lives in the '$' topic space of section 4.7.2.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { RawClient } from '../helpers/raw-client.js';
import type { PublishPacket } from '../../src/protocol/types.js';
import { ClientPool, packetId, sleep, subscribe, text, uid } from './support.js';

const { version: packageVersion } = createRequire(import.meta.url)('../../package.json') as {
  version: string;
};

/** Longest wait for a figure to change: the interval is 1 s. */
const TICK_WAIT_MS = 2500;

const pool = new ClientPool();
let broker: StartedBroker;

/** Reads $SYS publishes (and skips anything else) until one on `topic` satisfies `accept`. */
async function waitForValue(
  client: RawClient,
  topic: string,
  accept: (value: string) => boolean,
): Promise<PublishPacket> {
  const deadline = Date.now() + TICK_WAIT_MS;
  const seen: string[] = [];
  for (;;) {
    const packet = await client.next(Math.max(1, deadline - Date.now()));
    if (packet === undefined)
      throw new Error(`no acceptable value on ${topic}; saw ${seen.join(', ') || 'nothing'}`);
    if (packet.type !== 'publish' || packet.topic !== topic) continue;
    seen.push(text(packet));
    if (accept(text(packet))) return packet;
  }
}

/**
 * Publishes `count` QoS 1 messages from `client` and returns the first value of `topic` the same client receives
 * after the last PUBACK. One connection carries both, in order, so that value was computed after the publishes.
 */
async function publishThenRead(
  client: RawClient,
  count: number,
  topic: string,
  options: { retain?: boolean; prefix: string; payload?: string },
): Promise<number> {
  for (let i = 0; i < count; i++) {
    const id = packetId();
    client.send({
      type: 'publish',
      topic: `${options.prefix}/${i}`,
      payload: Buffer.from(options.payload ?? 'x'),
      qos: 1,
      retain: options.retain ?? false,
      dup: false,
      packetId: id,
    });
    for (;;) {
      const packet = await client.next();
      if (packet === undefined) throw new Error('no PUBACK');
      if (packet.type === 'puback' && packet.packetId === id) break;
    }
  }
  return Number(text(await waitForValue(client, topic, () => true)));
}

describe('$SYS/broker', () => {
  before(async () => {
    broker = await startBroker({ sysInterval: 1 });
    pool.port = broker.port;
    // The first interval publishes every figure once; from then on the set of $SYS topics is fixed.
    await sleep(1100);
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  test("[MQTT-3.3.1-6][MQTT-3.3.1-8] $SYS/broker/version is retained: a subscriber gets 'midge version <package version>' with RETAIN=1", async () => {
    const client = await pool.connect(uid());
    await subscribe(client, '$SYS/broker/version', 1);
    const packet = await client.expect('publish');
    assert.deepEqual(
      [packet.topic, text(packet), packet.retain, packet.qos],
      ['$SYS/broker/version', `midge version ${packageVersion}`, true, 0],
    );
  });

  test('[MQTT-4.7.2-1] $SYS/# delivers the whole $SYS/broker tree', async () => {
    const client = await pool.connect(uid());
    await subscribe(client, '$SYS/#', 0);
    const topics = new Set<string>();
    for (;;) {
      const packet = await client.next(300);
      if (packet === undefined) break;
      if (packet.type === 'publish') topics.add(packet.topic);
    }
    for (const name of [
      'version',
      'uptime',
      'clients/connected',
      'clients/total',
      'messages/received',
      'messages/sent',
      'publish/messages/received',
      'publish/messages/sent',
      'subscriptions/count',
      'retained messages/count',
    ]) {
      assert.ok(
        topics.has(`$SYS/broker/${name}`),
        `$SYS/broker/${name} missing from ${[...topics].join(', ')}`,
      );
    }
  });

  test('(mosquitto $SYS) $SYS/broker/clients/connected follows clients connecting and leaving', async () => {
    const topic = '$SYS/broker/clients/connected';
    const watcher = await pool.connect(uid('w'));
    await subscribe(watcher, topic, 0);
    // Clients of earlier tests are gone by the next interval: the watcher alone is connected.
    await waitForValue(watcher, topic, (v) => v === '1');
    const other = await pool.connect(uid('o'));
    await waitForValue(watcher, topic, (v) => v === '2');
    other.disconnect();
    await waitForValue(watcher, topic, (v) => v === '1');
  });

  test("[MQTT-3.3.1-5][MQTT-3.3.1-10] '$SYS/broker/retained messages/count' counts stored and cleared retained messages", async () => {
    const topic = '$SYS/broker/retained messages/count';
    const client = await pool.connect(uid());
    await subscribe(client, topic, 0);
    const prefix = uid('t');
    const stored = await publishThenRead(client, 3, topic, { retain: true, prefix });
    const cleared = await publishThenRead(client, 3, topic, { retain: true, prefix, payload: '' });
    assert.equal(stored - cleared, 3, `count after storing ${stored}, after clearing ${cleared}`);
  });

  test('(mosquitto $SYS) $SYS/broker/publish/messages/received counts every PUBLISH received', async () => {
    const topic = '$SYS/broker/publish/messages/received';
    const client = await pool.connect(uid());
    await subscribe(client, topic, 0);
    const before = await publishThenRead(client, 1, topic, { prefix: uid('t') });
    const after = await publishThenRead(client, 4, topic, { prefix: uid('t') });
    assert.equal(after - before, 4);
  });
});
