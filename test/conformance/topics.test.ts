// MQTT 3.1.1 section 4.7 Topic Names and Topic Filters, end to end: '+' and '#' semantics, topics beginning
// with '$', exact (unnormalized) comparison, lengths, and characters topic names may not hold.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { frame, text as hexText, u16, u8 } from '../fixtures/hex.js';
import {
  ClientPool,
  expectSettled,
  expectSilentClose,
  publish,
  receive,
  receiveAll,
  subscribe,
  text,
  uid,
} from './support.js';

const pool = new ClientPool();
let broker: StartedBroker;

interface MatchRow {
  rule: string;
  filter: string;
  matches: string[];
  misses: string[];
}

// Topics are used as they are: the tests of this file run one after the other, each with its own subscriber,
// and none of them publishes retained messages, so nothing of one row can reach another.
const rows: MatchRow[] = [
  {
    rule: '[MQTT-4.7.1-2]',
    filter: 'sport/tennis/player1/#',
    matches: ['sport/tennis/player1', 'sport/tennis/player1/ranking', 'sport/tennis/player1/score/wimbledon'],
    misses: [
      'sport/tennis/player2',
      'sport/tennis',
      'sport/tennis/player10',
      'sport/tennis/player1x/ranking',
    ],
  },
  {
    rule: '[MQTT-4.7.1-2]',
    filter: 'sport/#',
    matches: ['sport', 'sport/', 'sport/tennis', 'sport/tennis/player1'],
    misses: ['sports', 'Sport', '/sport'],
  },
  {
    rule: '[MQTT-4.7.1-2]',
    filter: '#',
    matches: ['sport', '/', '/finance', 'a/b/c', 'a//b'],
    misses: [],
  },
  {
    rule: '[MQTT-4.7.1-3]',
    filter: 'sport/tennis/+',
    matches: ['sport/tennis/player1', 'sport/tennis/player2', 'sport/tennis/'],
    misses: ['sport/tennis/player1/ranking', 'sport/tennis', 'sport/tenniss/player1'],
  },
  {
    rule: '[MQTT-4.7.1-3]',
    filter: 'sport/+',
    matches: ['sport/', 'sport/x'],
    misses: ['sport', 'sport/x/y'],
  },
  {
    rule: '[MQTT-4.7.1-3]',
    filter: '+/+',
    matches: ['/finance', 'a/b', '/'],
    misses: ['finance', 'a/b/c'],
  },
  {
    rule: '[MQTT-4.7.1-3]',
    filter: '/+',
    matches: ['/finance', '/'],
    misses: ['finance', 'a/finance', '/a/b'],
  },
  {
    rule: '[MQTT-4.7.1-3]',
    filter: '+',
    matches: ['finance', 'x'],
    misses: ['/finance', 'a/b', 'a/'],
  },
  {
    rule: '[MQTT-4.7.1-3]',
    filter: 'a/+/b',
    matches: ['a//b', 'a/x/b'],
    misses: ['a/b', 'a/x/y/b', 'a/x/b/c'],
  },
  {
    rule: '[MQTT-4.7.1-2][MQTT-4.7.1-3]',
    filter: '+/tennis/#',
    matches: ['sport/tennis', 'sport/tennis/player1', '/tennis'],
    misses: ['sport/badminton', 'tennis'],
  },
  {
    rule: '[MQTT-4.7.3-4]',
    filter: 'a//b',
    matches: ['a//b'],
    misses: ['a/b', 'a///b'],
  },
  {
    rule: '[MQTT-4.7.3-4]',
    filter: 'Accounts/café',
    matches: ['Accounts/café'],
    // Case differs; 'e' + U+0301 COMBINING ACUTE looks the same but is not normalized into U+00E9.
    misses: ['ACCOUNTS/café', 'accounts/café', 'Accounts/cafe\u0301', 'Accounts/cafe', 'Accounts/café '],
  },
  {
    rule: '[MQTT-4.7.2-1]',
    filter: '#',
    matches: ['not/dollar'],
    misses: ['$foo', '$foo/bar', '$SYS/x'],
  },
  {
    rule: '[MQTT-4.7.2-1]',
    filter: '+/monitor/Clients',
    matches: ['x/monitor/Clients'],
    misses: ['$SYS/monitor/Clients', '$foo/monitor/Clients'],
  },
  {
    rule: '[MQTT-4.7.2-1]',
    filter: '+/#',
    matches: ['x/y'],
    misses: ['$foo/y', '$foo'],
  },
  {
    rule: '[MQTT-4.7.2-1]',
    // Clients may not write $SYS (mosquitto refuses it, and so does Midge's admission): another $ tree.
    filter: '$app/monitor/+',
    matches: ['$app/monitor/Clients'],
    misses: ['$app/other/Clients'],
  },
  {
    rule: '[MQTT-4.7.2-1]',
    filter: '$foo/#',
    matches: ['$foo', '$foo/bar', '$foo/bar/baz'],
    misses: ['$food/bar', 'foo/bar'],
  },
];

