import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from './session.js';
import type { Outgoing, SessionLimits, SessionOutlet } from './types.js';
import type { Message } from '../router/types.js';
import { MemorySessionStore } from '../store/memory/session-store.js';

const limits = (extra: Partial<SessionLimits> = {}): SessionLimits => ({
  maxInflight: 2,
  maxQueued: 3,
  maxQueuedBytes: 0,
  queueQos0: false,
  ...extra,
});

function outlet(): SessionOutlet & { sent: [string, number | undefined, boolean][]; pubrels: number[] } {
  const sent: [string, number | undefined, boolean][] = [];
  const pubrels: number[] = [];
  return {
    sent,
    pubrels,
    congested: false,
    streamable: true,
    sendPublish: (o, id, dup) => {
      sent.push([o.message.payload.toString(), id, dup]);
      return undefined;
    },
    sendPubrel: (id) => pubrels.push(id),
  };
}

const outgoing = (text: string, qos: 0 | 1 | 2): Outgoing => {
  const message: Message = {
    topic: 't',
    payload: Buffer.from(text),
    qos,
    retain: false,
    receivedAt: Date.now(),
  };
  return { message, qos, retain: false };
};

test('[MQTT-4.6.0-1] the in-flight window holds back the rest, which follows in order as acks arrive', () => {
  const session = new Session('c', 0, limits());
  const out = outlet();
  session.attach(out);
  for (const text of ['1', '2', '3', '4']) session.deliver(outgoing(text, 1));
  assert.deepEqual(
    out.sent.map(([t]) => t),
    ['1', '2'],
  );
  assert.equal(session.complete(out.sent[0]?.[1] as number, false), true);
  assert.deepEqual(
    out.sent.map(([t]) => t),
    ['1', '2', '3'],
  );
});

test('[MQTT-2.3.1-4] packet ids in flight are distinct and non-zero', () => {
  const session = new Session('c', 0, limits({ maxInflight: 0, maxQueued: 0 }));
  const out = outlet();
  session.attach(out);
  for (let i = 0; i < 100; i++) session.deliver(outgoing(String(i), 2));
  const ids = out.sent.map(([, id]) => id as number);
  assert.equal(new Set(ids).size, 100);
  assert.ok(ids.every((id) => id > 0 && id <= 65535));
});

test('[MQTT-4.4.0-1] on reattach, unacknowledged PUBLISH goes out with DUP=1 and released QoS 2 as PUBREL', () => {
  const session = new Session('c', 100, limits());
  const first = outlet();
  session.attach(first);
  session.deliver(outgoing('a', 1));
  session.deliver(outgoing('b', 2));
  const idB = first.sent[1]?.[1] as number;
  assert.equal(session.received(idB), true);
  session.detach();
  const second = outlet();
  session.attach(second);
  assert.deepEqual(second.sent, [['a', first.sent[0]?.[1], true]]);
  assert.deepEqual(second.pubrels, [idB]);
});

test('[MQTT-3.1.2-5] an offline session queues QoS 1/2 but not QoS 0 (queue_qos0_messages false)', () => {
  const session = new Session('c', 100, limits());
  session.deliver(outgoing('zero', 0));
  session.deliver(outgoing('one', 1));
  assert.equal(session.queuedCount, 1);
  const withQos0 = new Session('d', 100, limits({ queueQos0: true }));
  withQos0.deliver(outgoing('zero', 0));
  assert.equal(withQos0.queuedCount, 1);
});

test('max_queued_messages: a full queue drops the newest message and counts it', () => {
  const session = new Session('c', 100, limits({ maxQueued: 2 }));
  for (const text of ['1', '2', '3']) session.deliver(outgoing(text, 1));
  assert.equal(session.queuedCount, 2);
  assert.equal(session.dropped, 1);
  const out = outlet();
  session.attach(out);
  assert.deepEqual(
    out.sent.map(([t]) => t),
    ['1', '2'],
  );
});

test('max_queued_bytes bounds the payload bytes held', () => {
  const session = new Session('c', 100, limits({ maxQueued: 0, maxQueuedBytes: 5 }));
  for (const text of ['abc', 'de', 'f']) session.deliver(outgoing(text, 1));
  assert.equal(session.queuedCount, 2);
  assert.equal(session.dropped, 1);
});

