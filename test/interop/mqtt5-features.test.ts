// MQTT 5 features with real clients against a started `midge` process: mosquitto_pub/sub -V mqttv5 with -D
// properties, MQTT.js protocolVersion 5 with topic aliases both ways and shared subscriptions, and Debian's
// Python paho in MQTTv5 mode.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import mqtt from 'mqtt';
import type { IClientOptions, MqttClient } from 'mqtt';
import { startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { describeExit, runProcess, startProcess, uniquePrefix } from './support.js';

const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';
const MOSQUITTO_SUB = '/usr/bin/mosquitto_sub';
const STDBUF = '/usr/bin/stdbuf';
const PYTHON = '/usr/bin/python3';
const TIMEOUT_MS = 8000;

let midge: MidgeProcess;

before(async () => {
  midge = await startMidge({ conf: 'max_topic_alias 5' });
});

after(async () => {
  await midge.stop();
});

const v5 = (): string[] => ['-h', '127.0.0.1', '-p', String(midge.port), '-V', 'mqttv5'];

async function mosquittoPub(args: string[]): Promise<void> {
  const exit = await runProcess(MOSQUITTO_PUB, [...v5(), ...args], { timeoutMs: TIMEOUT_MS });
  assert.equal(exit.code, 0, describeExit('mosquitto_pub', exit));
}

/** mosquitto_sub -d, resolved once its SUBACK arrived. */
async function mosquittoSub(args: string[]) {
  const sub = startProcess(STDBUF, ['-oL', MOSQUITTO_SUB, ...v5(), '-d', ...args], { timeoutMs: TIMEOUT_MS });
  await sub.waitForLine(/^Subscribed \(mid: \d+\)/);
  return sub;
}

/** The lines mosquitto_sub printed with -F, without its -d debug lines. */
function printed(stdout: string): string[] {
  return stdout
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('Client ') && !line.startsWith('Subscribed '));
}

function connect(options: IClientOptions): Promise<MqttClient> {
  const client = mqtt.connect({
    host: '127.0.0.1',
    port: midge.port,
    protocolVersion: 5,
    reconnectPeriod: 0,
    connectTimeout: 5000,
    ...options,
  });
  return new Promise((ok, fail) => {
    client.once('connect', () => ok(client));
    client.once('error', fail);
  });
}

