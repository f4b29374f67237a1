import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedGroup, SharedSubscriptions } from './shared.js';
import type { SubscriptionOptions } from './types.js';

const options: SubscriptionOptions = { qos: 1, noLocal: false, retainAsPublished: false, retainHandling: 0 };
const everyone = (): boolean => true;

test('[MQTT-4.8.2-3] members take turns', () => {
  const group = new SharedGroup('g/t');
  for (const key of ['a', 'b', 'c']) group.add(key, options);
  const picks = Array.from({ length: 6 }, () => group.pick(everyone, everyone));
  assert.deepEqual(picks, ['a', 'b', 'c', 'a', 'b', 'c']);
});

test('online members first; an offline one only when nobody is online; none when nobody is eligible', () => {
  const group = new SharedGroup('g/t');
  for (const key of ['a', 'b', 'c']) group.add(key, options);
  const online = (key: string): boolean => key === 'c';
  assert.deepEqual([group.pick(everyone, online), group.pick(everyone, online)], ['c', 'c']);
  assert.equal(
    group.pick(everyone, () => false),
    'a',
  );
  assert.equal(
    group.pick(() => false, everyone),
    undefined,
  );
});

test('groups are found by their filter and vanish with their last member', () => {
  const shared = new SharedSubscriptions();
  assert.equal(shared.add('g', 'a/+', 'x', options), true);
  assert.equal(shared.add('g', 'a/+', 'x', options), false);
  shared.add('h', 'a/#', 'y', options);
  assert.deepEqual(
    shared
      .match('a/b')
      .map((g) => g.id)
      .sort(),
    ['g/a/+', 'h/a/#'],
  );
  assert.equal(shared.size, 2);
  assert.equal(shared.remove('g', 'a/+', 'x'), true);
  assert.equal(shared.get('g/a/+'), undefined);
  assert.deepEqual(
    shared.match('a/b').map((g) => g.id),
    ['h/a/#'],
  );
});
