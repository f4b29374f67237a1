// The deployment end to end, as it runs in production: the seed table in a real PostgreSQL server,
// Midge (the CLI) configured exactly like mosquitto-auth-plug with auth_opt_* lines, a browser (headless
// Chromium, MQTT.js's browser bundle) logged in as `client` over WebSocket and a TCP backend (MQTT.js in
// Node) logged in as `server`. Every allowed and refused case of the table, wildcard leak attempts and SQL
// injection from the browser, and PostgreSQL stopped and started again while both are connected.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MqttClient } from 'mqtt';
import type { Page } from 'playwright-core';
import { seedPostgres, seeded } from '../helpers/auth-seed.js';
import { startPostgres, type DatabaseService } from '../helpers/db-services.js';
import { freePort, startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { login, nextMessage, subscribeCode } from '../helpers/mqtt-login.js';
import { launchChromium, waitForHttp, type Browser } from './chromium.js';
import { connect, openPage, publish, received, subscribe, writeWebRoot } from './page-api.js';

const WAIT_MS = 10_000;
const CLIENT = { username: 'client', password: '123456' };
const SERVER = { username: 'server', password: 's3rv3r-secret' };
const ADMIN = { username: 'admin', password: 'admin-secret' };

let dir: string;
let db: DatabaseService;
let midge: MidgeProcess;
let browser: Browser;
let wsPort: number;
const tcpClients: MqttClient[] = [];
let pageCount = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'midge-auth-e2e-'));
  const www = writeWebRoot(dir);
  db = await seeded(await startPostgres(), seedPostgres);
  wsPort = await freePort();
  midge = await startMidge({
    conf: [
      `listener ${wsPort} 127.0.0.1`,
      'protocol websockets',
      `http_dir ${www}`,
      'allow_anonymous false',
      'auth_plugin /usr/lib/mosquitto-auth-plug/auth-plug.so',
      'auth_opt_backends postgres',
      `auth_opt_host ${db.host}`,
      `auth_opt_port ${db.port}`,
      'auth_opt_dbname mqtt',
      `auth_opt_user ${db.user}`,
      'auth_opt_userquery SELECT password FROM users WHERE username = $1 LIMIT 1',
      'auth_opt_superquery SELECT COUNT(*) FROM users WHERE username = $1 AND superuser = 1',
      'auth_opt_aclquery SELECT topic FROM acls WHERE (username = $1) AND rw >= $2',
    ].join('\n'),
  });
  await waitForHttp(`http://127.0.0.1:${wsPort}/`);
  browser = await launchChromium();
});

