// CONNACK, SUBACK and UNSUBACK of a persistent session are acknowledgements too: what they confirm (the
// session, a subscription, its removal) survives a SIGKILL of a real midge process sent the moment the
// client has them. Also: a session whose expiry changed when another connection took it over is stored
// with the new expiry.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { RawClient } from '../helpers/raw-client.js';
import { text } from '../conformance/support.js';
import { publishAcked } from './support.js';

interface Crashable {
  port(): number;
  /** SIGKILL now, then start again on the same data. */
  crash(): Promise<void>;
}

async function withMidge(run: (midge: Crashable) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'midge-acks-'));
  const conf = `persistence true\npersistence_location ${join(dir, 'data')}`;
  let midge: MidgeProcess = await startMidge({ conf });
  try {
    await run({
      port: () => midge.port,
      crash: async () => {
        const exited = new Promise((resolve) => midge.proc.once('exit', resolve));
        midge.proc.kill('SIGKILL');
        await exited;
        await midge.stop().catch(() => undefined);
        midge = await startMidge({ conf });
      },
    });
  } finally {
    await midge.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  }
}

/** CONNECT as MQTT 5 with a session expiry; resolves with the client and CONNACK's Session Present. */
async function connect5(
  port: number,
  clientId: string,
  clean: boolean,
  sessionExpiryInterval: number,
): Promise<{ client: RawClient; present: boolean }> {
  const client = await RawClient.open(port, 5);
  client.send({
    type: 'connect',
    protocolName: 'MQTT',
    protocolVersion: 5,
    clean,
    keepalive: 60,
    clientId,
    properties: { sessionExpiryInterval },
  });
  const connack = await client.expect('connack');
  assert.equal(connack.reasonCode, 0);
  return { client, present: connack.sessionPresent };
}

test('[MQTT-3.2.2-3] a new persistent session acknowledged by CONNACK survives SIGKILL right after it', async () => {
  await withMidge(async (midge) => {
    const first = await connect5(midge.port(), 'acks-connack', true, 600);
    assert.equal(first.present, false);
    await midge.crash();
    first.client.destroy();
    const again = await connect5(midge.port(), 'acks-connack', false, 600);
    assert.equal(again.present, true, 'the session came back');
    again.client.disconnect();
  });
});

test('[MQTT-3.8.4-1][MQTT-3.10.4-1] a subscription acknowledged by SUBACK, and its removal by UNSUBACK, survive SIGKILL right after them', async () => {
  await withMidge(async (midge) => {
    const sub = await RawClient.connected(midge.port(), 'acks-sub', { clean: false });
    sub.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'acks/#', qos: 1 }] });
    await sub.expect('suback');
    await midge.crash();
    sub.destroy();

    const again = await RawClient.connected(midge.port(), 'acks-sub', { clean: false });
    const pub = await RawClient.connected(midge.port(), 'acks-pub');
    await publishAcked(pub, 'acks/x', 'kept', 1, 1);
    const delivered = await again.expect('publish');
    assert.equal(text(delivered), 'kept', 'the subscription came back');
    again.send({ type: 'puback', packetId: delivered.packetId as number });
    again.send({ type: 'unsubscribe', packetId: 2, topicFilters: ['acks/#'] });
    await again.expect('unsuback');
    await midge.crash();
    again.destroy();
    pub.destroy();

    const third = await RawClient.connected(midge.port(), 'acks-sub', { clean: false });
    const pub2 = await RawClient.connected(midge.port(), 'acks-pub');
    await publishAcked(pub2, 'acks/x', 'not for you', 1, 1);
    await third.expectNothing(500);
    third.disconnect();
    pub2.disconnect();
  });
});

test('[MQTT-3.1.2-23] a takeover that gives the session an expiry (0 → 600) stores it', async () => {
  await withMidge(async (midge) => {
    const a = await connect5(midge.port(), 'acks-grow', false, 0);
    // [MQTT-3.1.4-2] the second connection takes over; the first session ended with its connection.
    const b = await connect5(midge.port(), 'acks-grow', false, 600);
    assert.equal(b.present, false);
    b.client.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'grow/#', qos: 1 }] });
    await b.client.expect('suback');
    await midge.crash();
    a.client.destroy();
    b.client.destroy();
    const again = await connect5(midge.port(), 'acks-grow', false, 600);
    assert.equal(again.present, true);
    const pub = await RawClient.connected(midge.port(), 'acks-pub');
    await publishAcked(pub, 'grow/x', 'grown', 1, 1);
    assert.equal(text(await again.client.expect('publish')), 'grown');
    again.client.disconnect();
    pub.disconnect();
  });
});

test('[MQTT-3.1.2-23] a takeover that sets the expiry to 0 ends the session with its connection, also when the broker dies', async () => {
  await withMidge(async (midge) => {
    const a = await connect5(midge.port(), 'acks-shrink', true, 600);
    a.client.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'shrink/#', qos: 1 }] });
    await a.client.expect('suback');
    const b = await connect5(midge.port(), 'acks-shrink', false, 0);
    assert.equal(b.present, true);
    await midge.crash();
    a.client.destroy();
    b.client.destroy();
    const again = await connect5(midge.port(), 'acks-shrink', false, 600);
    assert.equal(again.present, false, 'the session ended with the connection the broker took down');
    again.client.disconnect();
  });
});
