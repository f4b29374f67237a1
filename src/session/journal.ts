// Persistent sessions mirror every change of their state into the SessionStore as it happens; the store
// makes the changes durable in its group commits. These collections are the ones handlers change directly.
import type { Message, SubscriptionOptions } from '../router/types.js';
import type { SessionStore } from '../store/types.js';

/** A session's subscriptions that also write themselves to the store. */
export class JournaledSubscriptions extends Map<string, SubscriptionOptions> {
  constructor(
    readonly store: SessionStore,
    readonly clientId: string,
  ) {
    super();
  }

  override set(filter: string, options: SubscriptionOptions): this {
    // Map's constructor calls set before the fields exist; that never happens here (no initial entries).
    this.store.putSubscription(this.clientId, filter, options);
    return super.set(filter, options);
  }

  override delete(filter: string): boolean {
    const existed = super.delete(filter);
    if (existed) this.store.deleteSubscription(this.clientId, filter);
    return existed;
  }
}

/** Inbound QoS 2 packet ids awaiting PUBREL, written to the store as they come and go [MQTT-4.3.3-2]. */
export class JournaledPacketIds extends Set<number> {
  constructor(
    readonly store: SessionStore,
    readonly clientId: string,
  ) {
    super();
  }

  override add(packetId: number): this {
    if (!super.has(packetId)) this.store.addInbound(this.clientId, packetId);
    return super.add(packetId);
  }

  override delete(packetId: number): boolean {
    const existed = super.delete(packetId);
    if (existed) this.store.deleteInbound(this.clientId, packetId);
    return existed;
  }
}

/**
 * A decoded payload is a view into the socket's read buffer (up to 64 KiB). A message a session keeps (queued,
 * stored) gets its own bytes, copied once however many sessions keep it. Small payloads are copied into Node's
 * shared buffer pool: an ArrayBuffer of its own per queued message (allocUnsafeSlow) made garbage collection a
 * quarter of the broker's CPU when QoS 1 messages queued behind a subscriber's in-flight window.
 */
export function ownedMessage(message: Message): Message {
  const cached = message.owned;
  if (cached !== undefined) return cached;
  const payload = message.payload;
  if (payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength) {
    message.owned = message;
    return message;
  }
  const bytes = Buffer.allocUnsafe(payload.length);
  payload.copy(bytes);
  // Spelled out rather than spread: one object shape for every kept copy. The type makes every key of Message
  // required here, so a field added to Message later cannot be left out of the copy.
  const copy: { [K in keyof Required<Message>]: Message[K] } = {
    topic: message.topic,
    payload: bytes,
    qos: message.qos,
    retain: message.retain,
    properties: message.properties,
    origin: message.origin,
    receivedAt: message.receivedAt,
    fromNode: message.fromNode,
    frames: message.frames,
    owned: undefined,
  };
  copy.owned = copy;
  message.owned = copy;
  return copy;
}
