// Wills stored with persistent sessions, across a SIGKILL of a real midge process: the will of a client
// that was connected when the broker died goes out after the restart, and so does a will whose delay
// passed while the broker was down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMidge } from '../helpers/midge-process.js';
import { RawClient } from '../helpers/raw-client.js';
import { sleep, text } from '../conformance/support.js';
import { publishAcked, receive, subscribeOffline } from './support.js';

test(
  '[MQTT-3.1.2-8][MQTT-3.1.3-9] stored wills are published after a crash and restart',
  { timeout: 60_000 },
  async () => {
    const dir = await mkdtemp(join(tmpdir(), 'midge-will-'));
    const conf = `persistence true\npersistence_location ${join(dir, 'data')}`;
    let midge = await startMidge({ conf });
    try {
      await subscribeOffline(midge.port, 'will-watcher', 'will/#', 1);
      // Connected when the broker dies: its connection ends with the broker.
      const connected = await RawClient.connected(midge.port, 'will-connected', {
        clean: false,
        extra: { will: { topic: 'will/connected', payload: Buffer.from('gone'), qos: 1, retain: false } },
      });
      // MQTT 5 clean start with a session expiry and a will delay, connected when the broker dies: its will goes
      // out after the delay, counted from the restart (the connection ended with the broker).
      const delayedConnected = await RawClient.connected(midge.port, 'will-delayed-connected', {
        version: 5,
        clean: true,
        extra: {
          properties: { sessionExpiryInterval: 600 },
          will: {
            topic: 'will/delayed-connected',
            payload: Buffer.from('later'),
            qos: 1,
            retain: false,
            properties: { willDelayInterval: 1 },
          },
        },
      });
      // MQTT 5, will delay 1 s: its connection drops first, the broker dies while the will waits.
      const delayed = await RawClient.connected(midge.port, 'will-delayed', {
        version: 5,
        clean: true,
        extra: {
          properties: { sessionExpiryInterval: 600 },
          will: {
            topic: 'will/delayed',
            payload: Buffer.from('late'),
            qos: 1,
            retain: false,
            properties: { willDelayInterval: 1 },
          },
        },
      });
      delayed.destroy();
      await sleep(200);
      // Any acknowledged QoS 1 message means everything before it is committed.
      const barrier = await RawClient.connected(midge.port, 'barrier');
      await publishAcked(barrier, 'unrelated', 'x', 1, 1);

      const exited = new Promise((resolve) => midge.proc.once('exit', resolve));
      midge.proc.kill('SIGKILL');
      await exited;
      await midge.stop().catch(() => undefined);
      connected.destroy();
      delayedConnected.destroy();
      barrier.destroy();
      await sleep(1200);

      midge = await startMidge({ conf });
      const watcher = await RawClient.connected(midge.port, 'will-watcher', { clean: false });
      const wills = await receive(watcher, 3);
      assert.deepEqual(wills.map((p) => `${p.topic}=${text(p)}`).sort(), [
        'will/connected=gone',
        'will/delayed-connected=later',
        'will/delayed=late',
      ]);
      await watcher.expectNothing();
      watcher.disconnect();
    } finally {
      await midge.stop().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    }
  },
);
