import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from './session.js';
import type { Outgoing, SessionLimits, SessionOutlet } from './types.js';
import type { Message } from '../router/types.js';

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
    sendPublish: (o, id, dup) => {
      sent.push([o.message.payload.toString(), id, dup]);
      return true;
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