test('a PUBACK for an unknown id or a QoS 2 message changes nothing', () => {
  const session = new Session('c', 0, limits());
  const out = outlet();
  session.attach(out);
  session.deliver(outgoing('q2', 2));
  const id = out.sent[0]?.[1] as number;
  assert.equal(session.complete(id, false), false);
  assert.equal(session.complete(999, false), false);
  assert.equal(session.inflightCount, 1);
  assert.equal(session.received(id), true);
  assert.equal(session.complete(id, true), true);
  assert.equal(session.inflightCount, 0);
});

test('Receive Maximum of the client narrows the window', () => {
  const session = new Session('c', 0, limits({ maxInflight: 10 }));
  const out = outlet();
  session.attach(out, 1);
  session.deliver(outgoing('1', 1));
  session.deliver(outgoing('2', 1));
  assert.equal(out.sent.length, 1);
});

/** A durability barrier whose commit the test settles: stands in for the group commit of a real store. */
function barrier(): { pending: boolean; flush(): Promise<void>; commit(): Promise<void> } {
  let settle: (() => void) | undefined;
  let batch: Promise<void> | undefined;
  return {
    get pending() {
      return true;
    },
    flush() {
      batch ??= new Promise<void>((resolve) => (settle = resolve));
      return batch;
    },
    async commit() {
      const done = batch;
      settle?.();
      batch = undefined;
      settle = undefined;
      await done;
      await Promise.resolve(); // the session's continuation runs after the commit's own
    },
  };
}

test('[MQTT-4.3.3-9] exactly once: a QoS 2 PUBLISH to a persistent session waits for the commit of its packet id; QoS 1 waits behind it, QoS 0 never', async () => {
  const commits = barrier();
  const session = new Session('c', 100, limits({ maxInflight: 10 }), new MemorySessionStore(), commits);
  const out = outlet();
  session.attach(out);
  session.deliver(outgoing('q1-first', 1));
  session.deliver(outgoing('q2', 2));
  session.deliver(outgoing('q1-after', 1));
  session.deliver(outgoing('q0', 0));
  assert.deepEqual(
    out.sent.map(([t]) => t),
    ['q1-first', 'q0'],
  );
  await commits.commit();
  assert.deepEqual(
    out.sent.map(([t, , dup]) => [t, dup]),
    [
      ['q1-first', false],
      ['q0', false],
      ['q2', false],
      ['q1-after', false],
    ],
  );
});

test('a held QoS 2 PUBLISH whose client left before the commit goes out on the next attach with DUP 0; clean sessions never wait', async () => {
  const commits = barrier();
  const session = new Session('c', 100, limits(), new MemorySessionStore(), commits);
  const first = outlet();
  session.attach(first);
  session.deliver(outgoing('held', 2));
  session.detach();
  await commits.commit();
  assert.deepEqual(first.sent, []);
  const second = outlet();
  session.attach(second);
  assert.deepEqual(second.sent, [['held', 1, false]]);

  const clean = new Session('d', 0, limits());
  const out = outlet();
  clean.attach(out);
  clean.deliver(outgoing('at once', 2));
  assert.deepEqual(out.sent, [['at once', 1, false]]);
});

test('drops are reported once each with their own reason: congested, expired, too_large, disconnected', () => {
  const reported: [string, string][] = [];
  const session = new Session(
    'c',
    0,
    limits({ onDropped: (_id, o, reason) => reported.push([o.message.payload.toString(), reason]) }),
  );
  const out = outlet();
  const unsentBy = new Map<string, 'expired' | 'too_large' | 'disconnected'>([
    ['old', 'expired'],
    ['big', 'too_large'],
    ['late', 'disconnected'],
  ]);
  const refusing: SessionOutlet = {
    ...out,
    sendPublish: (o, id, dup) => unsentBy.get(o.message.payload.toString()) ?? out.sendPublish(o, id, dup),
  };
  session.attach(refusing);
  session.deliver(outgoing('old', 1));
  session.deliver(outgoing('big', 0));
  session.deliver(outgoing('late', 2));
  session.deliver(outgoing('fine', 1));
  assert.deepEqual(reported, [
    ['old', 'expired'],
    ['big', 'too_large'],
    ['late', 'disconnected'],
  ]);
  assert.equal(session.inflightCount, 1, 'the packet ids of unsent messages are free again');
  assert.deepEqual(
    out.sent.map(([t]) => t),
    ['fine'],
  );
  const congested = new Session(
    'd',
    0,
    limits({ onDropped: (_id, _o, reason) => reported.push(['q0', reason]) }),
  );
  congested.attach({ ...outlet(), congested: true });
  congested.deliver(outgoing('q0', 0));
  assert.deepEqual(reported.at(-1), ['q0', 'congested']);
});
