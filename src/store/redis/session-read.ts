// Reading one persistent session out of Redis: one round trip (its keys share a slot), decoded into the
// shape the session store keeps in memory.
import type { QoS, Will } from '../../protocol/types.js';
import type { SubscriptionOptions } from '../../router/types.js';
import type { SessionRecord, StoredOutgoing } from '../types.js';
import type { RedisClient } from './connect.js';
import { unpack, unpackMessage, type RedisKeys } from './keys.js';

/** A session as held in memory by the node that owns it. */
export interface HeldSession {
  record: SessionRecord;
  readonly subscriptions: Map<string, SubscriptionOptions>;
  /** In seq order (Map insertion order: seqs only ever grow). */
  readonly outgoing: Map<number, StoredOutgoing>;
  readonly inbound: Set<number>;
}

export interface ReadSession {
  readonly held: HeldSession;
  /** The node that held the session last, as recorded. */
  readonly owner: string | undefined;
}

interface PackedRecord {
  expiryInterval: number;
  expiresAt?: number;
  will?: Will;
  willAt?: number;
}

export function packRecord(record: SessionRecord): PackedRecord {
  const packed: PackedRecord = { expiryInterval: record.expiryInterval };
  if (record.expiresAt !== undefined) packed.expiresAt = record.expiresAt;
  if (record.will !== undefined) packed.will = record.will;
  if (record.willAt !== undefined) packed.willAt = record.willAt;
  return packed;
}

/** The in-flight state field: "packetId" or "packetId:r" once PUBREC came. */
export function flightState(packetId: number, released: boolean): string {
  return released ? `${packetId}:r` : String(packetId);
}

export async function readSession(
  client: RedisClient,
  keys: RedisKeys,
  clientId: string,
): Promise<ReadSession | undefined> {
  const replies = await client
    .pipeline()
    .hgetallBuffer(keys.session(clientId))
    .hgetallBuffer(keys.subscriptions(clientId))
    .hgetallBuffer(keys.outgoing(clientId))
    .hgetall(keys.inflight(clientId))
    .smembers(keys.inbound(clientId))
    .exec();
  if (replies === null) throw new Error('MIDGE_REDIS_READ: pipeline aborted');
  for (const [error] of replies) if (error !== null) throw error;
  const [session, subs, out, flight, inbound] = replies.map(([, value]) => value) as [
    Record<string, Buffer>,
    Record<string, Buffer>,
    Record<string, Buffer>,
    Record<string, string>,
    string[],
  ];
  const record = session.record;
  if (record === undefined) return undefined;
  const held: HeldSession = {
    record: unpack<PackedRecord>(record),
    subscriptions: new Map(
      Object.entries(subs).map(([filter, value]) => [filter, unpack<SubscriptionOptions>(value)]),
    ),
    outgoing: new Map(),
    inbound: new Set(inbound.map(Number)),
  };
  const entries = Object.entries(out)
    .map(([seq, value]) => [Number(seq), value] as const)
    .sort((a, b) => a[0] - b[0]);
  for (const [seq, value] of entries) {
    const { message, extra } = unpackMessage(value);
    const state = flight[String(seq)];
    const entry: StoredOutgoing = {
      seq,
      message,
      qos: extra.qos as QoS,
      retain: extra.retain as boolean,
      subscriptionIds: extra.subscriptionIds as number[] | undefined,
      packetId: state === undefined ? undefined : Number.parseInt(state, 10),
      released: state?.endsWith(':r') === true,
    };
    held.outgoing.set(seq, entry);
  }
  return { held, owner: session.owner?.toString() };
}
