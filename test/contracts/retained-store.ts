// The RetainedStore contract: every backend runs it (test/contracts/<backend>.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { message, withStorage, type StorageHarness } from './harness.js';

const topics = (list: { topic: string }[]): string[] => list.map((m) => m.topic).sort();

export function retainedStoreContract(name: string, harness: () => StorageHarness): void {
  describe(`RetainedStore contract: ${name}`, () => {
    test('[MQTT-3.3.1-5] set stores, an exact filter finds it, a new message replaces it', () =>
      withStorage(harness, async (h, storage) => {
        storage.retained.set('a/b', message('a/b', 'one', { retain: true }));
        storage.retained.set('a/b', message('a/b', 'two', { retain: true }));
        await storage.flush();
        assert.equal(storage.retained.size, 1);
        assert.deepEqual(
          storage.retained.match('a/b').map((m) => m.payload.toString()),
          ['two'],
        );
        assert.deepEqual(storage.retained.match('a/c'), []);
        return storage;
      }));

    test('[MQTT-3.3.1-10][MQTT-3.3.1-11] null or an empty payload clears the topic', () =>
      withStorage(harness, async (h, storage) => {
        storage.retained.set('x', message('x', 'v'));
        storage.retained.set('y', message('y', 'v'));
        storage.retained.set('x', null);
        storage.retained.set('y', message('y', ''));
        await storage.flush();
        assert.equal(storage.retained.size, 0);
        assert.deepEqual(storage.retained.match('#'), []);
        return storage;
      }));

    test('[MQTT-4.7.2-1] wildcards match, but never topics starting with $', () =>
      withStorage(harness, async (h, storage) => {
        for (const topic of ['a/b', 'a/c/d', 'b', '$SYS/x', 'a'])
          storage.retained.set(topic, message(topic, topic));
        assert.deepEqual(topics(storage.retained.match('#')), ['a', 'a/b', 'a/c/d', 'b']);
        assert.deepEqual(topics(storage.retained.match('a/+')), ['a/b']);
        assert.deepEqual(topics(storage.retained.match('+/+/d')), ['a/c/d']);
        assert.deepEqual(topics(storage.retained.match('$SYS/#')), ['$SYS/x']);
        return storage;
      }));

    test('retained messages survive a restart with payload, QoS and properties', () =>
      withStorage(harness, async (h, storage) => {
        const correlationData = Buffer.from([0, 1, 2, 255]);
        storage.retained.set(
          't/1',
          message('t/1', 'kept', {
            qos: 2,
            retain: true,
            origin: 'pub',
            properties: { contentType: 'text/plain', correlationData, userProperties: [['k', 'v']] },
          }),
        );
        storage.retained.set('t/2', message('t/2', 'cleared'));
        storage.retained.set('t/2', null);
        await storage.flush();
        storage = await h.reopen(storage);
        const found = storage.retained.match('t/#');
        assert.equal(found.length, 1);
        const [kept] = found;
        assert.equal(kept?.payload.toString(), 'kept');
        assert.equal(kept?.qos, 2);
        assert.equal(kept?.retain, true);
        assert.equal(kept?.properties?.contentType, 'text/plain');
        assert.deepEqual(Buffer.from(kept?.properties?.correlationData ?? []), correlationData);
        assert.deepEqual(kept?.properties?.userProperties, [['k', 'v']]);
        return storage;
      }));

    test('[MQTT-3.3.2-5] a retained message whose expiry passed is not returned', () =>
      withStorage(harness, async (h, storage) => {
        const now = Date.now();
        storage.retained.set(
          'e/old',
          message('e/old', 'old', { receivedAt: now - 10_000, properties: { messageExpiryInterval: 5 } }),
        );
        storage.retained.set(
          'e/new',
          message('e/new', 'new', { receivedAt: now, properties: { messageExpiryInterval: 3600 } }),
        );
        assert.deepEqual(topics(storage.retained.match('e/#')), ['e/new']);
        await storage.flush();
        storage = await h.reopen(storage);
        assert.deepEqual(topics(storage.retained.match('e/#')), ['e/new']);
        assert.equal(storage.retained.size, 1);
        return storage;
      }));

    test('a stored payload owns its bytes: reusing the source buffer does not change it', () =>
      withStorage(harness, async (h, storage) => {
        const socketBuffer = Buffer.from('xxhelloxx');
        storage.retained.set('own', message('own', '', { payload: socketBuffer.subarray(2, 7) }));
        socketBuffer.fill(0);
        assert.equal(storage.retained.match('own')[0]?.payload.toString(), 'hello');
        return storage;
      }));
  });
}
