// A write the store cannot make: nothing is acknowledged, the publisher is disconnected (MQTT 5: 0x83), and
// the broker keeps refusing to acknowledge what needs storing. The failure is real: another connection to
// the database holds the write lock, so SQLite answers SQLITE_BUSY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { RawClient } from '../helpers/raw-client.js';
import { uid } from '../conformance/support.js';
import { startPersistent, subscribeOffline } from './support.js';
import { ReasonCode } from '../../src/protocol/reason-codes.js';

/** Takes the write lock once the broker's open group commit (if any) has committed. */
async function lock(db: Database.Database): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      db.exec('BEGIN EXCLUSIVE');
      return;
    } catch (error) {
      if ((error as { code?: string }).code !== 'SQLITE_BUSY' || attempt > 100) throw error;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }
}

test('[MQTT-4.8.0-2] a failed store write (a transient failure) is never acknowledged: the publisher is disconnected, later ones too', async () => {
  const broker = await startPersistent();
  // timeout 0: the broker runs in this process, so waiting for its lock here would stop it committing.
  const locker = new Database(broker.file, { timeout: 0 });
  try {
    const topic = uid('t');
    await subscribeOffline(broker.current.port, uid('sub'), topic, 1);
    await lock(locker);
    for (const attempt of [1, 2]) {
      const pub = await RawClient.connected(broker.current.port, uid('pub'), { version: 5 });
      pub.send({
        type: 'publish',
        topic,
        payload: Buffer.from(`m${attempt}`),
        qos: 1,
        retain: false,
        dup: false,
        packetId: 1,
      });
      const packets = await pub.expectClose(5000);
      assert.deepEqual(
        packets.map((p) => [p.type, 'reasonCode' in p ? p.reasonCode : undefined]),
        [['disconnect', ReasonCode.ImplementationSpecificError]],
        `attempt ${attempt}: no PUBACK, DISCONNECT 0x83`,
      );
      if (attempt === 1) locker.exec('ROLLBACK');
    }
  } finally {
    locker.close();
    await broker.dispose();
  }
});
