// One vocabulary of drop reasons (DropReason in src/hooks/types.ts), reported from one place (server.ts
// reportDrop): every reason a broker can produce end to end is seen exactly once by onDropped observers and in
// midge_messages_dropped_total{reason}. `congested` and `disconnected` are covered in src/session/session.test.ts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { closeClient, connectClient, subscribe } from '../helpers/mqttjs.js';
import type { DropReason } from '../../src/index.js';

let started: StartedBroker;
const seen: { reason: DropReason; topic: string }[] = [];
let wake: (() => void) | undefined;
const LIMIT = 200;

before(async () => {
  started = await startBroker({ messageSizeLimit: LIMIT, maxQueuedMessages: 1 });
  started.broker.control.addHooks({
    name: 'drop-watch',
    onPublish: ({ message }) => (message.topic === 'drop/hook' ? { reject: 0x83, reason: 'no' } : undefined),
    onDropped: ({ reason, message }) => {
      seen.push({ reason, topic: message.topic });
      wake?.();
    },
  });
});

after(() => started.stop());

/** Waits for the drop of `topic`, then checks it was reported once with `reason` and counted once. */
async function expectDrop(topic: string, reason: DropReason, countedBefore: number): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!seen.some((d) => d.topic === topic) && Date.now() < deadline) {
    await new Promise<void>((ok) => {
      const timer = setTimeout(ok, deadline - Date.now());
      wake = () => {
        clearTimeout(timer);
        ok();
      };
    });
  }
  assert.deepEqual(
    seen.filter((d) => d.topic === topic),
    [{ reason, topic }],
    `one ${reason} drop reported for ${topic}`,
  );
  assert.equal(await counted(reason), countedBefore + 1, `one ${reason} drop counted`);
}

async function counted(reason: DropReason): Promise<number> {
  const { text } = await started.broker.control.metrics();
  const match = new RegExp(`^midge_messages_dropped_total\\{reason="${reason}"\\} (\\d+)`, 'm').exec(text);
  return match === null ? 0 : Number(match[1]);
}

async function publishIgnoringAck(
  topic: string,
  payload: Buffer,
  properties: Record<string, unknown> = {},
): Promise<void> {
  const { client } = await connectClient(started.port, { protocolVersion: 4 });
  const v5 = Object.keys(properties).length > 0 ? await connectClient(started.port) : undefined;
  const publisher = v5?.client ?? client;
  await publisher.publishAsync(topic, payload, { qos: 1, properties }).catch(() => undefined);
  await closeClient(client);
  if (v5 !== undefined) await closeClient(v5.client);
}

test('admission drops: not_authorized ($SYS), rejected_by_hook, too_large (message_size_limit), bad_payload_format', async () => {
  const cases: [string, DropReason, Buffer, Record<string, unknown>?][] = [
    ['$SYS/drop/fake', 'not_authorized', Buffer.from('x')],
    ['drop/hook', 'rejected_by_hook', Buffer.from('x')],
    ['drop/big', 'too_large', Buffer.alloc(LIMIT + 1)],
    ['drop/text', 'bad_payload_format', Buffer.from([0xff]), { payloadFormatIndicator: true }],
  ];
  for (const [topic, reason, payload, properties] of cases) {
    const before = await counted(reason);
    await publishIgnoringAck(topic, payload, properties);
    await expectDrop(topic, reason, before);
  }
});

test('too_large: a QoS 1 copy above the subscriber’s Maximum Packet Size is dropped and counted once', async () => {
  const sub = await connectClient(started.port, { properties: { maximumPacketSize: 100 } });
  await subscribe(sub.client, 'drop/out', 1);
  const before = await counted('too_large');
  await publishIgnoringAck('drop/out', Buffer.alloc(150, 0x61));
  await expectDrop('drop/out', 'too_large', before);
  await closeClient(sub.client);
});

test('queue_full: an offline session past max_queued_messages drops the newest message', async () => {
  const options = { clientId: 'drop-queue', clean: false, properties: { sessionExpiryInterval: 60 } };
  const sub = await connectClient(started.port, options);
  await subscribe(sub.client, 'drop/queue/#', 1);
  await closeClient(sub.client);
  const before = await counted('queue_full');
  await publishIgnoringAck('drop/queue/1', Buffer.from('kept'));
  await publishIgnoringAck('drop/queue/2', Buffer.from('dropped'));
  await expectDrop('drop/queue/2', 'queue_full', before);
  assert.equal(started.broker.control.deleteSession('drop-queue'), true);
});

test('expired: a queued message whose Message Expiry Interval passed is dropped as expired, not too_large', async () => {
  const options = { clientId: 'drop-expiry', clean: false, properties: { sessionExpiryInterval: 60 } };
  const sub = await connectClient(started.port, options);
  await subscribe(sub.client, 'drop/expiry', 1);
  await closeClient(sub.client);
  const before = await counted('expired');
  const tooLargeBefore = await counted('too_large');
  await publishIgnoringAck('drop/expiry', Buffer.from('soon gone'), { messageExpiryInterval: 1 });
  // The interval is whole seconds: the message is stale only once more than one second has passed.
  await new Promise((ok) => setTimeout(ok, 2100));
  const back = await connectClient(started.port, options);
  await expectDrop('drop/expiry', 'expired', before);
  assert.equal(await counted('too_large'), tooLargeBefore, 'not reported as too_large');
  assert.equal(back.inbox.messages.length, 0);
  await closeClient(back.client);
  started.broker.control.deleteSession('drop-expiry');
});
