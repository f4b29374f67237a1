import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isSharedFilter, parseSharedSubscription } from './shared.js';

test('[MQTT-4.8.2-1] a filter not starting with "$share/" is not a shared subscription', () => {
  for (const filter of ['a/b', '#', '$SYS/#', '$share', '$sharex/g/a', 'x/$share/g/a']) {
    assert.equal(parseSharedSubscription(filter), null, filter);
    assert.equal(isSharedFilter(filter), false, filter);
  }
});

const valid: [string, string, string][] = [
  ['$share/group/a/b', 'group', 'a/b'],
  ['$share/g/#', 'g', '#'],
  ['$share/g/+/x', 'g', '+/x'],
  ['$share/consumers/sport/tennis/+', 'consumers', 'sport/tennis/+'],
  ['$share/g//a', 'g', '/a'],
  ['$share/g/$SYS/#', 'g', '$SYS/#'],
];

for (const [input, group, filter] of valid) {
  test(`[MQTT-4.8.2-1][MQTT-4.8.2-2] '${input}' is group '${group}', filter '${filter}'`, () => {
    assert.deepEqual(parseSharedSubscription(input), { ok: true, group, filter });
    assert.equal(isSharedFilter(input), true);
  });
}

const invalid: [string, string][] = [
  ['MQTT-4.8.2-1', '$share//a/b'],
  ['MQTT-4.8.2-1', '$share/'],
  ['MQTT-4.8.2-2', '$share/group'],
  ['MQTT-4.8.2-2', '$share/gr+up/a'],
  ['MQTT-4.8.2-2', '$share/+/a'],
  ['MQTT-4.8.2-2', '$share/#/a'],
  ['MQTT-4.8.2-2', '$share/g/'],
  ['MQTT-4.8.2-2', '$share/g/a#'],
  ['MQTT-4.8.2-2', '$share/g/#/a'],
  ['MQTT-4.7.3-2', '$share/g\u0000/a'],
];

for (const [rule, input] of invalid) {
  test(`[${rule}] '${JSON.stringify(input)}' is a malformed shared subscription`, () => {
    const result = parseSharedSubscription(input);
    assert.ok(result !== null && !result.ok, JSON.stringify(result));
    assert.equal(result.rule, rule);
    assert.ok(result.reason.length > 0);
  });
}
