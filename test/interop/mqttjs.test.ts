// MQTT.js (the client most Node and browser applications use) against a started `midge` process over TCP,
// with MQTT 3.1.1 (protocolVersion 4) and MQTT 5.0 (protocolVersion 5).
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import type { IClientOptions, IConnackPacket, MqttClient } from 'mqtt';
import { startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { Inbox, sleep, uniquePrefix } from './support.js';

const CONNECT_TIMEOUT_MS = 5000;
/** How long to watch for a message that must not arrive. */
const QUIET_MS = 500;

let midge: MidgeProcess;

before(async () => {
  midge = await startMidge({ conf: 'sys_interval 1' });
});

after(async () => {
  await midge.stop();
});

interface Connected {
  client: MqttClient;
  connack: IConnackPacket;
  inbox: Inbox;
}

/** Tracks every client a test opens so each one is closed however the test ends. */
class Clients {
  readonly #open: MqttClient[] = [];
  constructor(readonly version: 4 | 5) {}

  /** Connects; the inbox is attached before CONNECT is sent, so queued messages right after CONNACK count. */
  async connect(options: IClientOptions = {}): Promise<Connected> {
    const client = mqtt.connect({
      host: '127.0.0.1',
      port: midge.port,
      protocolVersion: this.version,
      reconnectPeriod: 0,
      connectTimeout: CONNECT_TIMEOUT_MS,
      keepalive: 30,
      ...options,
    });
    this.#open.push(client);
    const inbox = new Inbox();
    client.on('message', (topic, payload, packet) => {
      inbox.push({ topic, payload: Buffer.from(payload), qos: packet.qos, retain: packet.retain });
    });
    const connack = await new Promise<IConnackPacket>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error('no CONNACK within 5 s')), CONNECT_TIMEOUT_MS);
      client.once('connect', (packet) => {
        clearTimeout(timer);
        ok(packet);
      });
      client.once('error', (error) => {
        clearTimeout(timer);
        fail(error);
      });
      client.once('close', () => {
        clearTimeout(timer);
        fail(new Error('connection closed before CONNACK'));
      });
    });
    return { client, connack, inbox };
  }

  async closeAll(): Promise<void> {
    await Promise.all(this.#open.map((client) => client.endAsync(true)));
  }
}

async function withClients(version: 4 | 5, body: (clients: Clients) => Promise<void>): Promise<void> {
  const clients = new Clients(version);
  try {
    await body(clients);
  } finally {
    await clients.closeAll();
  }
}

/** Subscribes and checks the broker granted exactly what was asked. */
async function subscribe(client: MqttClient, filters: Record<string, 0 | 1 | 2>): Promise<void> {
  const granted = await client.subscribeAsync(
    Object.fromEntries(Object.entries(filters).map(([filter, qos]) => [filter, { qos }])),
  );
  assert.deepEqual(
    granted.map((g) => [g.topic, g.qos]),
    Object.entries(filters),
    'SUBACK grants the requested QoS for every filter',
  );
}

/** Every byte value, so a codec that treats payloads as text would show. */
function binaryPayload(tag: number): Buffer {
  const bytes = Buffer.alloc(260);
  for (let i = 0; i < 256; i++) bytes[i] = i;
  bytes.writeUInt32BE(tag, 256);
  return bytes;
}

