// compose.yaml's deployment without a container engine: PostgreSQL seeded with packaging/compose/init.sql as the
// postgres image's entrypoint would, and the built midge with packaging/compose/midge.conf (the database host and
// the listener ports moved to this machine's private ones). Clients use the WebSocket listener, as browsers do.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startPostgres, type DatabaseService } from '../helpers/db-services.js';
import { freePort, startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { closeClient, connectClient, subscribe } from '../helpers/mqttjs.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const read = (path: string): string => readFileSync(join(repoRoot, path), 'utf8');
let postgres: DatabaseService;
let midge: MidgeProcess;
let wsPort: number;

async function sql(database: string, user: string, text: string): Promise<void> {
  const client = new pg.Client({ host: postgres.host, port: postgres.port, user, database });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

before(
  async () => {
    postgres = await startPostgres();
    // What the postgres image does with POSTGRES_USER, POSTGRES_DB and /docker-entrypoint-initdb.d/init.sql.
    await sql('postgres', postgres.user, "CREATE ROLE mqtt LOGIN PASSWORD 'change-me'");
    await sql('postgres', postgres.user, 'CREATE DATABASE mqtt OWNER mqtt');
    await sql('mqtt', 'mqtt', read('packaging/compose/init.sql'));
    wsPort = await freePort();
    const apiPort = await freePort();
    // startMidge puts its own `listener PORT 127.0.0.1` first; the compose config follows with its listeners
    // on private ports and the database at this PostgreSQL.
    const conf = read('packaging/compose/midge.conf')
      .replace(/^listener 1883$/m, '')
      .replace(/^listener 9001$/m, `listener ${wsPort} 127.0.0.1`)
      .replace(/^listener 8080$/m, `listener ${apiPort} 127.0.0.1`)
      .replace(/^auth_opt_host postgres$/m, `auth_opt_host ${postgres.host}`)
      .replace(/^auth_opt_port 5432$/m, `auth_opt_port ${postgres.port}`)
      .replace(/^persistence .*$/m, '')
      .replace(/^persistence_location .*$/m, '');
    midge = await startMidge({ conf });
  },
  { timeout: 120_000 },
);

after(async () => {
  await midge?.stop();
  await postgres?.destroy();
});

const overWebSocket = (username: string, password: string) =>
  connectClient(wsPort, { protocol: 'ws', path: '/mqtt', username, password });

test('compose: over WebSocket, server publishes to /p/client/download and client, allowed to read it, receives', async () => {
  const client = await overWebSocket('client', 'client secret');
  const server = await overWebSocket('server', 'server secret');
  try {
    await subscribe(client.client, '/p/client/download', 1);
    await server.client.publishAsync('/p/client/download', 'hello', { qos: 1 });
    const [message] = await client.inbox.waitFor(1);
    assert.equal(message?.payload.toString(), 'hello');
    // client may only read /p/client/download: its own publish there is refused (MQTT 5 PUBACK 0x87) and dropped.
    await subscribe(server.client, '/p/client/download', 1);
    await assert.rejects(
      client.client.publishAsync('/p/client/download', 'forged', { qos: 1 }),
      /Not authorized/,
    );
    await server.client.publishAsync('/p/client/download', 'after', { qos: 1 });
    const received = await server.inbox.waitFor(1);
    assert.deepEqual(
      received.map((m) => m.payload.toString()),
      ['after'],
    );
  } finally {
    await closeClient(client.client);
    await closeClient(server.client);
  }
});

test('compose: a wrong password is refused (users come from PostgreSQL)', async () => {
  await assert.rejects(overWebSocket('client', 'wrong'));
});

test('compose.yaml mounts the config and init.sql it names, and its database password is the config one', () => {
  const compose = read('compose.yaml');
  assert.match(compose, /- \.\/packaging\/compose\/midge\.conf:\/etc\/midge\/midge\.conf:ro/);
  assert.match(compose, /- \.\/packaging\/compose\/init\.sql:\/docker-entrypoint-initdb\.d\/init\.sql:ro/);
  const composePassword = /POSTGRES_PASSWORD: (\S+)/.exec(compose)?.[1];
  const confPassword = /^auth_opt_pass (\S+)$/m.exec(read('packaging/compose/midge.conf'))?.[1];
  assert.ok(composePassword !== undefined && composePassword === confPassword);
  assert.match(compose, /POSTGRES_USER: mqtt/);
  assert.match(compose, /POSTGRES_DB: mqtt/);
});
