import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveConfig } from './schema.js';
import { ConfigError, editDistance, suggest } from './errors.js';
import { DEFAULTS } from './defaults.js';

test('no listener configured: local only mode on 127.0.0.1, MQTT 1883 and WebSocket 9001, anonymous access', () => {
  const config = resolveConfig({});
  assert.equal(config.localOnlyMode, true);
  assert.deepEqual(config.listeners, [
    { port: 1883, host: '127.0.0.1', protocol: 'mqtt', defaultListener: true },
    { port: 9001, host: '127.0.0.1', protocol: 'websockets', defaultWebSocketListener: true },
  ]);
  assert.equal(config.allowAnonymous, true);
});

test('listeners configured: anonymous access is off unless asked for', () => {
  const closed = resolveConfig({ listeners: [{ port: 0, protocol: 'mqtt' }] });
  assert.equal(closed.localOnlyMode, false);
  assert.equal(closed.allowAnonymous, false);
  assert.equal(closed.listeners[0]?.host, undefined);
  const open = resolveConfig({ listeners: [{ port: 0, protocol: 'mqtt' }], allowAnonymous: true });
  assert.equal(open.allowAnonymous, true);
  assert.equal(resolveConfig({ allowAnonymous: false }).allowAnonymous, false);
});

test('mosquitto 2 defaults fill every field', () => {
  const config = resolveConfig({});
  assert.equal(config.maxInflightMessages, 20);
  assert.equal(config.maxQueuedMessages, 1000);
  assert.equal(config.maxQueuedBytes, 64 * 1024 * 1024);
  assert.equal(config.queueQos0Messages, false);
  assert.equal(config.maxPacketSize, 0);
  assert.equal(config.messageSizeLimit, 0);
  assert.equal(config.maxKeepalive, 65535);
  assert.equal(config.sysInterval, 10);
  assert.equal(config.persistence, false);
  assert.equal(config.persistenceLocation, './midge-data');
  assert.equal(config.retainAvailable, true);
  assert.equal(config.maxConnections, -1);
  assert.equal(config.setTcpNodelay, true);
  assert.equal(config.autoIdPrefix, 'auto-');
  assert.equal(config.allowZeroLengthClientId, true);
  assert.equal(config.persistentClientExpiration, 0);
  assert.deepEqual(config.log, {
    types: [...DEFAULTS.logTypes],
    dest: ['stderr'],
    verbose: false,
    timestamp: true,
    connectionMessages: true,
  });
  assert.deepEqual(config.authOptions, {});
  assert.deepEqual(config.notes, []);
});

test('resolveConfig is idempotent and copies what it is given', () => {
  const input = { listeners: [{ port: 1884, protocol: 'mqtt' as const }], authOptions: { a: 'b' } };
  const once = resolveConfig(input);
  const twice = resolveConfig(once);
  assert.deepEqual(twice, once);
  assert.notEqual(once.listeners[0], input.listeners[0]);
  assert.notEqual(once.authOptions, input.authOptions);
  assert.deepEqual(resolveConfig(resolveConfig({})), resolveConfig({}));
});

test('a partial log section keeps the other log defaults', () => {
  const config = resolveConfig({ log: { verbose: true } });
  assert.equal(config.log.verbose, true);
  assert.deepEqual(config.log.dest, ['stderr']);
});

test('programmatic values out of range are ConfigErrors naming the field', () => {
  const cases: [object, RegExp][] = [
    [
      { listeners: [{ port: 70000, protocol: 'mqtt' }] },
      /'listeners\[0\]\.port' expects a whole number from 0 to 65535/,
    ],
    [
      { listeners: [{ port: 1, protocol: 'http' }] },
      /'listeners\[0\]\.protocol' expects 'mqtt', 'websockets' or 'http_api'/,
    ],
    [{ maxInflightMessages: -1 }, /'maxInflightMessages'/],
    [{ maxPacketSize: 10 }, /'maxPacketSize' expects 0 \(no limit\) or at least 20/],
    [{ maxKeepalive: 1.5 }, /'maxKeepalive'/],
    [{ maxConnections: -2 }, /'maxConnections'/],
  ];
  for (const [input, message] of cases) {
    assert.throws(
      () => resolveConfig(input),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.code === 'MIDGE_CONFIG_BAD_VALUE' &&
        message.test(error.message),
      JSON.stringify(input),
    );
  }
});

test('a listener without a protocol is an MQTT listener', () => {
  const config = resolveConfig({ listeners: [{ port: 0 } as never] });
  assert.equal(config.listeners[0]?.protocol, 'mqtt');
});

test('editDistance and suggest find likely typos only', () => {
  assert.equal(editDistance('listner', 'listener'), 1);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(suggest('listner', ['listener', 'port']), 'listener');
  assert.equal(suggest('PORT', ['listener', 'port']), 'port');
  assert.equal(suggest('completely_different', ['listener', 'port']), undefined);
});
