// Issue 20: a new subscription receives every matching retained message, however many, streamed as the
// client reads and acknowledges them; neither the congestion limit nor max_queued_messages cuts the set short.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { startPersistent } from '../persistence/support.js';
import type { Broker } from '../../src/index.js';
import { openReader, type ReaderOptions } from './retained-reader.js';

const SET = 100_000;
const PAYLOAD = Buffer.alloc(100, 0x61);
const SEEDER = { clientId: 'seeder', username: undefined, superuser: true };
/** How long a delivery may stall; a fast reader takes a few seconds for the set, a loaded machine far longer. */
const DELIVERY_MS = 30_000;

let midge: StartedBroker;
let wsPort: number;

async function seed(broker: Broker, count: number, qos: 0 | 1): Promise<void> {
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) {
    pending.push(broker.control.publish({ topic: `r/${i}`, payload: PAYLOAD, qos, retain: true }, SEEDER));
  }
  await Promise.all(pending);
}

/**
 * Subscribes to r/# and waits for the whole set; meanwhile the session's queue must stay empty (the set is
 * pulled from the store, not queued) and nothing may be dropped.
 */
async function receiveAll(
  broker: Broker,
  port: number,
  options: Omit<ReaderOptions, 'filter'>,
  expected = SET,
): Promise<void> {
  const reader = await openReader(port, { filter: 'r/#', ...options });
  let maxQueued = 0;
  const sampler = setInterval(() => {
    maxQueued = Math.max(maxQueued, broker.control.client(options.clientId)?.queued ?? 0);
  }, 10);
  try {
    await reader.waitForTopics(expected, DELIVERY_MS);
    assert.equal(reader.topics.size, expected);
    assert.equal(reader.count, expected, 'each retained message exactly once');
    const info = broker.control.client(options.clientId);
    assert.equal(info?.dropped, 0, 'nothing dropped');
    assert.ok(maxQueued <= 1, `the session queue stayed empty (max ${maxQueued})`);
  } finally {
    clearInterval(sampler);
    reader.close();
  }
}

before(async () => {
  midge = await startBroker({
    listeners: [
      { port: 0, host: '127.0.0.1', protocol: 'mqtt' },
      { port: 0, host: '127.0.0.1', protocol: 'websockets' },
    ],
  });
  wsPort = midge.broker.addresses()[1]?.port as number;
  await seed(midge.broker, SET, 1);
});

after(() => midge.stop());

test('[MQTT-3.3.1-6] 100,000 retained messages at QoS 0 over TCP, fast reader: every one, RETAIN=1', () =>
  receiveAll(midge.broker, midge.port, { transport: 'tcp', clientId: 'fast-0', qos: 0 }));

test('100,000 retained messages at QoS 0 over TCP, a reader that stops reading now and then: every one', () =>
  receiveAll(midge.broker, midge.port, {
    transport: 'tcp',
    clientId: 'slow-0',
    qos: 0,
    slow: { every: 20_000, pauseMs: 300 },
  }));

test('100,000 retained messages at QoS 1 over TCP, fast reader acknowledging: every one', () =>
  receiveAll(midge.broker, midge.port, { transport: 'tcp', clientId: 'fast-1', qos: 1 }));

test('100,000 retained messages at QoS 1 over TCP, slow reader: every one', () =>
  receiveAll(midge.broker, midge.port, {
    transport: 'tcp',
    clientId: 'slow-1',
    qos: 1,
    slow: { every: 25_000, pauseMs: 300 },
  }));

test('100,000 retained messages at QoS 0 over WebSocket, slow reader: every one', () =>
  receiveAll(midge.broker, wsPort, {
    transport: 'ws',
    clientId: 'ws-slow-0',
    qos: 0,
    slow: { every: 20_000, pauseMs: 300 },
  }));

test('100,000 retained messages at QoS 1 over WebSocket, fast reader: every one', () =>
  receiveAll(midge.broker, wsPort, { transport: 'ws', clientId: 'ws-fast-1', qos: 1 }));

test('the retained listing of the control surface still sees the whole set', () => {
  assert.equal(midge.broker.control.retained('r/#').length, SET);
  assert.equal(midge.broker.control.retained('r/7')[0]?.payload.length, PAYLOAD.length);
});

test('with persistence: a retained set restored from SQLite reaches a persistent QoS 1 session completely, also across a disconnect mid-stream', async () => {
  // 'normal' sync: the test is about the SQLite retained store and session, not fsync latency.
  const persistent = await startPersistent({ persistenceSync: 'normal' });
  try {
    await seed(persistent.current.broker, SET, 1);
    const { broker, port } = await persistent.restart();
    await receiveAll(broker, port, { transport: 'tcp', clientId: 'kept-1', qos: 1, clean: false });

    const first = await openReader(port, {
      transport: 'tcp',
      clientId: 'comeback',
      filter: 'r/#',
      qos: 1,
      clean: false,
    });
    await first.waitForTopics(10_000, DELIVERY_MS);
    first.destroy();
    const seen = new Set(first.topics);
    // Back without subscribing again: the session's stream goes on from where it stopped. Messages in flight
    // when the connection dropped come again (DUP), so topics are counted, not packets.
    const second = await openReader(port, {
      transport: 'tcp',
      clientId: 'comeback',
      filter: 'other/none',
      qos: 1,
      clean: false,
    });
    try {
      await waitUntil(() => seen.size + countNew(seen, second.topics) >= SET, DELIVERY_MS);
      for (const topic of second.topics) seen.add(topic);
      assert.equal(seen.size, SET, 'every topic arrived over the two connections');
    } finally {
      second.close();
    }
  } finally {
    await persistent.dispose();
  }
});

test('live messages published while a set streams arrive, and no older retained value follows a newer live one', async () => {
  const order: string[] = [];
  const reader = await openReader(midge.port, {
    transport: 'tcp',
    clientId: 'mixed',
    filter: 'r/#',
    qos: 0,
    onPublish: (p) => order.push(`${p.topic}:${p.retain ? 'retained' : 'live'}`),
  });
  // Stop reading at once: the stream stops where the socket backs up, far before the end of the set.
  reader.pause();
  await new Promise((resolve) => setTimeout(resolve, 300));
  try {
    const send = (topic: string): Promise<unknown> =>
      midge.broker.control.publish({ topic, payload: Buffer.from('new'), qos: 0, retain: false }, SEEDER);
    // The last topic of the set gets a newer value (not retained) before the stream reaches it.
    await send('r/99999');
    await send('r/new');
    reader.resume();
    await waitUntil(() => reader.topics.size >= SET - 1 && reader.live.length >= 2, DELIVERY_MS);
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.ok(order.includes('r/99999:live'));
    assert.ok(order.includes('r/new:live'));
    assert.ok(!order.includes('r/99999:retained'), 'the older retained value does not follow the live one');
    assert.equal(reader.topics.size, SET - 1);
    assert.ok(order.indexOf('r/new:live') < order.length - 1000, 'live messages do not wait for the stream');
  } finally {
    reader.close();
  }
});

function countNew(seen: Set<string>, topics: Set<string>): number {
  let n = 0;
  for (const topic of topics) if (!seen.has(topic)) n++;
  return n;
}

async function waitUntil(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + 4 * timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
