// `plugin /path/hooks.js`: a JavaScript module implementing BrokerHooks, loaded at start. Its interceptors
// refuse a CONNECT, lower a SUBSCRIBE's QoS and rewrite a PUBLISH; its observer sees auth failures.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { closeClient, connectClient } from '../helpers/mqttjs.js';
import { parseMosquittoConf } from '../../src/config/mosquitto-conf.js';

let started: StartedBroker;
let pluginPath: string;

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-plugin-'));
  pluginPath = join(dir, 'hooks.mjs');
  writeFileSync(
    pluginPath,
    `export default {
  name: 'test-plugin',
  onConnect({ client }) {
    if (client.clientId === 'blocked') return { reject: 0x8a, reason: 'banned' };
  },
  onSubscribe({ topicFilter, qos }) {
    if (topicFilter.startsWith('capped/')) return { modify: { qos: 0 } };
    if (topicFilter === 'forbidden') return { reject: 0x87 };
  },
  onPublish({ message }) {
    if (message.topic === 'shout') return { modify: { ...message, payload: Buffer.from(message.payload.toString().toUpperCase()) } };
  },
};
`,
  );
  started = await startBroker({ hookModules: [pluginPath] });
});

after(() => started.stop());

test('the config line `plugin FILE.js` names a hooks module', () => {
  const config = parseMosquittoConf(`plugin ${pluginPath}\nplugin /usr/lib/auth-plug.so\n`);
  assert.deepEqual(config.hookModules, [pluginPath]);
  assert.equal(config.authPlugin, '/usr/lib/auth-plug.so');
});

test('onConnect rejects: MQTT 5 CONNACK carries the plugin reason code', async () => {
  await assert.rejects(
    connectClient(started.port, { clientId: 'blocked' }),
    (error: { code?: number }) => error.code === 0x8a,
  );
});

test('onSubscribe lowers the granted QoS or refuses the filter', async () => {
  const { client } = await connectClient(started.port, { clientId: 'plugin-sub' });
  const granted = await client.subscribeAsync({ 'capped/x': { qos: 2 }, free: { qos: 1 } });
  assert.deepEqual(
    granted.map((g) => g.qos),
    [0, 1],
  );
  await assert.rejects(client.subscribeAsync('forbidden', { qos: 1 }), /Not authorized/);
  await closeClient(client);
});

test('onPublish rewrites the message subscribers get', async () => {
  const sub = await connectClient(started.port, { clientId: 'plugin-reader' });
  await sub.client.subscribeAsync('shout', { qos: 1 });
  await sub.client.publishAsync('shout', 'hello', { qos: 1 });
  assert.equal((await sub.inbox.waitFor(1))[0]?.payload.toString(), 'HELLO');
  await closeClient(sub.client);
});