after(async () => {
  for (const client of tcpClients) client.end(true);
  await browser?.close();
  await midge?.stop();
  await db?.destroy();
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** A fresh MQTT.js page in Chromium, not yet connected. */
const newPage = (): Promise<Page> => openPage(browser, 'mqttjs', `http://127.0.0.1:${wsPort}`, WAIT_MS);

/** Connects the page over WebSocket as `who`; resolves 'connected' or rejects with the CONNACK code. */
const browserLogin = (page: Page, who: { username: string; password: string }, version: 4 | 5 = 4) =>
  connect(page, {
    host: '127.0.0.1',
    port: wsPort,
    path: '/mqtt',
    clientId: `browser-${who.username.replace(/\W/g, '')}-${++pageCount}`,
    username: who.username,
    password: who.password,
    protocolVersion: version,
  });

async function browserAs(who: { username: string; password: string }, version: 4 | 5 = 4): Promise<Page> {
  const page = await newPage();
  assert.equal(await browserLogin(page, who, version), 'connected');
  return page;
}

async function tcpAs(who: { username: string; password: string }): Promise<MqttClient> {
  const result = await login(midge.port, who.username, who.password);
  assert.equal(result.code, 0, `${who.username} should be accepted over TCP`);
  tcpClients.push(result.client as MqttClient);
  return result.client as MqttClient;
}

const topicsOf = async (page: Page, count: number): Promise<string[]> =>
  (await received(page, count)).map((m) => `${m.topic} ${m.payload}`);

test('browser as client subscribes to /p/client/download and receives the backend’s QoS 2 message', async () => {
  const page = await browserAs(CLIENT);
  try {
    const server = await tcpAs(SERVER);
    assert.equal(await subscribe(page, '/p/client/download', 2), 2, 'subscribe is read for rw 1: allowed');
    await server.publishAsync('/p/client/download', 'command for the browser', { qos: 2 });
    assert.deepEqual(await received(page, 1), [
      { topic: '/p/client/download', payload: 'command for the browser', qos: 2 },
    ]);
  } finally {
    await page.close();
  }
});

test('browser as client publishes to /p/client/upload at QoS 0, 1 and 2; the backend receives each', async () => {
  const page = await browserAs(CLIENT);
  try {
    const server = await tcpAs(SERVER);
    assert.equal(await subscribeCode(server, '/p/client/upload', 2), 2);
    for (const qos of [0, 1, 2]) {
      const arrived = nextMessage(server, '/p/client/upload', WAIT_MS);
      assert.equal(await publish(page, '/p/client/upload', `upload at qos ${qos}`, qos), 0);
      assert.equal(await arrived, `upload at qos ${qos}`);
    }
  } finally {
    await page.close();
  }
});

test('browser as client publishing to /p/client/download: acknowledged and dropped (3.1.1), 0x87 (5.0)', async () => {
  const v4 = await browserAs(CLIENT);
  const v5 = await browserAs(CLIENT, 5);
  try {
    const server = await tcpAs(SERVER);
    assert.equal(await subscribeCode(server, '/p/client/download', 1), 1);
    const forged = nextMessage(server, '/p/client/download', 2000);
    assert.equal(await publish(v4, '/p/client/download', 'forged by 3.1.1', 1), 0, 'PUBACK, as mosquitto');
    assert.equal(await publish(v5, '/p/client/download', 'forged by 5.0', 1), 0x87);
    // A message the server may send proves the subscription works while the forged ones never came.
    await server.publishAsync('/p/client/download', 'genuine', { qos: 1 });
    assert.equal(await forged, 'genuine');
  } finally {
    await v4.close();
    await v5.close();
  }
});

test('browser: wrong password, unknown user and SQL injection in the username are refused with CONNACK 4', async () => {
  const attempts = [
    { username: 'client', password: 'wrong' },
    { username: 'nobody', password: '123456' },
    { username: "client' OR '1'='1", password: '123456' },
    { username: "client'; DROP TABLE users; --", password: '123456' },
    { username: "' OR 1=1 --", password: "' OR '1'='1" },
  ];
  for (const attempt of attempts) {
    const page = await newPage();
    try {
      await assert.rejects(browserLogin(page, attempt), /\(code 4\)/, `${attempt.username} is refused`);
    } finally {
      await page.close();
    }
  }
  // The table is intact: client still logs in.
  await (await browserAs(CLIENT)).close();
});

test('browser: subscriptions no ACL row can reach are refused (0x80); # and /p/# are granted but leak nothing', async () => {
  const page = await browserAs(CLIENT);
  try {
    assert.equal(await subscribe(page, '/p/server/#', 1), 0x80);
    assert.equal(await subscribe(page, "/p/client/download' OR '1'='1", 1), 0x80, 'SQL in a filter');
    for (const filter of ['#', '/p/#', '/p/+/download', '/p/+/+']) {
      assert.equal(await subscribe(page, filter, 1), 1, `${filter}: a rule could grant part of it`);
    }
    const admin = await tcpAs(ADMIN);
    for (const topic of ['/p/other/download', '/p/server/secret', '/p/client/private', 'elsewhere']) {
      await admin.publishAsync(topic, 'not for client', { qos: 1 });
    }
    // Published after the others by the same client: once it arrives, anything leaked would have too.
    await admin.publishAsync('/p/client/download', 'for client', { qos: 1 });
    const got = await topicsOf(page, 1);
    assert.ok(got.length >= 1, 'the allowed message arrived');
    for (const message of got) assert.equal(message, '/p/client/download for client');
  } finally {
    await page.close();
  }
});

test('browser: SQL injection in a PUBLISH topic is refused and reaches no subscriber', async () => {
  const page = await browserAs(CLIENT, 5);
  try {
    const admin = await tcpAs(ADMIN);
    assert.equal(await subscribeCode(admin, '#', 1), 1);
    const seen: string[] = [];
    admin.on('message', (topic) => seen.push(topic));
    for (const topic of [
      "/p/client/upload' OR '1'='1",
      "/p/client/upload'; DELETE FROM acls; --",
      '/p/client/upload/../download',
    ]) {
      assert.equal(await publish(page, topic, 'injected', 1), 0x87, topic);
    }
    const marker = nextMessage(admin, '/p/client/upload', WAIT_MS);
    assert.equal(await publish(page, '/p/client/upload', 'genuine', 1), 0);
    assert.equal(await marker, 'genuine');
    assert.deepEqual(seen, ['/p/client/upload']);
  } finally {
    await page.close();
  }
});

test('PostgreSQL stops: new logins get CONNACK 3 (server unavailable), the broker runs on; it starts: logins work', async () => {
  const connected = await browserAs(CLIENT);
  const server = await tcpAs(SERVER);
  try {
    assert.equal(await subscribe(connected, '/p/client/download', 2), 2);
    await db.stop();

    const refused = await newPage();
    try {
      await assert.rejects(
        browserLogin(refused, CLIENT),
        /\(code 3\)/,
        'browser login while the database is down',
      );
    } finally {
      await refused.close();
    }
    assert.equal((await login(midge.port, SERVER.username, SERVER.password)).code, 3, 'TCP login too');
    // Connected clients keep the last known rules: the backend's command still reaches the browser.
    await server.publishAsync('/p/client/download', 'while the database is down', { qos: 2 });
    assert.deepEqual(await topicsOf(connected, 1), ['/p/client/download while the database is down']);

    await db.start();
    const page = await browserAs(CLIENT);
    try {
      const fresh = await tcpAs(SERVER);
      assert.equal(await subscribe(page, '/p/client/download', 2), 2);
      await fresh.publishAsync('/p/client/download', 'after the restart', { qos: 2 });
      assert.deepEqual(await topicsOf(page, 1), ['/p/client/download after the restart']);
      assert.equal(
        (await login(midge.port, CLIENT.username, 'wrong')).code,
        4,
        'and refuses wrong passwords',
      );
    } finally {
      await page.close();
    }
  } finally {
    await connected.close();
  }
});
