// A persistent broker in this process on a temp directory, restartable on the same data.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { ConfigInput } from '../../src/index.js';
import { RawClient } from '../helpers/raw-client.js';
import type { PublishPacket, QoS } from '../../src/protocol/types.js';

export interface PersistentBroker {
  readonly current: StartedBroker;
  /** The SQLite database file. */
  readonly file: string;
  /** Stops the broker and starts a new one on the same data directory. */
  restart(): Promise<StartedBroker>;
  /** Stops the broker and removes the data. */
  dispose(): Promise<void>;
}

export async function startPersistent(config: ConfigInput = {}): Promise<PersistentBroker> {
  const dir = await mkdtemp(join(tmpdir(), 'midge-persist-'));
  const start = (): Promise<StartedBroker> =>
    startBroker({ persistence: true, persistenceLocation: join(dir, 'data'), ...config });
  let current = await start();
  return {
    get current() {
      return current;
    },
    file: join(dir, 'data', 'midge.db'),
    restart: async () => {
      await current.stop();
      current = await start();
      return current;
    },
    dispose: async () => {
      await current.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Connects a persistent (CleanSession=0) 3.1.1 session and subscribes it. */
export async function subscribeOffline(
  port: number,
  clientId: string,
  filter: string,
  qos: QoS,
): Promise<void> {
  const client = await RawClient.connected(port, clientId, { clean: false });
  client.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: filter, qos }] });
  await client.expect('suback');
  client.disconnect();
}

/** Publishes and waits for the acknowledgement (PUBACK, or PUBREC/PUBREL/PUBCOMP). */
export async function publishAcked(
  client: RawClient,
  topic: string,
  payload: string,
  qos: 1 | 2,
  packetId: number,
  retain = false,
): Promise<void> {
  client.send({ type: 'publish', topic, payload: Buffer.from(payload), qos, retain, dup: false, packetId });
  if (qos === 1) {
    await client.expect('puback');
    return;
  }
  await client.expect('pubrec');
  client.send({ type: 'pubrel', packetId });
  await client.expect('pubcomp');
}

/** Reads PUBLISH packets until `count` arrived, acknowledging each (QoS 2 flows may interleave). */
export async function receive(client: RawClient, count: number): Promise<PublishPacket[]> {
  const received: PublishPacket[] = [];
  const awaitingPubrel = new Set<number>();
  while (received.length < count || awaitingPubrel.size > 0) {
    const packet = await client.next();
    if (packet === undefined) throw new Error(`got ${received.length} of ${count} messages`);
    if (packet.type === 'pubrel') {
      awaitingPubrel.delete(packet.packetId);
      client.send({ type: 'pubcomp', packetId: packet.packetId });
      continue;
    }
    if (packet.type !== 'publish') throw new Error(`unexpected ${packet.type}`);
    received.push(packet);
    if (packet.qos === 1) client.send({ type: 'puback', packetId: packet.packetId as number });
    if (packet.qos === 2) {
      awaitingPubrel.add(packet.packetId as number);
      client.send({ type: 'pubrec', packetId: packet.packetId as number });
    }
  }
  return received;
}
