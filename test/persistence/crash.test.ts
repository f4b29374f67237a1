// Crash tests with a real `midge` process (dist/cli/main.js, so `npm run build` first): publishers keep
// QoS 1 and QoS 2 messages flowing to offline persistent subscribers, to a persistent subscriber that stays
// online (reconnecting after each restart), and to retained topics while the broker is killed with SIGKILL
// at random moments, several rounds. Afterwards every message the publisher got PUBACK/PUBCOMP for must reach
// every subscriber's application: at least once for QoS 1, exactly once for QoS 2; and every acknowledged
// retained message must be there.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { Collector, WindowedPublisher } from './crash-clients.js';

const ROUNDS = 4;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function kill(midge: MidgeProcess): Promise<void> {
  const exited = new Promise((resolve) => midge.proc.once('exit', resolve));
  midge.proc.kill('SIGKILL');
  await exited;
  // stop() reports that the process had already exited; here that is the point. It also removes its temp dir.
  await midge.stop().catch(() => undefined);
}

/** Waits until `done` holds or `ms` passed. */
async function until(done: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done() && Date.now() < deadline) await sleep(50);
}

/** Waits until no message arrived for `quietMs` (at most `ms` in all). */
async function quiet(collectors: Collector[], quietMs: number, ms: number): Promise<void> {
  await until(() => collectors.every((c) => Date.now() - c.lastArrival > quietMs), ms);
}

for (const sync of ['full', 'normal'] as const) {
  test(
    `SIGKILL under load, ${ROUNDS} rounds (persistence_sync ${sync}): no acknowledged message is lost`,
    { timeout: 150_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'midge-crash-'));
      const conf = [
        'persistence true',
        `persistence_location ${join(dir, 'data')}`,
        `persistence_sync ${sync}`,
        'max_queued_messages 0',
      ].join('\n');
      let midge = await startMidge({ conf });
      try {
        const offline = [new Collector(`sub1-${sync}`), new Collector(`sub2-${sync}`)];
        for (const subscriber of offline) {
          await subscriber.connect(midge.port);
          await subscriber.subscribe('crash/#', 2);
          subscriber.disconnect();
        }
        // Receives while the broker dies: QoS 2 PUBLISH packets it saw must not come back under new ids.
        const online = new Collector(`online-${sync}`);
        await online.connect(midge.port);
        await online.subscribe('crash/#', 2);
        const subscribers = [...offline, online];
        const q1 = new WindowedPublisher(`q1-${sync}`, 1, (n) => `crash/q1/${n % 8}`, false, 64);
        const q2 = new WindowedPublisher(`q2-${sync}`, 2, (n) => `crash/q2/${n % 8}`, false, 64);
        const retained = new WindowedPublisher(`r-${sync}`, 1, (n) => `crash/r/${n}`, true, 32);
        const publishers = [q1, q2, retained];

        for (let round = 0; round < ROUNDS; round++) {
          await Promise.all(publishers.map((p) => p.run(midge.port)));
          await sleep(250 + Math.floor(Math.random() * 600));
          await kill(midge);
          midge = await startMidge({ conf });
          await online.connect(midge.port);
        }
        // The last broker stays up: publishers finish what they owe, then the subscribers collect.
        await Promise.all(publishers.map((p) => p.run(midge.port)));
        for (const p of publishers) p.stopPublishing();
        await until(() => publishers.every((p) => p.outstanding === 0), 20_000);
        for (const p of publishers) p.disconnect();

        for (const subscriber of offline) await subscriber.connect(midge.port);
        await quiet(subscribers, 1500, 60_000);
        const checker = new Collector(`check-${sync}`);
        await checker.connect(midge.port, true);
        await checker.subscribe('crash/r/#', 1);
        await quiet([checker], 1000, 20_000);

        const acknowledged = publishers.reduce((n, p) => n + p.acknowledged.size, 0);
        let delivered = 0;
        let lost = 0;
        let duplicatedQos2 = 0;
        for (const subscriber of subscribers) {
          for (const p of publishers) {
            for (const id of p.acknowledged) {
              const count = subscriber.counts.get(id) ?? 0;
              if (count === 0) lost++;
              else delivered++;
            }
          }
          for (const [id, count] of subscriber.counts)
            if (id.startsWith(q2.clientId) && count > 1) duplicatedQos2++;
        }
        const onlineDuplicates = [...online.counts].filter(
          ([id, count]) => id.startsWith(q2.clientId) && count > 1,
        ).length;
        const retainedLost = [...retained.acknowledged].filter((id) => !checker.counts.has(id)).length;
        console.log(
          `crash test (${sync}): ${ROUNDS} SIGKILL rounds; acknowledged ${acknowledged} ` +
            `(QoS 1 ${q1.acknowledged.size}, QoS 2 ${q2.acknowledged.size}, retained ${retained.acknowledged.size}); ` +
            `delivered ${delivered} of ${acknowledged * subscribers.length} to ${subscribers.length} subscribers; ` +
            `lost ${lost}; QoS 2 duplicates ${duplicatedQos2} (online subscriber ${onlineDuplicates}); retained lost ${retainedLost}`,
        );
        assert.ok(
          q1.acknowledged.size > 0 && q2.acknowledged.size > 0 && retained.acknowledged.size > 0,
          'load ran',
        );
        assert.equal(lost, 0, 'acknowledged messages lost');
        assert.equal(duplicatedQos2, 0, 'QoS 2 messages delivered more than once');
        assert.equal(retainedLost, 0, 'acknowledged retained messages lost');
        for (const c of [...subscribers, checker]) c.disconnect();
      } finally {
        await midge.stop().catch(() => undefined);
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
}
