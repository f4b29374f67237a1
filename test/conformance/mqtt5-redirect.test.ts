// MQTT 5.0 server redirection (section 4.11), configured with use_another_server / server_moved: CONNACK 0x9C or
// 0x9D with a Server Reference, then close. MQTT 3.1.1 has no redirection and gets 0x03 Server unavailable.
import { after, afterEach, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { parseMosquittoConf } from '../../src/config/mosquitto-conf.js';
import { ClientPool, connect5, uid } from './support.js';

const pool = new ClientPool();
const moved = new ClientPool();
let temporary: StartedBroker;
let permanent: StartedBroker;

describe('MQTT 5.0 server redirection', () => {
  before(async () => {
    temporary = await startBroker({ useAnotherServer: 'other.example:1884' });
    permanent = await startBroker({ serverMoved: 'new.example' });
    pool.port = temporary.port;
    moved.port = permanent.port;
  });
  afterEach(() => {
    pool.closeAll();
    moved.closeAll();
  });
  after(async () => {
    await temporary.stop();
    await permanent.stop();
  });

  test('(5.0) use_another_server: CONNACK 0x9C with the Server Reference, then close', async () => {
    const { client, connack } = await connect5(pool, uid());
    assert.equal(connack.reasonCode, 0x9c);
    assert.equal(connack.properties?.serverReference, 'other.example:1884');
    await client.expectClose();
  });

  test('(5.0) server_moved: CONNACK 0x9D with the Server Reference, then close', async () => {
    const { client, connack } = await connect5(moved, uid());
    assert.equal(connack.reasonCode, 0x9d);
    assert.equal(connack.properties?.serverReference, 'new.example');
    await client.expectClose();
  });

  test('an MQTT 3.1.1 client of a redirecting server gets CONNACK 0x03 Server unavailable', async () => {
    const client = await pool.open(4);
    client.send({
      type: 'connect',
      protocolName: 'MQTT',
      protocolVersion: 4,
      clean: true,
      keepalive: 60,
      clientId: uid(),
    });
    const connack = await client.expect('connack');
    assert.deepEqual([connack.reasonCode, connack.properties], [3, undefined]);
    await client.expectClose();
  });

  test('the directives come from mosquitto.conf syntax', () => {
    const config = parseMosquittoConf('use_another_server a.example:1883\nserver_moved b.example\n');
    assert.equal(config.useAnotherServer, 'a.example:1883');
    assert.equal(config.serverMoved, 'b.example');
  });
});
