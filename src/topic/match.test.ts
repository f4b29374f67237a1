import { test } from 'node:test';
import assert from 'node:assert/strict';
import { topicMatches } from './match.js';

// [rule, filter, topic, matches?] — the section 4.7 examples of both specifications, then edge cases.
const cases: [string, string, string, boolean][] = [
  // 4.7.1.2 multi-level wildcard
  ['MQTT-4.7.1-1', 'sport/tennis/player1/#', 'sport/tennis/player1', true],
  ['MQTT-4.7.1-1', 'sport/tennis/player1/#', 'sport/tennis/player1/ranking', true],
  ['MQTT-4.7.1-1', 'sport/tennis/player1/#', 'sport/tennis/player1/score/wimbledon', true],
  ['MQTT-4.7.1-1', 'sport/tennis/player1/#', 'sport/tennis/player2', false],
  ['MQTT-4.7.1-1', 'sport/tennis/player1/#', 'sport/tennis', false],
  ['MQTT-4.7.1-1', 'sport/#', 'sport', true],
  ['MQTT-4.7.1-1', 'sport/#', 'sport/', true],
  ['MQTT-4.7.1-1', 'sport/#', 'sports', false],
  ['MQTT-4.7.1-1', '#', 'sport/tennis/player1', true],
  ['MQTT-4.7.1-1', '#', '/', true],
  ['MQTT-4.7.1-1', '/#', '/finance', true],
  ['MQTT-4.7.1-1', '/#', 'finance', false],
  // 4.7.1.3 single-level wildcard
  ['MQTT-4.7.1-2', 'sport/tennis/+', 'sport/tennis/player1', true],
  ['MQTT-4.7.1-2', 'sport/tennis/+', 'sport/tennis/player2', true],
  ['MQTT-4.7.1-2', 'sport/tennis/+', 'sport/tennis/player1/ranking', false],
  ['MQTT-4.7.1-2', 'sport/+', 'sport', false],
  ['MQTT-4.7.1-2', 'sport/+', 'sport/', true],
  ['MQTT-4.7.1-2', '+/+', '/finance', true],
  ['MQTT-4.7.1-2', '/+', '/finance', true],
  ['MQTT-4.7.1-2', '+', '/finance', false],
  ['MQTT-4.7.1-2', '+', 'finance', true],
  ['MQTT-4.7.1-2', '+/tennis/#', 'sport/tennis/player1', true],
  ['MQTT-4.7.1-2', '+/tennis/#', 'sport/tennis', true],
  ['MQTT-4.7.1-2', '+/tennis/#', 'sport/golf', false],
  ['MQTT-4.7.1-2', 'a/+/b', 'a//b', true],
  ['MQTT-4.7.1-2', '+/+/+', 'a//', true],
  ['MQTT-4.7.1-2', '+/+', 'a/b/c', false],
  // 4.7.2 topics beginning with $
  ['MQTT-4.7.2-1', '#', '$SYS/broker/uptime', false],
  ['MQTT-4.7.2-1', '#', '$SYS', false],
  ['MQTT-4.7.2-1', '+/monitor/Clients', '$SYS/monitor/Clients', false],
  ['MQTT-4.7.2-1', '+', '$SYS', false],
  ['MQTT-4.7.2-1', '+/#', '$SYS/a', false],
  ['MQTT-4.7.2-1', '$SYS/#', '$SYS/', true],
  ['MQTT-4.7.2-1', '$SYS/#', '$SYS', true],
  ['MQTT-4.7.2-1', '$SYS/monitor/+', '$SYS/monitor/Clients', true],
  ['MQTT-4.7.2-1', '$SYS/#', '$SYS/broker/uptime', true],
  ['MQTT-4.7.2-1', '+/#', 'a$/x', true],
  ['MQTT-4.7.2-1', '#', 'x/$SYS', true],
  // 4.7.3 exact matching, levels may be empty
  ['MQTT-4.7.3-4', 'a/b', 'a/b', true],
  ['MQTT-4.7.3-4', 'a/b', 'a/B', false],
  ['MQTT-4.7.3-4', 'a/b', 'a/b/', false],
  ['MQTT-4.7.3-4', 'a/b/', 'a/b', false],
  ['MQTT-4.7.3-4', 'a//b', 'a//b', true],
  ['MQTT-4.7.3-4', 'a//b', 'a/b', false],
  ['MQTT-4.7.3-4', '/a', '/a', true],
  ['MQTT-4.7.3-4', '/a', 'a', false],
  ['MQTT-4.7.3-4', 'ab', 'a', false],
  ['MQTT-4.7.3-4', 'a', 'ab', false],
  ['MQTT-4.7.3-4', 'café/🐝', 'café/🐝', true],
  ['MQTT-4.7.3-4', 'cafe/🐝', 'café/🐝', false],
];

for (const [rule, filter, topic, expected] of cases) {
  test(`[${rule}] '${filter}' ${expected ? 'matches' : 'does not match'} '${topic}'`, () => {
    assert.equal(topicMatches(filter, topic), expected);
  });
}
