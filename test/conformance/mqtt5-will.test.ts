// MQTT 5.0 will messages: the Will Delay Interval (section 3.1.3.2.2), its cancellation by a new connection and
// its cut-off at the end of the session; will properties forwarded as PUBLISH properties. Rule ids are those of
// the 5.0 list (/work/shared/spec/mqtt-5.0-rules.md), marked "(5.0)".
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { RawClient } from '../helpers/raw-client.js';
import type { Properties, Will } from '../../src/protocol/types.js';
import { ClientPool, connect5, receive, subscribe, text, uid, type Connect5Options } from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;

async function connect(
  clientId: string,
  options: Connect5Options = {},
): Promise<{ client: RawClient; sessionPresent: boolean }> {
  const { client, connack } = await connect5(pool, clientId, options);
  assert.equal(connack.reasonCode, 0);
  return { client, sessionPresent: connack.sessionPresent };
}

function will(topic: string, properties: Properties): Will {
  return { topic, payload: Buffer.from('gone'), qos: 1, retain: false, properties };
}

/** A subscriber of `topic`, MQTT 5. */
async function watcher(topic: string): Promise<RawClient> {
  const { client } = await connect(uid('w'));
  await subscribe5(client, topic);
  return client;
}

async function subscribe5(client: RawClient, topic: string): Promise<void> {
  client.version = 5;
  assert.deepEqual(await subscribe(client, topic, 1), [1]);
}

describe('MQTT 5.0 will delay', () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  test('(5.0) [MQTT-3.1.3-9] the will waits for its Will Delay Interval, then goes out without the delay property and with its user properties in order [MQTT-3.1.3-10]', async () => {
    const topic = uid('t');
    const sub = await watcher(topic);
    const userProperties: [string, string][] = [
      ['z', '1'],
      ['a', '2'],
      ['z', '3'],
    ];
    const { client } = await connect(uid(), {
      properties: { sessionExpiryInterval: 30 },
      will: will(topic, { willDelayInterval: 1, contentType: 'text/plain', userProperties }),
    });
    client.destroy();
    assert.equal(await sub.next(600), undefined, 'nothing before the delay has passed');
    const message = await receive(sub, true, 2000);
    assert.equal(text(message), 'gone');
    assert.equal(message.properties?.willDelayInterval, undefined);
    assert.equal(message.properties?.contentType, 'text/plain');
    assert.deepEqual(message.properties?.userProperties, userProperties);
  });

  test('(5.0) [MQTT-3.1.3-9] a new connection to the session before the delay ends: the will is never sent', async () => {
    const topic = uid('t');
    const sub = await watcher(topic);
    const id = uid();
    const options = {
      properties: { sessionExpiryInterval: 30 },
      will: will(topic, { willDelayInterval: 1 }),
    };
    const { client } = await connect(id, options);
    client.destroy();
    const again = await connect(id, { properties: { sessionExpiryInterval: 30 }, clean: false });
    assert.equal(again.sessionPresent, true);
    assert.equal(await sub.next(1500), undefined, 'the will was cancelled');
  });

  test('(5.0) [MQTT-3.1.3-9] a session that ends before the delay (Session Expiry 0) takes its will out at once', async () => {
    const topic = uid('t');
    const sub = await watcher(topic);
    const { client } = await connect(uid(), { will: will(topic, { willDelayInterval: 60 }) });
    client.destroy();
    assert.equal(text(await receive(sub, true, 1000)), 'gone');
  });

  test('(5.0) [MQTT-3.1.3-9] a clean start ends the old session: its waiting will goes out then', async () => {
    const topic = uid('t');
    const sub = await watcher(topic);
    const id = uid();
    const { client } = await connect(id, {
      properties: { sessionExpiryInterval: 60 },
      will: will(topic, { willDelayInterval: 60 }),
    });
    client.destroy();
    assert.equal(await sub.next(300), undefined);
    await connect(id, { clean: true });
    assert.equal(text(await receive(sub, true, 1000)), 'gone');
  });

  test('(5.0) [MQTT-3.1.2-10] DISCONNECT 0x00 discards the will, also one with a delay', async () => {
    const topic = uid('t');
    const sub = await watcher(topic);
    const { client } = await connect(uid(), {
      properties: { sessionExpiryInterval: 5 },
      will: will(topic, { willDelayInterval: 1 }),
    });
    client.send({ type: 'disconnect', reasonCode: 0 });
    assert.equal(await sub.next(1500), undefined);
  });

  test('(5.0) [MQTT-3.1.2-8] a will with Will Delay Interval 0 goes out as soon as the connection drops', async () => {
    const topic = uid('t');
    const sub = await watcher(topic);
    const { client } = await connect(uid(), {
      properties: { sessionExpiryInterval: 60 },
      will: will(topic, { willDelayInterval: 0 }),
    });
    client.destroy();
    const message = await receive(sub, true, 1000);
    assert.equal(message.properties?.willDelayInterval, undefined);
  });
});
