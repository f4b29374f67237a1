// The deployment end to end: the seed table in a real PostgreSQL server, configured exactly like
// mosquitto-auth-plug (auth_opt_* with its own queries), real MQTT.js clients over TCP. Every allowed and
// refused case of the table, wildcard leak attempts, SQL injection at CONNECT, and a database restart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { startPostgres, type DatabaseService } from '../helpers/db-services.js';
import { seedPostgres, seeded } from '../helpers/auth-seed.js';
import { login, nextMessage, subscribeCode } from '../helpers/mqtt-login.js';

let db: DatabaseService;
let broker: StartedBroker;
const open: MqttClient[] = [];

before(async () => {
  db = await seeded(await startPostgres(), seedPostgres);
  broker = await startBroker({
    allowAnonymous: false,
    authPlugin: '/usr/lib/mosquitto-auth-plug/auth-plug.so',
    authOptions: {
      backends: 'postgres',
      host: db.host,
      port: String(db.port),
      dbname: 'mqtt',
      user: db.user,
      userquery: 'SELECT password FROM users WHERE username = $1 LIMIT 1',
      superquery: 'SELECT COUNT(*) FROM users WHERE username = $1 AND superuser = 1',
      aclquery: 'SELECT topic FROM acls WHERE (username = $1) AND rw >= $2',
      acl_cacheseconds: '0',
    },
  });
});

after(async () => {
  for (const client of open) client.end(true);
  await broker?.stop();
  await db?.destroy();
});

async function as(username: string, password: string, version: 4 | 5 = 4): Promise<MqttClient> {
  const result = await login(broker.port, username, password, version);
  assert.equal(result.code, 0, `${username} should be accepted`);
  open.push(result.client as MqttClient);
  return result.client as MqttClient;
}

test('CONNECT: wrong password, unknown user and SQL injection are refused (3.1.1: 4, 5.0: 0x86)', async () => {
  assert.equal((await login(broker.port, 'client', 'wrong')).code, 4);
  assert.equal((await login(broker.port, 'nobody', '123456')).code, 4);
  assert.equal((await login(broker.port, "client' OR '1'='1", '123456')).code, 4);
  assert.equal((await login(broker.port, "' OR 1=1; --", 'x')).code, 4);
  assert.equal((await login(broker.port, 'client', 'wrong', 5)).code, 0x86);
});

test('seed table: server publishes QoS 2 to /p/client/download, client (subscribed) receives it', async () => {
  const client = await as('client', '123456');
  const server = await as('server', 's3rv3r-secret');
  assert.equal(await subscribeCode(client, '/p/client/download', 2), 2, 'subscribe is read: allowed');
  const received = nextMessage(client, '/p/client/download');
  await server.publishAsync('/p/client/download', 'from server', { qos: 2 });
  assert.equal(await received, 'from server');
});

test('seed table: client publishes to /p/client/upload, server receives it', async () => {
  const client = await as('client', '123456');
  const server = await as('server', 's3rv3r-secret');
  assert.equal(await subscribeCode(server, '/p/client/upload', 1), 1);
  const received = nextMessage(server, '/p/client/upload');
  await client.publishAsync('/p/client/upload', 'from client', { qos: 1 });
  assert.equal(await received, 'from client');
});

test('seed table: client may not publish to /p/client/download (3.1.1: acknowledged and dropped)', async () => {
  const client = await as('client', '123456');
  const server = await as('server', 's3rv3r-secret');
  assert.equal(await subscribeCode(server, '/p/client/download', 1), 1);
  const received = nextMessage(server, '/p/client/download', 1000);
  await client.publishAsync('/p/client/download', 'forged', { qos: 1 });
  assert.equal(await received, undefined);
});

test('seed table: MQTT 5 client publishing to /p/client/download gets PUBACK 0x87', async () => {
  const client = await as('client', '123456', 5);
  const reason = await client.publishAsync('/p/client/download', 'forged', { qos: 1 }).then(
    (packet) => (packet as { reasonCode?: number } | undefined)?.reasonCode ?? 0,
    (error: { code?: number }) => error.code ?? -1,
  );
  assert.equal(reason, 0x87);
});

test('subscribe: refused where no rule reaches (3.1.1: 0x80, 5.0: 0x87)', async () => {
  assert.equal(await subscribeCode(await as('client', '123456'), '/p/server/#'), 0x80);
  assert.equal(await subscribeCode(await as('client', '123456', 5), '/p/server/#'), 0x87);
});

test('wildcard leak attempt: client subscribed to # gets /p/client/download but nothing the ACL does not grant', async () => {
  const client = await as('client', '123456');
  const admin = await as('admin', 'admin-secret');
  assert.equal(await subscribeCode(client, '#', 0), 0, 'a rule could grant part of #');
  const secret = nextMessage(client, '/p/secret/plans', 1500);
  const allowed = nextMessage(client, '/p/client/download');
  await admin.publishAsync('/p/secret/plans', 'superuser only', { qos: 1 });
  await admin.publishAsync('/p/client/download', 'for client', { qos: 1 });
  assert.equal(await allowed, 'for client');
  assert.equal(await secret, undefined);
});

test('the database restarts: the broker keeps authenticating and authorizing after reconnecting', async () => {
  await db.stop();
  await db.start();
  const client = await as('client', '123456');
  const server = await as('server', 's3rv3r-secret');
  assert.equal(await subscribeCode(client, '/p/client/download', 2), 2);
  const received = nextMessage(client, '/p/client/download');
  await server.publishAsync('/p/client/download', 'after restart', { qos: 2 });
  assert.equal(await received, 'after restart');
});
