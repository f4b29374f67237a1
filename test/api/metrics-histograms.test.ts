// /metrics scraped and parsed with persistence on: store commit durations and sizes, and the sampled publish
// latency histogram (one client PUBLISH in 16, any QoS).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { closeClient, connectClient, subscribe } from '../helpers/mqttjs.js';
import { LATENCY_SAMPLE_EVERY } from '../../src/sys/stats.js';
import { startInProcessApi, type InProcessApi } from './in-process.js';
import { parseMetrics } from './support.js';

let midge: InProcessApi;

before(async () => {
  midge = await startInProcessApi({ persistence: true });
});

after(() => midge.stop());

async function scrape(): Promise<Map<string, number>> {
  const response = await fetch(`http://127.0.0.1:${midge.api.port}/metrics`, {
    headers: { authorization: `Bearer ${midge.adminKey}` },
  });
  assert.equal(response.status, 200);
  return parseMetrics(await response.text());
}

/** Buckets are cumulative, end with +Inf equal to the count. */
function assertHistogram(m: Map<string, number>, name: string): void {
  const buckets = [...m].filter(([key]) => key.startsWith(`${name}_bucket{`)).map(([, n]) => n);
  assert.ok(buckets.length > 2, name);
  for (let i = 1; i < buckets.length; i++) assert.ok((buckets[i] as number) >= (buckets[i - 1] as number));
  assert.equal(m.get(`${name}_bucket{le="+Inf"}`), m.get(`${name}_count`));
}

test('store commits are counted with their duration and number of writes', async () => {
  const options = { clientId: 'm-offline', clean: false, properties: { sessionExpiryInterval: 600 } };
  const away = await connectClient(midge.started.port, options);
  await subscribe(away.client, 'm/stored', 1);
  await closeClient(away.client);
  const before = await scrape();
  const pub = await connectClient(midge.started.port, { clientId: 'm-pub' });
  // A QoS 1 PUBACK for a message queued for an offline session goes out after the commit that holds it.
  for (let i = 0; i < 5; i++) await pub.client.publishAsync('m/stored', `stored ${i}`, { qos: 1 });
  const after = await scrape();
  assertHistogram(after, 'midge_store_commit_seconds');
  assertHistogram(after, 'midge_store_commit_writes');
  const commits =
    (after.get('midge_store_commit_seconds_count') ?? 0) -
    (before.get('midge_store_commit_seconds_count') ?? 0);
  assert.ok(commits >= 1, `${commits} commits`);
  const writes =
    (after.get('midge_store_commit_writes_sum') ?? 0) - (before.get('midge_store_commit_writes_sum') ?? 0);
  assert.ok(writes >= 5, `${writes} writes for 5 queued messages`);
  assert.equal(after.get('midge_store_commit_writes_count'), after.get('midge_store_commit_seconds_count'));
  assert.ok((after.get('midge_store_commit_seconds_sum') ?? 0) > 0);
  await closeClient(pub.client);
});

test('publish latency: one client PUBLISH in 16 is timed, QoS 0 included', async () => {
  const before = (await scrape()).get('midge_publish_latency_seconds_count') ?? 0;
  const sub = await connectClient(midge.started.port, { clientId: 'm-qos0' });
  await subscribe(sub.client, 'm/qos0', 0);
  const n = LATENCY_SAMPLE_EVERY * 4;
  for (let i = 0; i < n; i++) sub.client.publish('m/qos0', `q${i}`, { qos: 0 });
  await sub.inbox.waitFor(n);
  const m = await scrape();
  assertHistogram(m, 'midge_publish_latency_seconds');
  // The countdown runs across every client PUBLISH: n of them make exactly n / 16 samples.
  assert.equal((m.get('midge_publish_latency_seconds_count') ?? 0) - before, n / LATENCY_SAMPLE_EVERY);
  await closeClient(sub.client);
});
