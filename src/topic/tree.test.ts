import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TopicTree } from './tree.js';
import { topicMatches } from './match.js';

function matches<V>(tree: TopicTree<V>, topic: string): string[] {
  return tree
    .collect(topic)
    .map(({ key, filter }) => `${key} ${filter}`)
    .sort();
}

test('[MQTT-3.8.4-3] re-subscribing to the same filter replaces the entry instead of adding one', () => {
  const tree = new TopicTree<number>();
  assert.equal(tree.add('a/+', 'c1', 1), true);
  assert.equal(tree.add('a/+', 'c1', 2), false);
  assert.equal(tree.size, 1);
  assert.deepEqual(tree.collect('a/b'), [{ key: 'c1', value: 2, filter: 'a/+' }]);
  assert.equal(tree.get('a/+', 'c1'), 2);
});

test('[MQTT-3.3.2-3] overlapping subscriptions of one client are each visited, with their filter', () => {
  const tree = new TopicTree<number>();
  tree.add('a/#', 'c1', 0);
  tree.add('a/+', 'c1', 2);
  tree.add('a/b', 'c1', 1);
  tree.add('a/b', 'c2', 1);
  tree.add('x/#', 'c3', 1);
  assert.deepEqual(matches(tree, 'a/b'), ['c1 a/#', 'c1 a/+', 'c1 a/b', 'c2 a/b']);
  let maxQos = -1;
  tree.match('a/b', (key, qos) => {
    if (key === 'c1' && qos > maxQos) maxQos = qos;
  });
  assert.equal(maxQos, 2);
});

test('[MQTT-4.7.1-1] "sport/#" in the tree matches "sport" and everything below it', () => {
  const tree = new TopicTree<null>();
  tree.add('sport/#', 'c', null);
  tree.add('#', 'd', null);
  assert.deepEqual(matches(tree, 'sport'), ['c sport/#', 'd #']);
  assert.deepEqual(matches(tree, 'sport/tennis/player1'), ['c sport/#', 'd #']);
  assert.deepEqual(matches(tree, 'sports'), ['d #']);
});

test('[MQTT-4.7.1-2] "+" in the tree matches one level, empty ones included', () => {
  const tree = new TopicTree<null>();
  tree.add('+/+', 'a', null);
  tree.add('/+', 'b', null);
  tree.add('+', 'c', null);
  assert.deepEqual(matches(tree, '/finance'), ['a +/+', 'b /+']);
  assert.deepEqual(matches(tree, 'finance'), ['c +']);
  assert.deepEqual(matches(tree, 'a//b'), []);
});

test('[MQTT-4.7.2-1] filters starting with "+" or "#" in the tree do not match "$" topics', () => {
  const tree = new TopicTree<null>();
  tree.add('#', 'all', null);
  tree.add('+/monitor/Clients', 'plus', null);
  tree.add('$SYS/#', 'sys', null);
  tree.add('$SYS/monitor/+', 'sysplus', null);
  assert.deepEqual(matches(tree, '$SYS/monitor/Clients'), ['sys $SYS/#', 'sysplus $SYS/monitor/+']);
  assert.deepEqual(matches(tree, 'x/monitor/Clients'), ['all #', 'plus +/monitor/Clients']);
});

test('remove deletes only that entry and prunes the nodes it leaves empty', () => {
  const tree = new TopicTree<number>();
  tree.add('a/b/c/d', 'c1', 1);
  tree.add('a/b', 'c2', 1);
  tree.add('a/+/#', 'c3', 1);
  const nodes = tree.nodeCount;
  assert.equal(nodes, 6); // a, b, c, d, +, #
  assert.equal(tree.remove('a/b/c/d', 'c2'), false);
  assert.equal(tree.remove('a/x', 'c1'), false);
  assert.equal(tree.remove('a/b/c/d', 'c1'), true);
  assert.equal(tree.remove('a/b/c/d', 'c1'), false);
  assert.equal(tree.nodeCount, 4); // c and d pruned, b kept for c2
  assert.equal(tree.remove('a/+/#', 'c3'), true);
  assert.equal(tree.nodeCount, 2);
  assert.equal(tree.remove('a/b', 'c2'), true);
  assert.equal(tree.nodeCount, 0);
  assert.equal(tree.size, 0);
  assert.equal(tree.keyCount, 0);
  assert.deepEqual(tree.collect('a/b'), []);
});

