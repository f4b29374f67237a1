// The SessionStore contract: every backend runs it (test/contracts/<backend>.test.ts).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StoredSession } from '../../src/store/types.js';
import type { SubscriptionOptions } from '../../src/router/types.js';
import { message, withStorage, type StorageHarness } from './harness.js';

const options = (qos: 0 | 1 | 2, subscriptionId?: number): SubscriptionOptions => ({
  qos,
  noLocal: false,
  retainAsPublished: true,
  retainHandling: 0,
  subscriptionId,
});

const byId = (sessions: StoredSession[], clientId: string): StoredSession => {
  const found = sessions.find((s) => s.clientId === clientId);
  assert.ok(found, `session ${clientId} was stored`);
  return found;
};

const payloads = (session: StoredSession): string[] =>
  session.outgoing.map((o) => o.message.payload.toString());

export function sessionStoreContract(name: string, harness: () => StorageHarness): void {
  describe(`SessionStore contract: ${name}`, () => {
    test('a session comes back with its expiry and its will (payload and properties intact)', () =>
      withStorage(harness, async (h, storage) => {
        const now = Date.now();
        const will = {
          topic: 'w',
          payload: Buffer.from([1, 2, 3]),
          qos: 1 as const,
          retain: true,
          properties: { willDelayInterval: 30, correlationData: Buffer.from('cd') },
        };
        storage.sessions.putSession('c1', {
          expiryInterval: 60,
          expiresAt: now + 60_000,
          will,
          willAt: now + 30_000,
        });
        storage.sessions.putSession('c2', { expiryInterval: 0xffffffff });
        await storage.flush();
        assert.equal(storage.pending, false);
        storage = await h.reopen(storage);
        const sessions = storage.sessions.load(now);
        assert.equal(sessions.length, 2);
        const c1 = byId(sessions, 'c1');
        assert.equal(c1.expiryInterval, 60);
        assert.equal(c1.expiresAt, now + 60_000);
        assert.equal(c1.willAt, now + 30_000);
        assert.equal(c1.will?.topic, 'w');
        assert.deepEqual(Buffer.from(c1.will?.payload ?? []), Buffer.from([1, 2, 3]));
        assert.equal(c1.will?.properties?.willDelayInterval, 30);
        assert.deepEqual(Buffer.from(c1.will?.properties?.correlationData ?? []), Buffer.from('cd'));
        const c2 = byId(sessions, 'c2');
        assert.equal(c2.expiresAt, undefined);
        assert.equal(c2.will, undefined);
        return storage;
      }));

    test('[MQTT-3.1.2-23] a session whose expiry passed is not loaded, and is gone for good', () =>
      withStorage(harness, async (h, storage) => {
        const now = Date.now();
        storage.sessions.putSession('old', { expiryInterval: 5, expiresAt: now - 1 });
        storage.sessions.putSubscription('old', 'a/#', options(1));
        storage.sessions.addOutgoing('old', { message: message('a/b', 'm'), qos: 1, retain: false });
        storage.sessions.putSession('live', { expiryInterval: 5, expiresAt: now + 5000 });
        await storage.flush();
        storage = await h.reopen(storage);
        assert.deepEqual(
          storage.sessions.load(now).map((s) => s.clientId),
          ['live'],
        );
        assert.deepEqual(
          storage.sessions.load(now - 10).map((s) => s.clientId),
          ['live'],
        );
        return storage;
      }));

    test('subscriptions: put, replace, delete', () =>
      withStorage(harness, async (h, storage) => {
        const s = storage.sessions;
        s.putSession('c', { expiryInterval: 100 });
        s.putSubscription('c', 'a/+', options(0));
        s.putSubscription('c', 'a/+', options(2, 7));
        s.putSubscription('c', 'b/#', options(1));
        s.putSubscription('c', 'gone', options(1));
        s.deleteSubscription('c', 'gone');
        await storage.flush();
        storage = await h.reopen(storage);
        const c = byId(storage.sessions.load(Date.now()), 'c');
        assert.deepEqual([...c.subscriptions.keys()].sort(), ['a/+', 'b/#']);
        assert.deepEqual(c.subscriptions.get('a/+'), options(2, 7));
        return storage;
      }));

    test('[MQTT-4.6.0-1] queued and in-flight messages come back in order with their state', () =>
      withStorage(harness, async (h, storage) => {
        const s = storage.sessions;
        s.putSession('c', { expiryInterval: 100 });
        const m1 = message('t', 'one', { properties: { userProperties: [['a', 'b']] }, origin: 'p' });
        const a = s.addOutgoing('c', { message: m1, qos: 1, retain: false, packetId: 5 });
        const b = s.addOutgoing('c', {
          message: message('t', 'two', { qos: 2 }),
          qos: 2,
          retain: true,
          subscriptionIds: [3, 9],
        });
        const c = s.addOutgoing('c', { message: message('t', 'three'), qos: 1, retain: false });
        const d = s.addOutgoing('c', { message: message('t', 'four'), qos: 0, retain: false });
        assert.ok(a < b && b < c && c < d, 'seq increases');
        s.updateOutgoing('c', b, 6, false);
        s.updateOutgoing('c', b, 6, true);
        s.deleteOutgoing('c', c);
        await storage.flush();
        storage = await h.reopen(storage);
        const loaded = byId(storage.sessions.load(Date.now()), 'c');
        assert.deepEqual(payloads(loaded), ['one', 'two', 'four']);
        const [one, two, four] = loaded.outgoing;
        assert.equal(one?.packetId, 5);
        assert.equal(one?.released, false);
        assert.deepEqual(one?.message.properties?.userProperties, [['a', 'b']]);
        assert.equal(one?.message.origin, 'p');
        assert.equal(two?.packetId, 6);
        assert.equal(two?.released, true);
        assert.equal(two?.qos, 2);
        assert.equal(two?.retain, true);
        assert.deepEqual(two?.subscriptionIds, [3, 9]);
        assert.equal(four?.packetId, undefined);
        assert.equal(four?.qos, 0);
        const later = storage.sessions.addOutgoing('c', {
          message: message('t', 'five'),
          qos: 1,
          retain: false,
        });
        assert.ok(later > (four?.seq ?? Infinity), 'seq keeps increasing after a restart');
        return storage;
      }));

    test('one message queued for many sessions: each keeps it until it is done with it', () =>
      withStorage(harness, async (h, storage) => {
        const s = storage.sessions;
        const shared = message('fan/out', 'shared');
        for (const id of ['x', 'y', 'z']) s.putSession(id, { expiryInterval: 100 });
        const seqs = ['x', 'y', 'z'].map((id) =>
          s.addOutgoing(id, { message: shared, qos: 1, retain: false }),
        );
        s.deleteOutgoing('x', seqs[0] as number);
        s.deleteSession('y');
        await storage.flush();
        storage = await h.reopen(storage);
        const sessions = storage.sessions.load(Date.now());
        assert.deepEqual(sessions.map((x) => x.clientId).sort(), ['x', 'z']);
        assert.deepEqual(payloads(byId(sessions, 'x')), []);
        assert.deepEqual(payloads(byId(sessions, 'z')), ['shared']);
        return storage;
      }));

    test('[MQTT-4.3.3-2] inbound QoS 2 ids awaiting PUBREL survive; released ones do not', () =>
      withStorage(harness, async (h, storage) => {
        const s = storage.sessions;
        s.putSession('c', { expiryInterval: 100 });
        s.addInbound('c', 1);
        s.addInbound('c', 65535);
        s.addInbound('c', 7);
        s.deleteInbound('c', 7);
        await storage.flush();
        storage = await h.reopen(storage);
        assert.deepEqual(
          byId(storage.sessions.load(Date.now()), 'c').inboundQos2.sort((a, b) => a - b),
          [1, 65535],
        );
        return storage;
      }));

    test('deleteSession removes subscriptions, messages and inbound ids with it', () =>
      withStorage(harness, async (h, storage) => {
        const s = storage.sessions;
        s.putSession('c', { expiryInterval: 100 });
        s.putSubscription('c', '#', options(1));
        s.addOutgoing('c', { message: message('t', 'm'), qos: 1, retain: false });
        s.addInbound('c', 3);
        s.deleteSession('c');
        s.putSession('c', { expiryInterval: 50 });
        await storage.flush();
        storage = await h.reopen(storage);
        const c = byId(storage.sessions.load(Date.now()), 'c');
        assert.equal(c.expiryInterval, 50);
        assert.equal(c.subscriptions.size, 0);
        assert.deepEqual(c.outgoing, []);
        assert.deepEqual(c.inboundQos2, []);
        return storage;
      }));

    test('[MQTT-3.3.2-5] messages whose expiry passed are dropped at load; others keep their receive time', () =>
      withStorage(harness, async (h, storage) => {
        const now = Date.now();
        const s = storage.sessions;
        s.putSession('c', { expiryInterval: 100 });
        s.addOutgoing('c', {
          message: message('t', 'stale', {
            receivedAt: now - 20_000,
            properties: { messageExpiryInterval: 10 },
          }),
          qos: 1,
          retain: false,
        });
        s.addOutgoing('c', {
          message: message('t', 'fresh', {
            receivedAt: now - 20_000,
            properties: { messageExpiryInterval: 60 },
          }),
          qos: 1,
          retain: false,
        });
        await storage.flush();
        storage = await h.reopen(storage);
        const c = byId(storage.sessions.load(now), 'c');
        assert.deepEqual(payloads(c), ['fresh']);
        assert.equal(c.outgoing[0]?.message.receivedAt, now - 20_000);
        return storage;
      }));
  });
}