for (const version of [4, 5] as const) {
  const protocol = version === 4 ? 'MQTT 3.1.1' : 'MQTT 5.0';
  // MQTT 5 ends a session when the network connection closes unless Session Expiry Interval > 0.
  const persistent: IClientOptions =
    version === 5 ? { clean: false, properties: { sessionExpiryInterval: 300 } } : { clean: false };

  describe(`MQTT.js ${protocol}`, () => {
    test('QoS 0, 1 and 2 publish/subscribe round trips keep the payload bytes', { timeout: 20000 }, () =>
      withClients(version, async (clients) => {
        const prefix = uniquePrefix(`mqttjs-v${version}-qos`);
        const sub = await clients.connect();
        await subscribe(sub.client, { [`${prefix}/#`]: 2 });
        const pub = await clients.connect();
        for (const qos of [0, 1, 2] as const) {
          await pub.client.publishAsync(`${prefix}/q${qos}`, binaryPayload(qos), { qos });
          const [message] = (await sub.inbox.waitFor(qos + 1)).slice(qos);
          assert.ok(message);
          assert.equal(message.topic, `${prefix}/q${qos}`);
          assert.equal(message.qos, qos, 'delivered at the published QoS (subscription allows 2)');
          assert.equal(message.retain, false);
          assert.ok(
            message.payload.equals(binaryPayload(qos)),
            `payload of the QoS ${qos} message is intact`,
          );
        }
        await sleep(100);
        assert.equal(sub.inbox.messages.length, 3, 'no duplicates');
      }),
    );

    test(
      'a retained message reaches a later subscriber with RETAIN set; an empty retained publish clears it',
      { timeout: 20000 },
      () =>
        withClients(version, async (clients) => {
          const prefix = uniquePrefix(`mqttjs-v${version}-retain`);
          const live = await clients.connect();
          await subscribe(live.client, { [`${prefix}/#`]: 1 });
          const pub = await clients.connect();
          await pub.client.publishAsync(`${prefix}/kept`, 'kept-value', { qos: 1, retain: true });
          await pub.client.publishAsync(`${prefix}/cleared`, 'old-value', { qos: 1, retain: true });

          // 3.1.1 [MQTT-3.3.1-9]; 5.0 Retain As Published = 0: RETAIN is 0 on an established subscription.
          const established = await live.inbox.waitFor(2);
          assert.deepEqual(
            established.map((m) => [m.topic, m.payload.toString(), m.retain]),
            [
              [`${prefix}/kept`, 'kept-value', false],
              [`${prefix}/cleared`, 'old-value', false],
            ],
          );

          await pub.client.publishAsync(`${prefix}/cleared`, Buffer.alloc(0), { qos: 1, retain: true });
          // 3.1.1 [MQTT-3.3.1-10]: the zero-byte retained publish still goes to current subscribers.
          const [clearing] = (await live.inbox.waitFor(3)).slice(2);
          assert.equal(clearing?.topic, `${prefix}/cleared`);
          assert.equal(clearing?.payload.length, 0);

          const later = await clients.connect();
          await subscribe(later.client, { [`${prefix}/#`]: 1 });
          // 3.1.1 [MQTT-3.3.1-6] [MQTT-3.3.1-8]: the stored message is sent with RETAIN = 1.
          const [retained] = await later.inbox.waitFor(1);
          assert.equal(retained?.topic, `${prefix}/kept`);
          assert.equal(retained?.payload.toString(), 'kept-value');
          assert.equal(retained?.retain, true);
          assert.equal(retained?.qos, 1);
          // 3.1.1 [MQTT-3.3.1-10] [MQTT-3.3.1-11]: the cleared topic has no retained message any more.
          await sleep(QUIET_MS);
          assert.deepEqual(
            later.inbox.messages.map((m) => m.topic),
            [`${prefix}/kept`],
          );
        }),
    );

    test('the will message is published when the client socket is destroyed', { timeout: 20000 }, () =>
      withClients(version, async (clients) => {
        const prefix = uniquePrefix(`mqttjs-v${version}-will`);
        const watcher = await clients.connect();
        await subscribe(watcher.client, { [`${prefix}/#`]: 1 });
        const victim = await clients.connect({
          will: { topic: `${prefix}/status`, payload: Buffer.from('gone'), qos: 1, retain: false },
        });
        victim.client.stream.destroy();
        // 3.1.1 [MQTT-3.1.2-8]: a network connection closed without DISCONNECT publishes the will.
        const [will] = await watcher.inbox.waitFor(1);
        assert.equal(will?.topic, `${prefix}/status`);
        assert.equal(will?.payload.toString(), 'gone');
        assert.equal(will?.qos, 1);
        assert.equal(will?.retain, false);
      }),
    );

    test('the will message is not published after a clean DISCONNECT', { timeout: 20000 }, () =>
      withClients(version, async (clients) => {
        const prefix = uniquePrefix(`mqttjs-v${version}-nowill`);
        const watcher = await clients.connect();
        await subscribe(watcher.client, { [`${prefix}/#`]: 1 });
        const polite = await clients.connect({
          will: { topic: `${prefix}/status`, payload: Buffer.from('gone'), qos: 1, retain: false },
        });
        await polite.client.endAsync();
        // A message published after the disconnect proves the watcher would have seen a will by now.
        const pub = await clients.connect();
        await pub.client.publishAsync(`${prefix}/after`, 'after', { qos: 1 });
        await watcher.inbox.waitFor(1);
        await sleep(QUIET_MS);
        // 3.1.1 [MQTT-3.1.2-10]: DISCONNECT deletes the will without publishing it.
        assert.deepEqual(
          watcher.inbox.messages.map((m) => m.topic),
          [`${prefix}/after`],
        );
      }),
    );

    test(
      'a persistent session keeps subscriptions and queues QoS 1 and 2 messages while offline',
      { timeout: 20000 },
      () =>
        withClients(version, async (clients) => {
          const prefix = uniquePrefix(`mqttjs-v${version}-session`);
          const clientId = `mqttjs-v${version}-${prefix.split('/').pop() ?? ''}`;
          const first = await clients.connect({ clientId, ...persistent });
          assert.equal(first.connack.sessionPresent, false, 'a new client id has no session');
          await subscribe(first.client, { [`${prefix}/#`]: 2 });
          await first.client.endAsync();

          const pub = await clients.connect();
          await pub.client.publishAsync(`${prefix}/one`, 'offline-qos1', { qos: 1 });
          await pub.client.publishAsync(`${prefix}/two`, 'offline-qos2', { qos: 2 });
          await pub.client.publishAsync(`${prefix}/zero`, 'offline-qos0', { qos: 0 });

          const again = await clients.connect({ clientId, ...persistent });
          // 3.1.1 [MQTT-3.2.2-2]: Session Present = 1 when the server has the session.
          assert.equal(again.connack.sessionPresent, true);
          // 3.1.1 [MQTT-3.1.2-5]: QoS 1 and 2 messages for the subscription are kept while offline.
          // (QoS 0 messages may be kept too, so only the QoS 1 and 2 ones are required, in order.)
          const queued = await again.inbox.waitFor(2, 5000, (m) => m.qos > 0);
          assert.deepEqual(
            queued.map((m) => [m.topic, m.payload.toString(), m.qos]),
            [
              [`${prefix}/one`, 'offline-qos1', 1],
              [`${prefix}/two`, 'offline-qos2', 2],
            ],
          );

          // The subscription itself survived: a live publish arrives without subscribing again.
          await pub.client.publishAsync(`${prefix}/live`, 'live', { qos: 1 });
          const [live] = await again.inbox.waitFor(1, 5000, (m) => m.topic === `${prefix}/live`);
          assert.equal(live?.payload.toString(), 'live');
        }),
    );

    test('a clean session discards the stored session', { timeout: 20000 }, () =>
      withClients(version, async (clients) => {
        const prefix = uniquePrefix(`mqttjs-v${version}-clean`);
        const clientId = `mqttjs-v${version}-${prefix.split('/').pop() ?? ''}`;
        const first = await clients.connect({ clientId, ...persistent });
        await subscribe(first.client, { [`${prefix}/#`]: 1 });
        await first.client.endAsync();

        const clean = await clients.connect({ clientId, clean: true });
        // 3.1.1 [MQTT-3.2.2-1]: Clean Session = 1 always answers Session Present = 0.
        assert.equal(clean.connack.sessionPresent, false);
        await clean.client.endAsync();

        const pub = await clients.connect();
        await pub.client.publishAsync(`${prefix}/missed`, 'nobody-subscribed', { qos: 1 });

        const again = await clients.connect({ clientId, ...persistent });
        // 3.1.1 [MQTT-3.1.2-6]: the clean session ended with its connection, subscriptions included.
        assert.equal(again.connack.sessionPresent, false);
        await sleep(QUIET_MS);
        assert.deepEqual(again.inbox.summary(), []);
      }),
    );

    test('wildcard subscriptions with + and # match the right topics', { timeout: 20000 }, () =>
      withClients(version, async (clients) => {
        const prefix = uniquePrefix(`mqttjs-v${version}-wild`);
        const plus = await clients.connect();
        await subscribe(plus.client, { [`${prefix}/+/temp`]: 1 });
        const hash = await clients.connect();
        await subscribe(hash.client, { [`${prefix}/b/#`]: 1 });
        const pub = await clients.connect();
        const topics = ['a/temp', 'b/temp', 'a/b/temp', 'b', 'b/x/y', 'a/humidity', 'temp', 'c/temp/x'];
        for (const topic of topics) await pub.client.publishAsync(`${prefix}/${topic}`, topic, { qos: 1 });

        const wantPlus = ['a/temp', 'b/temp'];
        // 3.1.1 4.7.1.2: "sport/#" also matches the parent level "sport".
        const wantHash = ['b/temp', 'b', 'b/x/y'];
        await plus.inbox.waitFor(wantPlus.length);
        await hash.inbox.waitFor(wantHash.length);
        await sleep(QUIET_MS);
        const got = (inbox: Inbox): string[] =>
          inbox.messages.map((m) => m.topic.slice(prefix.length + 1)).sort();
        assert.deepEqual(got(plus.inbox), [...wantPlus].sort(), `${prefix}/+/temp`);
        assert.deepEqual(got(hash.inbox), [...wantHash].sort(), `${prefix}/b/#`);
      }),
    );

    test(
      'overlapping subscriptions deliver a message once, at the highest granted QoS',
      { timeout: 20000 },
      () =>
        withClients(version, async (clients) => {
          const prefix = uniquePrefix(`mqttjs-v${version}-overlap`);
          const sub = await clients.connect();
          await subscribe(sub.client, { [`${prefix}/#`]: 0, [`${prefix}/+/y`]: 2, [`${prefix}/x/y`]: 1 });
          const pub = await clients.connect();
          await pub.client.publishAsync(`${prefix}/x/y`, 'once', { qos: 2 });
          await sub.inbox.waitFor(1);
          await sleep(QUIET_MS);
          // 3.1.1 [MQTT-3.3.5-1]: respecting the maximum QoS of all matching subscriptions.
          assert.deepEqual(sub.inbox.summary(), [
            { topic: `${prefix}/x/y`, payload: 'once', qos: 2, retain: false },
          ]);
        }),
    );

    test('$SYS/broker/version is retrievable', { timeout: 20000 }, () =>
      withClients(version, async (clients) => {
        const sub = await clients.connect();
        await subscribe(sub.client, { '$SYS/broker/version': 0 });
        // Retained, or published within sys_interval (1 s).
        const [message] = await sub.inbox.waitFor(1, 3000);
        assert.equal(message?.topic, '$SYS/broker/version');
        assert.match(message?.payload.toString() ?? '', /\bversion \d+\.\d+\.\d+/);
      }),
    );
  });
}
