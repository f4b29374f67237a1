// A database restart under a running broker, the same story for every networked auth backend: with the seed
// table loaded, `client` (subscribed to /p/client/download) and `server` are connected over TCP; the database
// stops; new logins are refused as "server unavailable" (3.1.1 CONNACK 3, 5.0 0x88) while connected clients
// go on under their last known rules; the database starts again and logins, ACL checks and wrong-password
// refusals work at once, without restarting the broker.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { MqttClient } from 'mqtt';
import { startBroker, type StartedBroker } from './broker.js';
import type { DatabaseService } from './db-services.js';
import { login, nextMessage, subscribeCode } from './mqtt-login.js';

export interface RestartSubject {
  title: string;
  /** A started, seeded service. */
  start(): Promise<DatabaseService>;
  /** auth_opt_* for that service. */
  authOptions(service: DatabaseService): Record<string, string>;
}

export function databaseRestartTest(subject: RestartSubject): void {
  let db: DatabaseService;
  let broker: StartedBroker;
  const open: MqttClient[] = [];

  before(async () => {
    db = await subject.start();
    broker = await startBroker({ allowAnonymous: false, authOptions: subject.authOptions(db) });
  });

  after(async () => {
    for (const client of open) client.end(true);
    await broker?.stop();
    await db?.destroy();
  });

  const as = async (username: string, password: string): Promise<MqttClient> => {
    const result = await login(broker.port, username, password);
    assert.equal(result.code, 0, `${username} should be accepted`);
    open.push(result.client as MqttClient);
    return result.client as MqttClient;
  };

  test(`${subject.title}: the database stops and starts again under a running broker`, async () => {
    const client = await as('client', '123456');
    const server = await as('server', 's3rv3r-secret');
    assert.equal(await subscribeCode(client, '/p/client/download', 2), 2);

    await db.stop();
    assert.equal((await login(broker.port, 'client', '123456')).code, 3, 'CONNACK 3: server unavailable');
    assert.equal((await login(broker.port, 'client', '123456', 5)).code, 0x88, 'MQTT 5: 0x88');
    const during = nextMessage(client, '/p/client/download');
    await server.publishAsync('/p/client/download', 'while the database is down', { qos: 2 });
    assert.equal(await during, 'while the database is down', 'connected clients keep their last known rules');
    assert.equal(await subscribeCode(client, '/p/server/#'), 0x80, 'and are still refused what those deny');

    await db.start();
    const again = await as('client', '123456');
    const serverAgain = await as('server', 's3rv3r-secret');
    assert.equal(
      (await login(broker.port, 'client', 'wrong')).code,
      4,
      'a wrong password is a refusal again',
    );
    assert.equal(await subscribeCode(again, '/p/client/download', 2), 2);
    const after = nextMessage(again, '/p/client/download');
    await serverAgain.publishAsync('/p/client/download', 'after the restart', { qos: 2 });
    assert.equal(await after, 'after the restart');
    // ACL rows come from the restarted database: client's write to download is still dropped.
    const next = nextMessage(again, '/p/client/download');
    await again.publishAsync('/p/client/download', 'forged', { qos: 1 });
    await serverAgain.publishAsync('/p/client/download', 'genuine', { qos: 1 });
    assert.equal(await next, 'genuine');
  });
}
