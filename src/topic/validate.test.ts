import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasWildcard, isValidTopicFilter, isValidTopicName, MAX_TOPIC_BYTES } from './validate.js';

// [rule ids, value, valid?]. 5.0 ids first; the 3.1.1 id follows where it differs.
const names: [string, string, boolean][] = [
  ['MQTT-4.7.3-1 empty name is invalid', '', false],
  ['MQTT-4.7.0-1 (3.1.1 MQTT-4.7.1-1) "+" in a name is invalid', 'sport/+', false],
  ['MQTT-4.7.0-1 (3.1.1 MQTT-4.7.1-1) "#" in a name is invalid', 'sport/#', false],
  ['MQTT-4.7.0-1 (3.1.1 MQTT-4.7.1-1) "+" inside a level of a name is invalid', 'a+b', false],
  ['MQTT-4.7.3-2 U+0000 in a name is invalid', 'a\u0000b', false],
  ['MQTT-4.7.3-1 a single "/" is a valid name', '/', true],
  ['MQTT-4.7.3-1 a single space is a valid name', ' ', true],
  ['MQTT-4.7.3-4 empty levels are valid', 'a//b', true],
  ['MQTT-4.7.3-4 a leading "/" is valid', '/finance', true],
  ['MQTT-4.7.2-1 "$SYS" names are valid', '$SYS/broker/uptime', true],
  ['MQTT-4.7.3-4 non-ASCII is valid', 'cafés/🐝', true],
];

for (const [title, name, valid] of names) {
  test(`[${title}] isValidTopicName(${JSON.stringify(name)}) === ${valid}`, () => {
    assert.equal(isValidTopicName(name), valid);
  });
}

const filters: [string, string, boolean][] = [
  ['MQTT-4.7.3-1 empty filter is invalid', '', false],
  ['MQTT-4.7.3-2 U+0000 in a filter is invalid', 'a/\u0000', false],
  ['MQTT-4.7.1-1 (3.1.1 MQTT-4.7.1-2) "#" alone is valid', '#', true],
  ['MQTT-4.7.1-1 (3.1.1 MQTT-4.7.1-2) "sport/tennis/#" is valid', 'sport/tennis/#', true],
  ['MQTT-4.7.1-1 (3.1.1 MQTT-4.7.1-2) "/#" is valid', '/#', true],
  ['MQTT-4.7.1-1 (3.1.1 MQTT-4.7.1-2) "sport/tennis#" is invalid', 'sport/tennis#', false],
  ['MQTT-4.7.1-1 (3.1.1 MQTT-4.7.1-2) "sport/tennis/#/ranking" is invalid', 'sport/tennis/#/ranking', false],
  ['MQTT-4.7.1-1 (3.1.1 MQTT-4.7.1-2) "#/" is invalid', '#/', false],
  ['MQTT-4.7.1-1 (3.1.1 MQTT-4.7.1-2) "##" is invalid', '##', false],
  ['MQTT-4.7.1-2 (3.1.1 MQTT-4.7.1-3) "+" alone is valid', '+', true],
  ['MQTT-4.7.1-2 (3.1.1 MQTT-4.7.1-3) "+/tennis/#" is valid', '+/tennis/#', true],
  ['MQTT-4.7.1-2 (3.1.1 MQTT-4.7.1-3) "sport/+/player1" is valid', 'sport/+/player1', true],
  ['MQTT-4.7.1-2 (3.1.1 MQTT-4.7.1-3) "+/+" is valid', '+/+', true],
  ['MQTT-4.7.1-2 (3.1.1 MQTT-4.7.1-3) "/+" is valid', '/+', true],
  ['MQTT-4.7.1-2 (3.1.1 MQTT-4.7.1-3) "+/" is valid', '+/', true],
  ['MQTT-4.7.1-2 (3.1.1 MQTT-4.7.1-3) "sport+" is invalid', 'sport+', false],
  ['MQTT-4.7.1-2 (3.1.1 MQTT-4.7.1-3) "+sport" is invalid', '+sport', false],
  ['MQTT-4.7.1-2 (3.1.1 MQTT-4.7.1-3) "a/++/b" is invalid', 'a/++/b', false],
  ['MQTT-4.7.1-2 (3.1.1 MQTT-4.7.1-3) "+#" is invalid', '+#', false],
  ['MQTT-4.7.3-4 "a//b" is valid', 'a//b', true],
  ['MQTT-4.7.3-1 "/" is valid', '/', true],
  ['MQTT-4.7.2-1 "$SYS/#" is valid', '$SYS/#', true],
];

for (const [title, filter, valid] of filters) {
  test(`[${title}] isValidTopicFilter(${JSON.stringify(filter)}) === ${valid}`, () => {
    assert.equal(isValidTopicFilter(filter), valid);
  });
}

test('[MQTT-4.7.3-3] names and filters of at most 65535 UTF-8 bytes are valid, longer ones are not', () => {
  const ascii = 'a'.repeat(MAX_TOPIC_BYTES);
  assert.equal(isValidTopicName(ascii), true);
  assert.equal(isValidTopicName(ascii + 'a'), false);
  assert.equal(isValidTopicFilter(ascii), true);
  assert.equal(isValidTopicFilter(ascii.slice(1) + '#'), false); // '#' not after '/': invalid regardless
  assert.equal(isValidTopicFilter(ascii.slice(1) + '/#'), false);
  assert.equal(isValidTopicFilter(ascii.slice(2) + '/#'), true);
  // 'é' is 2 bytes: 32767 of them is 65534 bytes, 32768 is 65536.
  assert.equal(isValidTopicName('é'.repeat(32767)), true);
  assert.equal(isValidTopicName('é'.repeat(32768)), false);
  // '€' is 3 bytes: 21845 of them is exactly 65535.
  assert.equal(isValidTopicFilter('€'.repeat(21845)), true);
  assert.equal(isValidTopicFilter('€'.repeat(21845) + '/'), false);
});

test('hasWildcard finds "+" and "#" anywhere', () => {
  assert.equal(hasWildcard('a/b'), false);
  assert.equal(hasWildcard('$SYS/broker'), false);
  assert.equal(hasWildcard('a/+'), true);
  assert.equal(hasWildcard('#'), true);
  assert.equal(hasWildcard('a/+/b/#'), true);
});