describe('MQTT 5 features with real clients', () => {
  test(
    'mosquitto_pub -D publish properties reach mosquitto_sub -V 5 unchanged',
    { timeout: 20000 },
    async () => {
      const topic = `${uniquePrefix('mosq5-props')}/x`;
      const sub = await mosquittoSub(['-t', topic, '-C', '1', '-W', '5', '-F', '%t|%p|%C|%F|%R|%P|%E\\n']);
      await mosquittoPub([
        '-t',
        topic,
        '-m',
        'hello',
        '-q',
        '1',
        ...['-D', 'publish', 'user-property', 'k', 'v'],
        ...['-D', 'publish', 'content-type', 'text/plain'],
        ...['-D', 'publish', 'payload-format-indicator', '1'],
        ...['-D', 'publish', 'response-topic', 'reply/here'],
        ...['-D', 'publish', 'message-expiry-interval', '60'],
      ]);
      const exit = await sub.exit;
      assert.equal(exit.code, 0, describeExit('mosquitto_sub', exit));
      const [line] = printed(exit.stdout);
      const fields = line?.split('|') ?? [];
      assert.deepEqual(fields.slice(0, 6), [topic, 'hello', 'text/plain', '1', 'reply/here', 'k:v']);
      assert.ok(Number(fields[6]) > 0 && Number(fields[6]) <= 60, `message expiry ${fields[6]}`);
    },
  );

  test(
    'two mosquitto_sub on one $share group split the messages between them',
    { timeout: 20000 },
    async () => {
      const prefix = uniquePrefix('mosq5-share');
      const args = ['-t', `$share/workers/${prefix}/#`, '-C', '2', '-W', '5', '-F', '%p\\n'];
      const first = await mosquittoSub(args);
      const second = await mosquittoSub(args);
      for (let i = 1; i <= 4; i++) await mosquittoPub(['-t', `${prefix}/job`, '-m', `job${i}`, '-q', '1']);
      const got = [...printed((await first.exit).stdout), ...printed((await second.exit).stdout)];
      assert.deepEqual(got.sort(), ['job1', 'job2', 'job3', 'job4']);
    },
  );

  test(
    'MQTT.js: topic aliases both ways, and the subscriber sees full topic names',
    { timeout: 20000 },
    async () => {
      const topic = `${uniquePrefix('mqttjs5-alias')}/t`;
      const sub = await connect({ properties: { topicAliasMaximum: 3 } });
      const pub = await connect({});
      try {
        const got: { topic: string; payload: string }[] = [];
        const done = new Promise<void>((ok) =>
          sub.on('message', (t, payload) => {
            got.push({ topic: t, payload: payload.toString() });
            if (got.length === 3) ok();
          }),
        );
        await sub.subscribeAsync(topic, { qos: 1 });
        await pub.publishAsync(topic, 'one', { qos: 1, properties: { topicAlias: 2 } });
        await pub.publishAsync('', 'two', { qos: 1, properties: { topicAlias: 2 } });
        await pub.publishAsync(topic, 'three', { qos: 1 });
        await done;
        assert.deepEqual(
          got,
          ['one', 'two', 'three'].map((payload) => ({ topic, payload })),
        );
      } finally {
        sub.end(true);
        pub.end(true);
      }
    },
  );

  test('MQTT.js: a shared subscription delivers each message to one member', { timeout: 20000 }, async () => {
    const prefix = uniquePrefix('mqttjs5-share');
    const members = [await connect({}), await connect({})];
    const pub = await connect({});
    try {
      const got: string[][] = [[], []];
      const all = new Promise<void>((ok) => {
        members.forEach((member, i) =>
          member.on('message', (_t, payload) => {
            got[i]?.push(payload.toString());
            if ((got[0]?.length ?? 0) + (got[1]?.length ?? 0) === 4) ok();
          }),
        );
      });
      for (const member of members) await member.subscribeAsync(`$share/g/${prefix}/+`, { qos: 1 });
      for (let i = 1; i <= 4; i++) await pub.publishAsync(`${prefix}/x`, `m${i}`, { qos: 1 });
      await all;
      assert.deepEqual([...(got[0] ?? []), ...(got[1] ?? [])].sort(), ['m1', 'm2', 'm3', 'm4']);
      assert.deepEqual([got[0]?.length, got[1]?.length], [2, 2], 'round-robin');
    } finally {
      for (const client of [...members, pub]) client.end(true);
    }
  });

  test(
    'Python paho (MQTTv5): user properties and a subscription identifier arrive',
    { timeout: 20000 },
    async () => {
      const topic = `${uniquePrefix('paho5')}/t`;
      const script = `
import json, sys, threading
import paho.mqtt.client as mqtt
from paho.mqtt.properties import Properties
from paho.mqtt.packettypes import PacketTypes
port, topic = int(sys.argv[1]), sys.argv[2]
done = threading.Event()
c = mqtt.Client(client_id="paho5-" + topic.replace("/", "-"), protocol=mqtt.MQTTv5)
def on_connect(client, userdata, flags, rc, props=None):
    sp = Properties(PacketTypes.SUBSCRIBE); sp.SubscriptionIdentifier = 42
    client.subscribe(topic, options=mqtt.SubscribeOptions(qos=1), properties=sp)
def on_subscribe(client, userdata, mid, granted, props=None):
    pp = Properties(PacketTypes.PUBLISH); pp.UserProperty = [("a", "1"), ("b", "2")]
    client.publish(topic, b"from paho", qos=1, properties=pp)
def on_message(client, userdata, msg):
    p = msg.properties
    print(json.dumps({"payload": msg.payload.decode(), "user": p.UserProperty, "ids": p.SubscriptionIdentifier}))
    done.set()
c.on_connect, c.on_subscribe, c.on_message = on_connect, on_subscribe, on_message
c.connect("127.0.0.1", port, clean_start=True)
c.loop_start()
ok = done.wait(5)
c.disconnect(); c.loop_stop()
sys.exit(0 if ok else 3)
`;
      const exit = await runProcess(PYTHON, ['-c', script, String(midge.port), topic], {
        timeoutMs: TIMEOUT_MS,
      });
      assert.equal(exit.code, 0, describeExit('paho MQTTv5', exit));
      assert.deepEqual(JSON.parse(exit.stdout.trim()), {
        payload: 'from paho',
        user: [
          ['a', '1'],
          ['b', '2'],
        ],
        ids: [42],
      });
    },
  );
});
