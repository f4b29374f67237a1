// Webhooks received by a local HTTP server: events with their fields, the topic filter, the HMAC-SHA256
// signature, and a retry after the receiver answered 500.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import { closeClient, connectClient, subscribe } from '../helpers/mqttjs.js';
import { sleep } from '../interop/support.js';

interface Received {
  event: string;
  id: string;
  body: Record<string, unknown>;
  signatureOk: boolean;
}

const SECRET = 'webhook-secret';
let started: StartedBroker;
let server: Server;
const received: Received[] = [];
/** Delivery ids the receiver refuses once with 500. */
const failOnce = new Set<string>();
const failed = new Set<string>();

before(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      const timestamp = String(request.headers['x-midge-timestamp']);
      const expected = `sha256=${createHmac('sha256', SECRET).update(`${timestamp}.${text}`).digest('hex')}`;
      const body = JSON.parse(text) as Record<string, unknown>;
      const id = String(request.headers['x-midge-delivery']);
      received.push({
        event: String(request.headers['x-midge-event']),
        id,
        body,
        signatureOk: request.headers['x-midge-signature'] === expected,
      });
      const message = body.message as { topic?: string } | undefined;
      if (message?.topic === 'hook/fail' && !failed.has(id)) {
        failed.add(id);
        failOnce.add(id);
        response.writeHead(500).end();
        return;
      }
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  started = await startBroker({
    allowAnonymous: true,
    webhooks: [{ url, secret: SECRET, events: [], topics: ['hook/#'] }],
  });
});

after(async () => {
  await started.stop();
  server.close();
});

async function until(predicate: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 8000;
  while (!predicate()) {
    if (Date.now() > deadline)
      throw new Error(`timed out waiting for ${what}: ${JSON.stringify(received.map((r) => r.event))}`);
    await sleep(25);
  }
}

test('client connected, subscribed, message published (filtered by topic), disconnected: signed and in order', async () => {
  const { client } = await connectClient(started.port, { clientId: 'hook-client', username: 'u1' });
  await subscribe(client, 'hook/a');
  await client.publishAsync('hook/a', 'payload', { qos: 1 });
  await client.publishAsync('other/topic', 'not sent', { qos: 1 });
  await closeClient(client);
  await until(() => received.some((r) => r.event === 'client_disconnected'), 'client_disconnected');
  const mine = received.filter((r) => JSON.stringify(r.body).includes('hook-client'));
  assert.deepEqual(
    mine.map((r) => r.event),
    ['client_connected', 'subscribed', 'message_published', 'message_delivered', 'client_disconnected'],
  );
  assert.ok(mine.every((r) => r.signatureOk));
  const published = mine[2]?.body as { message: { topic: string; payload: string }; delivered: number };
  assert.equal(published.message.topic, 'hook/a');
  assert.equal(Buffer.from(published.message.payload, 'base64').toString(), 'payload');
  assert.equal(published.delivered, 1);
  assert.equal((mine[0]?.body.client as { username: string }).username, 'u1');
  assert.equal(typeof mine[4]?.body.reason, 'string');
  assert.ok(!received.some((r) => JSON.stringify(r.body).includes('other/topic')));
});

test('a delivery answered with 500 is retried with the same delivery id until it succeeds', async () => {
  const { client } = await connectClient(started.port, { clientId: 'hook-retry' });
  await client.publishAsync('hook/fail', 'x', { qos: 1 });
  await until(() => failOnce.size > 0, 'the failing delivery');
  const [id] = [...failOnce];
  await until(() => received.filter((r) => r.id === id).length === 2, 'the retry');
  const attempts = received.filter((r) => r.id === id);
  assert.equal(attempts[0]?.event, 'message_published');
  assert.deepEqual(attempts[1]?.body, attempts[0]?.body);
  await closeClient(client);
  const { text } = await started.broker.control.metrics();
  assert.match(text, /^midge_webhook_failures_total\{reason="retry"\} [1-9]/m);
});
