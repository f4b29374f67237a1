// Where everything lives in Redis (docs/CLUSTER.md, "Key layout"). Every key of one session shares the hash
// tag {c:<client id>}, so a session is one Redis Cluster slot: its writes go as one MULTI, and another node
// can read all of it in one round trip. Retained messages are spread over RETAINED_BUCKETS hashes.
import { createHash } from 'node:crypto';
import { deserialize, serialize } from 'node:v8';
import type { Properties, QoS } from '../../protocol/types.js';
import type { Message } from '../../router/types.js';

/** Retained messages are spread over this many hashes (slots), so no one Redis Cluster master holds them all. */
export const RETAINED_BUCKETS = 16;

export class RedisKeys {
  readonly prefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
  }

  /** The hash tag group of a session. */
  sessionTag(clientId: string): string {
    return `{c:${clientId}}`;
  }

  /** hash: `record` = the packed SessionRecord, `owner` = node id of the node that holds the session. */
  session(clientId: string): string {
    return `${this.prefix}${this.sessionTag(clientId)}:session`;
  }

  /** hash: filter → packed SubscriptionOptions. */
  subscriptions(clientId: string): string {
    return `${this.prefix}${this.sessionTag(clientId)}:subs`;
  }

  /** hash: seq → packed outgoing message (message, QoS, retain flag, subscription ids). */
  outgoing(clientId: string): string {
    return `${this.prefix}${this.sessionTag(clientId)}:out`;
  }

  /** hash: seq → "packetId" (in flight) or "packetId:r" (QoS 2, PUBREC received). */
  inflight(clientId: string): string {
    return `${this.prefix}${this.sessionTag(clientId)}:flight`;
  }

  /** set: inbound QoS 2 packet ids awaiting PUBREL. */
  inbound(clientId: string): string {
    return `${this.prefix}${this.sessionTag(clientId)}:in`;
  }

  sessionKeys(clientId: string): string[] {
    return [
      this.session(clientId),
      this.subscriptions(clientId),
      this.outgoing(clientId),
      this.inflight(clientId),
      this.inbound(clientId),
    ];
  }

  ownerTag(nodeId: string): string {
    return `{n:${nodeId}}`;
  }

  /** set: client ids of the persistent sessions a node holds (what it loads at start, what a survivor adopts). */
  owned(nodeId: string): string {
    return `${this.prefix}${this.ownerTag(nodeId)}:sessions`;
  }

  retainedTag(topic: string): string {
    return `{r:${bucketOf(topic)}}`;
  }

  /** hash: topic → packed retained message; bucket chosen from the topic. */
  retained(bucket: number): string {
    return `${this.prefix}{r:${bucket}}:retained`;
  }

  retainedOf(topic: string): string {
    return this.retained(bucketOf(topic));
  }

  /** Pub/sub channel: every retained set and clear, so every node's copy follows. */
  retainedChannel(): string {
    return `${this.prefix}retained-changes`;
  }
}

export function bucketOf(topic: string): number {
  return (createHash('sha1').update(topic).digest().readUInt16BE(0) % RETAINED_BUCKETS) | 0;
}

/** A message as stored: v8 serialization keeps Buffers (payload, correlation data) and user property pairs. */
interface PackedMessage {
  t: string;
  p: Buffer;
  q: QoS;
  r: boolean;
  o?: string;
  at: number;
  pr?: Properties;
}

export function packMessage(message: Message, extra: Record<string, unknown> = {}): Buffer {
  const packed: PackedMessage = {
    t: message.topic,
    p: message.payload,
    q: message.qos,
    r: message.retain,
    at: message.receivedAt,
  };
  if (message.origin !== undefined) packed.o = message.origin;
  if (message.properties !== undefined) packed.pr = message.properties;
  return serialize({ ...packed, ...extra });
}

export function unpackMessage(value: Buffer): { message: Message; extra: Record<string, unknown> } {
  const { t, p, q, r, o, at, pr, ...extra } = deserialize(value) as PackedMessage & Record<string, unknown>;
  const base = { topic: t, payload: Buffer.from(p), qos: q, retain: r, receivedAt: at };
  const withProperties: Message = pr === undefined ? base : { ...base, properties: pr };
  return { message: o === undefined ? withProperties : { ...withProperties, origin: o }, extra };
}

/** [MQTT-3.3.2-5] whether the Message Expiry Interval of a stored message has passed. */
export function expired(message: Message, now: number): boolean {
  const interval = message.properties?.messageExpiryInterval;
  return interval !== undefined && message.receivedAt + interval * 1000 <= now;
}

export const pack = (value: unknown): Buffer => serialize(value);
export const unpack = <T>(value: Buffer): T => deserialize(value) as T;