test('subscription churn leaves no nodes behind', () => {
  const tree = new TopicTree<number>();
  for (let round = 0; round < 50; round++) {
    for (let i = 0; i < 40; i++) tree.add(`devices/${round}/${i}/+/#`, `client-${i % 7}`, i);
    for (let i = 0; i < 40; i++) tree.remove(`devices/${round}/${i}/+/#`, `client-${i % 7}`);
  }
  assert.equal(tree.size, 0);
  assert.equal(tree.nodeCount, 0);
});

test('a node with many subscribers indexes them and still replaces, removes and matches correctly', () => {
  const tree = new TopicTree<number>();
  for (let i = 0; i < 100; i++) tree.add('hot/topic', `c${i}`, i);
  assert.equal(tree.add('hot/topic', 'c50', 500), false);
  for (let i = 0; i < 100; i += 2) assert.equal(tree.remove('hot/topic', `c${i}`), true);
  assert.equal(tree.size, 50);
  const seen = new Map<string, number>();
  tree.match('hot/topic', (key, value) => seen.set(key, value));
  assert.equal(seen.size, 50);
  for (let i = 1; i < 100; i += 2) assert.equal(seen.get(`c${i}`), i);
  assert.equal(tree.get('hot/topic', 'c51'), 51);
  for (let i = 1; i < 100; i += 2) assert.equal(tree.remove('hot/topic', `c${i}`), true);
  assert.equal(tree.nodeCount, 0);
});

test('filters(key) and removeKey(key) cover every filter of one subscriber', () => {
  const tree = new TopicTree<number>();
  tree.add('a', 'c1', 0);
  tree.add('b/#', 'c1', 1);
  tree.add('b/#', 'c2', 1);
  assert.deepEqual(tree.filters('c1'), ['a', 'b/#']);
  assert.deepEqual(tree.filters('nobody'), []);
  assert.equal(tree.has('b/#', 'c1'), true);
  assert.equal(tree.removeKey('c1'), 2);
  assert.equal(tree.removeKey('c1'), 0);
  assert.equal(tree.has('b/#', 'c1'), false);
  assert.deepEqual(matches(tree, 'b/x'), ['c2 b/#']);
  assert.equal(tree.size, 1);
  assert.equal(tree.nodeCount, 2);
});

test('a visitor may start another match (re-entrant routing)', () => {
  const tree = new TopicTree<number>();
  tree.add('a/#', 'c1', 1);
  tree.add('a/+', 'c2', 1);
  tree.add('b', 'c3', 1);
  const outer: string[] = [];
  const inner: string[] = [];
  tree.match('a/x', (key) => {
    outer.push(key);
    tree.match('b', (k) => inner.push(k));
  });
  assert.deepEqual(outer.sort(), ['c1', 'c2']);
  assert.deepEqual(inner, ['c3', 'c3']);
  assert.deepEqual(matches(tree, 'a/x'), ['c1 a/#', 'c2 a/+']);
});

test('a visitor that throws leaves the tree usable', () => {
  const tree = new TopicTree<number>();
  tree.add('a/+/c', 'c1', 1);
  tree.add('a/b/#', 'c2', 1);
  assert.throws(() =>
    tree.match('a/b/c', () => {
      throw new Error('boom');
    }),
  );
  assert.deepEqual(matches(tree, 'a/b/c'), ['c1 a/+/c', 'c2 a/b/#']);
});

test('clear empties the tree', () => {
  const tree = new TopicTree<number>();
  tree.add('a/b', 'c1', 1);
  tree.clear();
  assert.equal(tree.size, 0);
  assert.equal(tree.nodeCount, 0);
  assert.deepEqual(tree.filters('c1'), []);
});

