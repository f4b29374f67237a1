import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from './session.js';
import { PublisherHold } from './publisher-hold.js';
import type { Outgoing, SessionOutlet } from './types.js';

function outlet(): SessionOutlet & { ids: number[] } {
  const ids: number[] = [];
  return {
    ids,
    congested: false,
    streamable: true,
    sendPublish: (_o, id) => {
      ids.push(id as number);
      return undefined;
    },
    sendPubrel: () => undefined,
  };
}

const qos1 = (text: string): Outgoing => ({
  message: { topic: 't', payload: Buffer.from(text), qos: 1, retain: false, receivedAt: Date.now() },
  qos: 1,
  retain: false,
});

/** A connected session with one message in flight and `queued` behind it; holding starts at 5 (half of 10). */
function backlogged(queued: number): { session: Session; out: ReturnType<typeof outlet> } {
  const session = new Session('sub', 0, {
    maxInflight: 1,
    maxQueued: 10,
    maxQueuedBytes: 0,
    queueQos0: false,
  });
  const out = outlet();
  session.attach(out);
  for (let i = 0; i <= queued; i++) session.deliver(qos1(String(i)));
  return { session, out };
}

function settled(promise: Promise<void>): { done: boolean } {
  const state = { done: false };
  void promise.then(() => (state.done = true));
  return state;
}

test('a connected session holds publishers back from half its queue limit, not below', () => {
  assert.equal(backlogged(4).session.holdsBack, false);
  assert.equal(backlogged(5).session.holdsBack, true);
});

test('held publishers go on once the queue is down to half of where holding starts', async () => {
  const { session, out } = backlogged(6);
  const held = settled(session.holdBack());
  // Each acknowledgement moves one queued message into flight: 6 → 5 → 4 → 3 queued.
  for (let i = 0; i < 3; i++) session.complete(out.ids[i] as number, false);
  await Promise.resolve();
  assert.equal(held.done, false, 'still 3 queued, above 2.5');
  session.complete(out.ids[3] as number, false);
  await Promise.resolve();
  assert.equal(held.done, true);
  assert.equal(session.holdsBack, false);
});

test('a session whose client goes releases its publishers and holds no one while offline', async () => {
  const { session } = backlogged(6);
  const held = settled(session.holdBack());
  session.detach();
  await Promise.resolve();
  assert.equal(held.done, true);
  assert.equal(session.holdsBack, false);
});

test('a subscriber that does not catch up within the limit counts as stalled until its queue shortens', async () => {
  mock.timers.enable({ apis: ['setTimeout'] });
  try {
    const { session, out } = backlogged(6);
    const held = settled(session.holdBack());
    mock.timers.tick(999);
    await Promise.resolve();
    assert.equal(held.done, false);
    mock.timers.tick(1);
    await Promise.resolve();
    assert.equal(held.done, true);
    assert.equal(session.holdsBack, false, 'stalled: publishers pass');
    for (let i = 0; i < 4; i++) session.complete(out.ids[i] as number, false);
    for (let i = 0; i < 3; i++) session.deliver(qos1(`more ${i}`));
    assert.equal(session.holdsBack, true, 'caught up once, so it holds again');
  } finally {
    mock.timers.reset();
  }
});

test('release lets every waiter go at once', async () => {
  const hold = new PublisherHold();
  const a = settled(hold.wait());
  const b = settled(hold.wait());
  assert.equal(hold.waiting, true);
  hold.release(true);
  await Promise.resolve();
  assert.deepEqual([a.done, b.done, hold.waiting], [true, true, false]);
});