describe('4.7 Topic Names and Topic Filters', () => {
  before(async () => {
    broker = await startBroker();
    pool.port = broker.port;
  });
  afterEach(() => pool.closeAll());
  after(() => broker.stop());

  for (const { rule, filter, matches, misses } of rows) {
    const title =
      `${rule} '${filter}' matches ${matches.map((t) => `'${t}'`).join(', ') || 'nothing here'}` +
      (misses.length > 0 ? `; not ${misses.map((t) => `'${t}'`).join(', ')}` : '');
    test(title, async () => {
      const sub = await pool.connect(uid('s'));
      assert.deepEqual(await subscribe(sub, filter, 1), [1]);
      const pub = await pool.connect(uid('p'));
      // The misses go first: one delivered by mistake would arrive ahead of the matches and be seen.
      for (const topic of [...misses, ...matches]) await publish(pub, topic, topic, { qos: 1 });
      const got = await receiveAll(sub, matches.length);
      assert.deepEqual(
        got.map((p) => [p.topic, text(p)]),
        matches.map((t) => [t, t]),
      );
      await expectSettled(sub);
    });
  }

  test("[MQTT-4.7.2-1] the broker's retained $SYS messages do not match '#' or '+/broker/version', but match '$SYS/broker/version'", async () => {
    const sub = await pool.connect(uid('s'));
    assert.deepEqual(await subscribe(sub, '#', 0), [0]);
    assert.deepEqual(await subscribe(sub, '+/broker/version', 0), [0]);
    await expectSettled(sub);
    assert.deepEqual(await subscribe(sub, '$SYS/broker/version', 0), [0]);
    const version = await receive(sub);
    assert.deepEqual([version.topic, version.retain], ['$SYS/broker/version', true]);
  });

  for (const [title, filter] of [
    ["'+' as the whole filter", '+'],
    ["'+' first", '+/a'],
    ["'+' last", 'a/+'],
    ["'+' in the middle", 'a/+/b'],
    ["'+' at every level", '+/+/+'],
    ["'+' and '#' together", '+/a/+/#'],
    ["'#' alone", '#'],
    ["'#' after a separator", 'a/#'],
    ["'#' after an empty level", '/#'],
  ]) {
    test(`[MQTT-4.7.1-2][MQTT-4.7.1-3] ${title} (${filter}) is a valid filter: granted`, async () => {
      const sub = await pool.connect(uid('s'));
      assert.deepEqual(await subscribe(sub, filter as string, 2), [2]);
    });
  }

  test('[MQTT-4.7.3-3] a Topic Name and a Topic Filter of 65535 bytes work end to end', async () => {
    const prefix = uid('t');
    const topic = prefix + '/' + 'x'.repeat(65535 - prefix.length - 1);
    assert.equal(Buffer.byteLength(topic), 65535);
    const sub = await pool.connect(uid('s'));
    assert.deepEqual(await subscribe(sub, topic, 1), [1]);
    const pub = await pool.connect(uid('p'));
    await publish(pub, topic, 'long', { qos: 1 });
    const packet = await receive(sub);
    assert.deepEqual([packet.topic === topic, text(packet)], [true, 'long']);
  });

  test('[MQTT-4.7.3-4][MQTT-1.5.3-3] a leading U+FEFF (BOM) is kept: it is part of the Topic Name', async () => {
    const name = uid('t');
    const sub = await pool.connect(uid('s'));
    await subscribe(sub, `\ufeff${name}`, 1);
    const pub = await pool.connect(uid('p'));
    await publish(pub, name, 'without bom', { qos: 1 });
    await publish(pub, `\ufeff${name}`, 'with bom', { qos: 1 });
    const packet = await receive(sub);
    assert.deepEqual([packet.topic, text(packet)], [`\ufeff${name}`, 'with bom']);
    await expectSettled(sub);
  });

  test('[MQTT-4.7.3-2][MQTT-1.5.3-2] a Topic Name holding U+0000 closes the connection', async () => {
    const pub = await pool.connect(uid('p'));
    pub.sendBytes(frame(0x30, u16(3), '610062', hexText('x')));
    await expectSilentClose(pub);
  });

  test('[MQTT-4.7.3-2][MQTT-1.5.3-2] a Topic Filter holding U+0000 closes the connection', async () => {
    const sub = await pool.connect(uid('s'));
    sub.sendBytes(frame(0x82, u16(1), u16(3), '610062', u8(0)));
    await expectSilentClose(sub);
  });

  test('[MQTT-1.5.3-1][MQTT-3.3.2-1] a Topic Name that is not valid UTF-8 closes the connection', async () => {
    const pub = await pool.connect(uid('p'));
    pub.sendBytes(frame(0x30, u16(3), '61ff62', hexText('x')));
    await expectSilentClose(pub);
  });
});