/** mulberry32: a small seeded PRNG so the randomized cross-check is reproducible. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('[MQTT-4.7.1-1][MQTT-4.7.1-2][MQTT-4.7.2-1] TopicTree.match agrees with topicMatches on random filters and topics (seed 0x5eed)', () => {
  const random = prng(0x5eed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const words = ['a', 'b', 'c', '', '$SYS', '$x', 'sport'];
  const levels = (): string[] => Array.from({ length: 1 + Math.floor(random() * 4) }, () => pick(words));
  const randomTopic = (): string => levels().join('/');
  const randomFilter = (): string => {
    const parts = levels().map((word) => (random() < 0.3 ? '+' : word));
    if (random() < 0.3) parts.push('#');
    else if (random() < 0.1) return '#';
    return parts.join('/');
  };

  const tree = new TopicTree<number>();
  const live = new Map<string, number>(); // "key\0filter" → value
  for (let round = 0; round < 2000; round++) {
    const key = `c${Math.floor(random() * 20)}`;
    const filter = randomFilter();
    const id = `${key}\u0000${filter}`;
    if (random() < 0.3 && live.size > 0) {
      const [victim] = [...live.keys()].slice(Math.floor(random() * live.size));
      const [vKey, vFilter] = (victim as string).split('\u0000') as [string, string];
      assert.equal(tree.remove(vFilter, vKey), true);
      live.delete(victim as string);
    } else {
      assert.equal(tree.add(filter, key, round), !live.has(id));
      live.set(id, round);
    }
    assert.equal(tree.size, live.size);
    if (round % 10 !== 0) continue;
    for (let probe = 0; probe < 20; probe++) {
      const topic = randomTopic();
      const expected: string[] = [];
      for (const [entry, value] of live) {
        const [eKey, eFilter] = entry.split('\u0000') as [string, string];
        if (topicMatches(eFilter, topic)) expected.push(`${eKey} ${eFilter} ${value}`);
      }
      const actual = tree
        .collect(topic)
        .map(({ key: k, filter: f, value }) => `${k} ${f} ${value}`)
        .sort();
      assert.deepEqual(actual, expected.sort(), `topic '${topic}'`);
    }
  }
  for (const entry of live.keys()) {
    const [eKey, eFilter] = entry.split('\u0000') as [string, string];
    assert.equal(tree.remove(eFilter, eKey), true);
  }
  assert.equal(tree.nodeCount, 0);
});

test('matches follow every change of the tree, also for a topic matched before (the match cache)', () => {
  const tree = new TopicTree<number>();
  tree.add('a/+', 'c1', 0);
  assert.deepEqual(matches(tree, 'a/b'), ['c1 a/+']);
  tree.add('a/b', 'c2', 1);
  assert.deepEqual(matches(tree, 'a/b'), ['c1 a/+', 'c2 a/b']);
  tree.add('a/b', 'c2', 2);
  assert.deepEqual(tree.collect('a/b').find((m) => m.key === 'c2')?.value, 2);
  tree.remove('a/+', 'c1');
  assert.deepEqual(matches(tree, 'a/b'), ['c2 a/b']);
  tree.removeKey('c2');
  assert.deepEqual(matches(tree, 'a/b'), []);
  tree.add('#', 'c3', 0);
  assert.deepEqual(matches(tree, 'a/b'), ['c3 #']);
  tree.clear();
  tree.add('a/b', 'c4', 0);
  assert.deepEqual(matches(tree, 'a/b'), ['c4 a/b']);
});

test('a visitor that removes entries while matching still sees the entries matched at the start', () => {
  const tree = new TopicTree<number>();
  for (let i = 0; i < 20; i++) tree.add('t', `c${i}`, i);
  const seen: string[] = [];
  tree.match('t', (key) => {
    seen.push(key);
    tree.removeKey(key === 'c0' ? 'c1' : 'none');
  });
  assert.equal(seen.length, 20);
  assert.deepEqual(matches(tree, 't').length, 19);
});

test('many distinct topics stay correct when the match cache starts over', () => {
  const tree = new TopicTree<number>();
  tree.add('x/+', 'c', 1);
  for (let i = 0; i < 10000; i++) assert.deepEqual(matches(tree, `x/${i % 5000}`), [`c x/+`]);
  assert.deepEqual(matches(tree, 'y/1'), []);
});
