import { test } from 'node:test';
import assert from 'node:assert/strict';
import { categoriesOf, categoryOf, formatTimestamp, logTopicOf, unknownConversion } from './log-format.js';

test('log_type selects categories; all is every one, none is nothing', () => {
  assert.deepEqual([...categoriesOf(['error', 'notice'])].sort(), ['error', 'notice']);
  assert.equal(categoriesOf(['all']).size, 8);
  assert.equal(categoriesOf(['none']).size, 0);
});

test('a line is its logType field, else its level (info is notice)', () => {
  assert.equal(categoryOf(30, { logType: 'subscribe' }), 'subscribe');
  assert.equal(categoryOf(60, undefined), 'error');
  assert.equal(categoryOf(50, 'text'), 'error');
  assert.equal(categoryOf(40, {}), 'warning');
  assert.equal(categoryOf(30, {}), 'notice');
  assert.equal(categoryOf(20, {}), 'debug');
});

test('log_dest topic: mosquitto severities, no debug', () => {
  assert.equal(logTopicOf('error'), '$SYS/broker/log/E');
  assert.equal(logTopicOf('information'), '$SYS/broker/log/I');
  assert.equal(logTopicOf('unsubscribe'), '$SYS/broker/log/M/unsubscribe');
  assert.equal(logTopicOf('debug'), undefined);
});

test('log_timestamp_format: strftime conversions in local time; none means epoch seconds', () => {
  const date = new Date(2024, 1, 3, 4, 5, 6); // 3 Feb 2024 04:05:06 local
  assert.equal(formatTimestamp('%Y-%m-%dT%H:%M:%S', date), '2024-02-03T04:05:06');
  assert.equal(formatTimestamp('%F %T %%', date), '2024-02-03 04:05:06 %');
  assert.equal(formatTimestamp('%a %b %e %y %j %I%p', date), 'Sat Feb  3 24 034 04AM');
  assert.equal(formatTimestamp(undefined, date), String(Math.floor(date.getTime() / 1000)));
  assert.equal(unknownConversion('%Y-%m'), undefined);
  assert.equal(unknownConversion('%Y %Q'), '%Q');
});
