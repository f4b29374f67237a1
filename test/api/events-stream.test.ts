// GET /api/v1/events read by real HTTP clients: filtered server-sent events, a slow reader disconnected
// while the broker carries on; and the paged client and subscription lists.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import { closeClient, connectClient, subscribe, type TestClient } from '../helpers/mqttjs.js';
import { sleep } from '../interop/support.js';
import { startInProcessApi, type InProcessApi } from './in-process.js';

let midge: InProcessApi;
const call: InProcessApi['call'] = (...args) => midge.call(...args);

before(async () => {
  midge = await startInProcessApi();
});

after(() => midge.stop());

interface SseEvent {
  event: string;
  id: string;
  data: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- event JSON
}

/** An SSE reader over node:http: parses `id:`, `event:`, `data:` blocks as they arrive. */
class SseReader {
  readonly events: SseEvent[] = [];
  #buffer = '';
  constructor(readonly response: IncomingMessage) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let end: number;
      while ((end = this.#buffer.indexOf('\n\n')) >= 0) {
        const block = this.#buffer.slice(0, end);
        this.#buffer = this.#buffer.slice(end + 2);
        const fields = new Map(
          block
            .split('\n')
            .filter((l) => !l.startsWith(':'))
            .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)] as const),
        );
        if (fields.has('data')) {
          this.events.push({
            event: fields.get('event') ?? '',
            id: fields.get('id') ?? '',
            data: JSON.parse(fields.get('data') as string),
          });
        }
      }
    });
  }

  async waitFor(predicate: (e: SseEvent) => boolean, what: string): Promise<SseEvent> {
    const deadline = Date.now() + 8000;
    for (;;) {
      const found = this.events.find(predicate);
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(`no ${what}: ${JSON.stringify(this.events.map((e) => e.event))}`);
      await sleep(20);
    }
  }
}

function open(query: string, key = midge.adminKey): Promise<IncomingMessage> {
  return new Promise((ok, fail) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: midge.api.port,
        path: `/api/v1/events${query}`,
        headers: { authorization: `Bearer ${key}` },
      },
      ok,
    );
    req.on('error', fail);
    req.end();
  });
}

test('the event stream sends the selected events only, as text/event-stream with ids', async () => {
  const response = await open('?events=client_connected,message_published&topic=sse/%23&clientId=sse-pub');
  assert.equal(response.statusCode, 200);
  assert.match(String(response.headers['content-type']), /^text\/event-stream/);
  const reader = new SseReader(response);
  const other = await connectClient(midge.started.port, { clientId: 'sse-other' });
  const pub = await connectClient(midge.started.port, { clientId: 'sse-pub' });
  await other.client.publishAsync('sse/a', 'from other', { qos: 1 });
  await pub.client.publishAsync('elsewhere', 'not selected', { qos: 1 });
  await subscribe(pub.client, 'sse/#');
  await pub.client.publishAsync('sse/a', 'selected', { qos: 1 });
  const published = await reader.waitFor((e) => e.event === 'message_published', 'message_published');
  assert.equal(published.data.message.topic, 'sse/a');
  assert.equal(Buffer.from(published.data.message.payload, 'base64').toString(), 'selected');
  await closeClient(pub.client);
  await closeClient(other.client);
  await sleep(100);
  // Only sse-pub's connect and its one sse/ publish: not sse-other, not the unselected events or topic.
  assert.deepEqual(
    reader.events.map((e) => [e.event, e.data.client.clientId]),
    [
      ['client_connected', 'sse-pub'],
      ['message_published', 'sse-pub'],
    ],
  );
  assert.deepEqual(
    reader.events.map((e) => e.id),
    ['1', '2'],
  );
  response.destroy();
});

test('the event stream needs a superuser and known event names', async () => {
  assert.equal((await open('', midge.userKey)).statusCode, 403);
  const bad = await open('?events=nope');
  assert.equal(bad.statusCode, 400);
  bad.resume();
});

test('a reader that stops reading is disconnected once its buffer is full; the broker carries on', async () => {
  const socket = connect(midge.api.port, '127.0.0.1');
  await new Promise((ok) => socket.once('connect', ok));
  const closed = new Promise((ok) => socket.once('close', ok));
  socket.write(
    `GET /api/v1/events?events=message_published HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${midge.adminKey}\r\n\r\n`,
  );
  // Read the response head, then stop reading: the kernel buffers fill, then the server's stream buffer.
  await new Promise((ok) => socket.once('data', ok));
  socket.pause();
  const payload = 'x'.repeat(48 * 1024);
  const messages = Array.from({ length: 100 }, () => ({ topic: 'slow/x', payload, qos: 0 }));
  let batches = 0;
  let ended = false;
  void closed.then(() => (ended = true));
  // Loopback socket buffers hold several MiB: publish until the server gives up on the reader (bounded).
  while (!ended && batches < 60) {
    const reply = await call('POST', '/api/v1/publish/batch', { messages });
    assert.equal(reply.status, 200);
    batches++;
    // Let the stream's writes and the socket's close run.
    await sleep(10);
  }
  assert.ok(ended, `the server still held the slow reader after ${batches} batches`);
  assert.equal((await call('GET', '/api/v1/clients')).status, 200);
});

test('client and subscription lists are paged with limit and offset and say the total', async () => {
  const clients: TestClient[] = [];
  for (const id of ['page-c', 'page-a', 'page-b']) {
    const c = await connectClient(midge.started.port, { clientId: id });
    await subscribe(c.client, `page/${id}/1`);
    await subscribe(c.client, `page/${id}/2`);
    clients.push(c);
  }
  const first = await call('GET', '/api/v1/clients?clientId=page-&limit=2');
  assert.deepEqual(
    first.body.clients.map((c: { clientId: string }) => c.clientId),
    ['page-a', 'page-b'],
  );
  assert.deepEqual([first.body.total, first.body.offset, first.body.limit], [3, 0, 2]);
  const second = await call('GET', '/api/v1/clients?clientId=page-&limit=2&offset=2');
  assert.deepEqual(
    second.body.clients.map((c: { clientId: string }) => c.clientId),
    ['page-c'],
  );
  const subs = await call('GET', '/api/v1/subscriptions?clientId=page-b&limit=1&offset=1');
  assert.deepEqual(
    subs.body.subscriptions.map((s: { topicFilter: string }) => s.topicFilter),
    ['page/page-b/2'],
  );
  assert.equal(subs.body.total, 2);
  assert.equal((await call('GET', '/api/v1/clients?limit=0')).status, 400);
  for (const c of clients) await closeClient(c.client);
});
