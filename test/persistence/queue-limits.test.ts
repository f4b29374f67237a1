// Queue limits of offline sessions (max_queued_messages, max_queued_bytes) with either overflow rule, the
// drop counter ($SYS/broker/publish/messages/dropped), and the store agreeing after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RawClient } from '../helpers/raw-client.js';
import { text, uid } from '../conformance/support.js';
import { publishAcked, receive, startPersistent, subscribeOffline } from './support.js';

/** The $SYS drop counter once it reaches `expected` (it is published every second), or its last value. */
async function droppedCounter(port: number, expected: number): Promise<number> {
  const watcher = await RawClient.connected(port, uid('sys'));
  watcher.send({
    type: 'subscribe',
    packetId: 1,
    subscriptions: [{ topicFilter: '$SYS/broker/publish/messages/dropped', qos: 0 }],
  });
  await watcher.expect('suback');
  let value = NaN;
  const deadline = Date.now() + 4000;
  while (value !== expected && Date.now() < deadline) {
    const packet = await watcher.next(deadline - Date.now());
    if (packet?.type === 'publish') value = Number(text(packet));
  }
  watcher.disconnect();
  return value;
}

for (const [overflow, kept] of [
  ['drop_newest', ['m0', 'm1', 'm2']],
  ['drop_oldest', ['m2', 'm3', 'm4']],
] as const) {
  test(`a full queue (max_queued_messages 3, queue_overflow ${overflow}) keeps ${kept.join(' ')}, counts 2 drops, and so does the store`, async () => {
    const broker = await startPersistent({ maxQueuedMessages: 3, queueOverflow: overflow, sysInterval: 1 });
    try {
      const topic = uid('t');
      const sub = uid('sub');
      await subscribeOffline(broker.current.port, sub, topic, 1);
      const pub = await RawClient.connected(broker.current.port, uid('pub'));
      for (let i = 0; i < 5; i++) await publishAcked(pub, topic, `m${i}`, 1, i + 1);
      pub.disconnect();
      assert.equal(await droppedCounter(broker.current.port, 2), 2);

      const { port } = await broker.restart();
      const again = await RawClient.connected(port, sub, { clean: false });
      assert.deepEqual((await receive(again, 3)).map(text), kept);
      await again.expectNothing();
      again.disconnect();
    } finally {
      await broker.dispose();
    }
  });
}

test('max_queued_bytes bounds the payload bytes an offline session holds', async () => {
  const broker = await startPersistent({ maxQueuedMessages: 0, maxQueuedBytes: 10 });
  try {
    const topic = uid('t');
    const sub = uid('sub');
    await subscribeOffline(broker.current.port, sub, topic, 1);
    const pub = await RawClient.connected(broker.current.port, uid('pub'));
    for (const payload of ['aaaa', 'bbbb', 'cccc', 'dd']) await publishAcked(pub, topic, payload, 1, 1);
    pub.disconnect();
    const again = await RawClient.connected(broker.current.port, sub, { clean: false });
    assert.deepEqual((await receive(again, 3)).map(text), ['aaaa', 'bbbb', 'dd']);
    await again.expectNothing();
    again.disconnect();
  } finally {
    await broker.dispose();
  }
});
