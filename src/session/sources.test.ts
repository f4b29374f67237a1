import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from './session.js';
import type { Outgoing, OutgoingSource, SessionOutlet } from './types.js';

const limits = { maxInflight: 2, maxQueued: 1, maxQueuedBytes: 0, queueQos0: false };

function outgoing(topic: string, qos: 0 | 1): Outgoing {
  return {
    message: { topic, payload: Buffer.from(topic), qos, retain: true, receivedAt: Date.now() },
    qos,
    retain: true,
  };
}

/** Yields `topics` in order, skipping those a live message superseded. */
function source(key: string, topics: string[], qos: 0 | 1): OutgoingSource {
  const superseded = new Set<string>();
  let at = 0;
  return {
    key,
    next: () => {
      while (at < topics.length) {
        const topic = topics[at++] as string;
        if (!superseded.has(topic)) return outgoing(topic, qos);
      }
      return undefined;
    },
    superseded: (topic) => superseded.add(topic),
  };
}

function outlet(): SessionOutlet & { sent: [string, number | undefined][]; room: boolean } {
  const state = {
    sent: [] as [string, number | undefined][],
    room: true,
    congested: false,
    get streamable() {
      return state.room;
    },
    sendPublish: (o: Outgoing, id: number | undefined) => {
      state.sent.push([o.message.topic, id]);
      return undefined;
    },
    sendPubrel: () => undefined,
  };
  return state;
}

test('a pulled source goes at the pace of the in-flight window, past max_queued_messages, and ends', () => {
  const session = new Session('c', 0, limits);
  const out = outlet();
  session.attach(out);
  session.stream(source('r/#', ['r/1', 'r/2', 'r/3', 'r/4', 'r/5'], 1));
  assert.deepEqual(
    out.sent.map(([t]) => t),
    ['r/1', 'r/2'],
  );
  assert.equal(session.queuedCount, 0, 'nothing of the stream is queued');
  for (let i = 0; i < 3; i++) session.complete(out.sent[i]?.[1] as number, false);
  assert.deepEqual(
    out.sent.map(([t]) => t),
    ['r/1', 'r/2', 'r/3', 'r/4', 'r/5'],
  );
  assert.equal(session.streaming, false);
  assert.equal(session.dropped, 0);
});

test('QoS 0 from a source waits while the connection has no room and goes on when it drains', () => {
  const session = new Session('c', 0, limits);
  const out = outlet();
  session.attach(out);
  out.room = false;
  session.stream(source('r/#', ['r/1', 'r/2'], 0));
  assert.equal(out.sent.length, 0);
  out.room = true;
  session.pump();
  assert.deepEqual(
    out.sent.map(([t]) => t),
    ['r/1', 'r/2'],
  );
});

test('queued messages go before the source; a live message supersedes its topic; a new source with the same key replaces the old', () => {
  const session = new Session('c', 0, { ...limits, maxInflight: 1 });
  const out = outlet();
  session.attach(out);
  session.deliver({ ...outgoing('live/a', 1), retain: false });
  session.deliver({ ...outgoing('live/b', 1), retain: false }); // queued behind the window of 1
  session.stream(source('r/#', ['r/1', 'r/2', 'r/3'], 1));
  session.stream(source('x/#', ['x/1'], 1));
  session.complete(out.sent[0]?.[1] as number, false);
  assert.deepEqual(
    out.sent.map(([t]) => t),
    ['live/a', 'live/b'],
  );
  session.deliver({ ...outgoing('r/2', 0), retain: false }); // live QoS 0 on r/2: sent now, r/2 skipped later
  session.stream(source('x/#', ['x/2'], 1)); // replaces x/1
  const lastId = (): number => out.sent.findLast(([, id]) => id !== undefined)?.[1] as number;
  for (let i = 0; i < 4; i++) session.complete(lastId(), false);
  assert.deepEqual(
    out.sent.map(([t]) => t),
    ['live/a', 'live/b', 'r/2', 'r/1', 'r/3', 'x/2'],
  );
});

test('a source survives a disconnection of a persistent session and a clean start drops it', () => {
  const session = new Session('c', 100, limits);
  const first = outlet();
  session.attach(first);
  first.room = false;
  session.stream(source('r/#', ['r/1', 'r/2', 'r/3'], 0));
  session.detach();
  const second = outlet();
  session.attach(second);
  assert.equal(first.sent.length, 0);
  assert.deepEqual(
    second.sent.map(([t]) => t),
    ['r/1', 'r/2', 'r/3'],
  );
  session.stream(source('s/#', ['s/1'], 0));
  session.detach();
  session.clear();
  assert.equal(session.streaming, false);
});
