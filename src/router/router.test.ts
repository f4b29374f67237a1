import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Router } from './router.js';
import { MemoryRetainedStore } from '../store/memory/retained.js';
import type { DeliverySink, Grant, Message, SubscriptionOptions } from './types.js';

function collectingSink(): DeliverySink & { got: [string, string, Grant][] } {
  const got: [string, string, Grant][] = [];
  return { got, deliver: (key, message, grant) => got.push([key, message.topic, { ...grant }]) };
}

const message = (topic: string, qos: 0 | 1 | 2, extra: Partial<Message> = {}): Message => ({
  topic,
  payload: Buffer.from('x'),
  qos,
  retain: false,
  receivedAt: Date.now(),
  ...extra,
});

const options = (qos: 0 | 1 | 2, extra: Partial<SubscriptionOptions> = {}): SubscriptionOptions => ({
  qos,
  noLocal: false,
  retainAsPublished: false,
  retainHandling: 0,
  ...extra,
});

test('[MQTT-3.3.5-1] overlapping subscriptions deliver once at the highest granted QoS', () => {
  const sink = collectingSink();
  const router = new Router(sink, new MemoryRetainedStore());
  router.subscribe('c1', 'a/+', options(0));
  router.subscribe('c1', 'a/#', options(2));
  router.subscribe('c2', 'a/b', options(1));
  assert.equal(router.route(message('a/b', 2)).matched, 2);
  const byKey = new Map(sink.got.map(([key, , grant]) => [key, grant.qos]));
  assert.deepEqual([...byKey.entries()].sort(), [
    ['c1', 2],
    ['c2', 1],
  ]);
});

test('[MQTT-3.8.4-6] delivered QoS is the minimum of published and granted QoS', () => {
  const sink = collectingSink();
  const router = new Router(sink, new MemoryRetainedStore());
  router.subscribe('c', 't', options(2));
  router.route(message('t', 1));
  assert.equal(sink.got[0]?.[2].qos, 1);
});

test('[MQTT-3.3.1-9] forwarded messages carry RETAIN=0; retain-as-published keeps it', () => {
  const sink = collectingSink();
  const router = new Router(sink, new MemoryRetainedStore());
  router.subscribe('plain', 't', options(0));
  router.subscribe('rap', 't', options(0, { retainAsPublished: true }));
  router.route(message('t', 0, { retain: true }));
  const retainOf = new Map(sink.got.map(([key, , grant]) => [key, grant.retain]));
  assert.equal(retainOf.get('plain'), false);
  assert.equal(retainOf.get('rap'), true);
});

test('[MQTT-3.8.3-3] no local: a subscriber never gets its own messages back', () => {
  const sink = collectingSink();
  const router = new Router(sink, new MemoryRetainedStore());
  router.subscribe('me', 't', options(0, { noLocal: true }));
  router.subscribe('other', 't', options(0));
  router.route(message('t', 0, { origin: 'me' }));
  assert.deepEqual(
    sink.got.map(([key]) => key),
    ['other'],
  );
});

test('[MQTT-3.3.1-5][MQTT-3.3.1-10][MQTT-3.3.1-11] retained messages are stored, replaced and cleared', () => {
  const router = new Router(collectingSink(), new MemoryRetainedStore());
  router.route(message('r/1', 1, { retain: true, payload: Buffer.from('one') }));
  router.route(message('r/1', 1, { retain: true, payload: Buffer.from('two') }));
  router.route(message('r/2', 0, { retain: true }));
  assert.equal(router.retainedFor('r/1')[0]?.payload.toString(), 'two');
  assert.equal(router.retainedFor('r/#').length, 2);
  router.route(message('r/1', 0, { retain: true, payload: Buffer.alloc(0) }));
  assert.equal(router.retainedFor('r/1').length, 0);
  assert.equal(router.retainedCount, 1);
});

test('[MQTT-3.3.1-12] a RETAIN=0 publish leaves the retained message alone', () => {
  const router = new Router(collectingSink(), new MemoryRetainedStore());
  router.route(message('r', 0, { retain: true, payload: Buffer.from('kept') }));
  router.route(message('r', 0, { payload: Buffer.from('live') }));
  assert.equal(router.retainedFor('r')[0]?.payload.toString(), 'kept');
});

test('mayRead drops a message for a subscriber that may not read the topic', () => {
  const sink = collectingSink();
  sink.mayRead = (key) => key !== 'blocked';
  const router = new Router(sink, new MemoryRetainedStore());
  router.subscribe('blocked', '#', options(0));
  router.subscribe('allowed', '#', options(0));
  assert.equal(router.route(message('x', 0)).matched, 1);
  assert.deepEqual(
    sink.got.map(([key]) => key),
    ['allowed'],
  );
});

test('subscription identifiers of every matching subscription are collected', () => {
  const sink = collectingSink();
  const router = new Router(sink, new MemoryRetainedStore());
  router.subscribe('c', 'a/#', options(1, { subscriptionId: 3 }));
  router.subscribe('c', 'a/b', options(1, { subscriptionId: 7 }));
  router.route(message('a/b', 1));
  assert.deepEqual(sink.got[0]?.[2].subscriptionIds?.sort(), [3, 7]);
});

test('unsubscribe stops delivery and a repeated subscribe replaces rather than adds', () => {
  const sink = collectingSink();
  const router = new Router(sink, new MemoryRetainedStore());
  assert.equal(router.subscribe('c', 't', options(0)), true);
  assert.equal(router.subscribe('c', 't', options(1)), false);
  assert.equal(router.subscriptionCount, 1);
  assert.equal(router.unsubscribe('c', 't'), true);
  assert.equal(router.route(message('t', 0)).matched, 0);
});
