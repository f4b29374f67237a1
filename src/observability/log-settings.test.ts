import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loggerOptionsFor } from './log-settings.js';
import { LogTopicSink } from './log-topic.js';

const base = {
  types: ['error', 'warning', 'notice', 'information'],
  dest: [],
  verbose: false,
  timestamp: true,
};

test('mosquitto defaults: the four categories to stderr', () => {
  assert.deepEqual(loggerOptionsFor(base), {
    options: { types: base.types, timestamp: true, destination: 'stderr' },
    topic: undefined,
  });
});

test('-v is log_type all; log_dest none and log_type none silence', () => {
  assert.deepEqual(loggerOptionsFor({ ...base, verbose: true }).options.types, ['all']);
  assert.equal(loggerOptionsFor({ ...base, dest: ['none'] }).options.silent, true);
  assert.deepEqual(loggerOptionsFor({ ...base, types: ['none'] }).options.types, ['none']);
});

test('every log_dest gets the lines; topic comes with a sink for the broker; the timestamp format passes on', () => {
  const { options, topic } = loggerOptionsFor({
    ...base,
    dest: ['stdout', 'file /var/log/midge.log', 'topic'],
    timestampFormat: '%F',
  });
  assert.ok(topic instanceof LogTopicSink);
  assert.deepEqual(options.destination, ['stdout', { file: '/var/log/midge.log' }, { topic }]);
  assert.equal(options.timestampFormat, '%F');
});

test('the topic sink publishes each line once, on its category topic, and never while it publishes', () => {
  const sink = new LogTopicSink({ timestamp: false });
  const sent: [string, string][] = [];
  sink.write(JSON.stringify({ level: 30, msg: 'before attach' }));
  sink.attach((topic, payload) => {
    sent.push([topic, payload]);
    // A line logged while publishing (say, a debug line of the route) must not loop back.
    sink.write(JSON.stringify({ level: 40, msg: 'nested' }));
  });
  sink.write(JSON.stringify({ level: 40, msg: 'careful' }));
  sink.write(JSON.stringify({ level: 20, msg: 'debug stays off topics' }));
  sink.write(JSON.stringify({ level: 30, logType: 'information', msg: 'info' }));
  assert.deepEqual(sent, [
    ['$SYS/broker/log/W', 'careful'],
    ['$SYS/broker/log/I', 'info'],
  ]);
});
