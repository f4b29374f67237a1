import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MessageDelivery } from './delivery.js';
import { SessionRegistry } from './registry.js';
import { MemoryRetainedStore } from '../store/memory/retained.js';
import type { Message, RemoteFanout, SubscriptionOptions } from '../router/types.js';
import type { Identity } from '../auth/types.js';
import type { SessionOutlet } from './types.js';

const subscription: SubscriptionOptions = {
  qos: 1,
  noLocal: false,
  retainAsPublished: false,
  retainHandling: 0,
};

const message = (topic: string, origin?: string): Message => ({
  topic,
  payload: Buffer.from('x'),
  qos: 1,
  retain: false,
  origin,
  receivedAt: Date.now(),
});

/** An outlet that never acknowledges, so a window of 1 leaves everything after the first message queued. */
function outlet(): SessionOutlet & { sent: string[] } {
  const sent: string[] = [];
  return {
    sent,
    congested: false,
    streamable: true,
    sendPublish: (outgoing) => {
      sent.push(outgoing.message.topic);
      return undefined;
    },
    sendPubrel: () => undefined,
  };
}

function setup(authorizeRead?: (who: Identity, topic: string) => boolean) {
  const sessions = new SessionRegistry(
    { maxInflight: 1, maxQueued: 4, maxQueuedBytes: 0, queueQos0: false },
    () => {},
  );
  const delivery = new MessageDelivery({ sessions, retained: new MemoryRetainedStore(), authorizeRead });
  const subscribe = (clientId: string, filter: string, connected: boolean) => {
    const { session } = sessions.open(clientId, false, 3600);
    session.identity = { clientId, username: clientId, remoteAddress: '', listenerId: '' };
    delivery.router.subscribe(clientId, filter, subscription);
    const out = outlet();
    if (connected) session.attach(out);
    return { session, out };
  };
  return { sessions, delivery, subscribe };
}

test('route() returns what happened: matched, online, queued', () => {
  const { delivery, subscribe } = setup();
  const online = subscribe('on', 'a/#', true);
  subscribe('off', 'a/b', false);
  const result = delivery.route(message('a/b'));
  assert.equal(result.matched, 2);
  assert.equal(result.online, 1);
  assert.equal(result.queued, 1);
  assert.equal(result.remoteNodes, 0);
  assert.equal(result.holder, undefined);
  assert.deepEqual(online.out.sent, ['a/b']);
  assert.equal(delivery.route(message('nobody/here')).matched, 0);
});

test('a connected subscriber with a long queue is named as the holder; its own messages never hold it', () => {
  const { delivery, subscribe } = setup();
  const slow = subscribe('slow', 't', true);
  // Window 1: the first message is in flight, the next ones queue; holding starts at half of max_queued (2).
  for (let i = 0; i < 3; i++) delivery.route(message('t', 'pub'));
  assert.equal(slow.session.holdsBack, true);
  assert.equal(delivery.route(message('t', 'pub')).holder, slow.session);
  assert.equal(delivery.route(message('t', 'slow')).holder, undefined, 'a publisher never waits for itself');
});

test('each route gets its own result: nothing carries over from one message to the next', () => {
  const { delivery, subscribe } = setup();
  subscribe('slow', 't', true);
  for (let i = 0; i < 4; i++) delivery.route(message('t', 'pub'));
  const other = delivery.route(message('elsewhere', 'pub'));
  assert.equal(other.holder, undefined);
  assert.equal(other.matched, 0);
});

test('[mosquitto] the READ ACL is asked per delivered message with the subscriber identity', () => {
  const asked: string[] = [];
  const { delivery, subscribe } = setup((who, topic) => {
    asked.push(`${who.clientId} ${topic}`);
    return who.clientId !== 'denied';
  });
  subscribe('allowed', 'r/#', true);
  const denied = subscribe('denied', 'r/#', true);
  const result = delivery.route(message('r/1'));
  assert.equal(result.matched, 1);
  assert.deepEqual(denied.out.sent, []);
  assert.deepEqual(asked.sort(), ['allowed r/1', 'denied r/1']);
});

test('the remote seam: local publishes are collected for other nodes, forwarded ones are not', () => {
  const { delivery, subscribe } = setup();
  subscribe('local', 'x', true);
  const collected: string[] = [];
  const remote: RemoteFanout = {
    collect: (m) => {
      collected.push(m.topic);
      return 2;
    },
  };
  delivery.remote = remote;
  const published = delivery.route(message('x'));
  assert.equal(published.remoteNodes, 2);
  assert.equal(published.matched, 1);
  const forwarded = delivery.routeLocally(message('x'));
  assert.equal(forwarded.remoteNodes, 0);
  assert.equal(forwarded.matched, 1);
  assert.deepEqual(collected, ['x']);
});
