import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoadAverages } from './load.js';

test('load averages start at 0.00 and move towards the per-minute rate, the 1 min window fastest', () => {
  const load = new LoadAverages();
  const first = load.update(new Map([['messages/received', 100]]), 0);
  assert.equal(first.get('messages/received/1min'), '0.00');
  // 120 more messages in 60 s: 120 per minute.
  const second = load.update(new Map([['messages/received', 220]]), 60_000);
  const one = Number(second.get('messages/received/1min'));
  const five = Number(second.get('messages/received/5min'));
  const fifteen = Number(second.get('messages/received/15min'));
  assert.equal(one, Number((120 * (1 - Math.exp(-1))).toFixed(2)));
  assert.ok(one > five && five > fifteen && fifteen > 0);
  // A steady rate keeps pulling every window towards it.
  let last = load.update(new Map([['messages/received', 340]]), 120_000);
  for (let t = 3; t < 60; t++)
    last = load.update(new Map([['messages/received', 100 + 120 * t]]), t * 60_000);
  assert.equal(last.get('messages/received/1min'), '120.00');
  assert.ok(Math.abs(Number(last.get('messages/received/15min')) - 120) < 5);
});
