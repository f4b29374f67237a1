import type { SubscriptionOptions } from '../router/types.js';
import type { Identity } from '../auth/types.js';
import { PacketIdAllocator } from './packet-ids.js';
import type { Outgoing, SessionLimits, SessionOutlet } from './types.js';

interface Inflight {
  readonly outgoing: Outgoing;
  /** QoS 2: PUBREC received and PUBREL sent; only PUBCOMP is awaited. */
  released: boolean;
}

/** Session expiry value meaning "never expires" (MQTT 5 0xFFFFFFFF; a 3.1.1 CleanSession=0 session). */
export const NEVER_EXPIRES = 0xffffffff;

/**
 * The state the server keeps for one client id (section 4.1): subscriptions, outbound messages in flight
 * and queued, and inbound QoS 2 ids awaiting PUBREL. Holds no socket: an attached SessionOutlet writes.
 */
export class Session {
  readonly subscriptions = new Map<string, SubscriptionOptions>();
  /** Inbound QoS 2 packet ids that got PUBREC and await PUBREL: duplicates are not routed twice. */
  readonly inboundQos2 = new Set<number>();
  /** Seconds the session outlives its connection: 0 ends it with the connection. */
  expiryInterval: number;
  /** Who owns the session, as last authenticated: read ACL checks of queued deliveries use it. */
  identity: Identity | undefined;
  /** Messages dropped because a limit was reached (queue full, congested socket). */
  dropped = 0;
  readonly #inflight = new Map<number, Inflight>();
  readonly #ids = new PacketIdAllocator();
  #queue: Outgoing[] = [];
  #queueHead = 0;
  #queuedBytes = 0;
  #outlet: SessionOutlet | undefined;
  /** Per-connection in-flight window: min(max_inflight_messages, the client's Receive Maximum). */
  #window: number;

  constructor(
    readonly clientId: string,
    expiryInterval: number,
    readonly limits: SessionLimits,
  ) {
    this.expiryInterval = expiryInterval;
    this.#window = limits.maxInflight > 0 ? limits.maxInflight : 65535;
  }

  get online(): boolean {
    return this.#outlet !== undefined;
  }

  get inflightCount(): number {
    return this.#inflight.size;
  }

  get queuedCount(): number {
    return this.#queue.length - this.#queueHead;
  }

  /**
   * A connection takes the session: unacknowledged messages go out again first, PUBLISH with DUP=1 or PUBREL
   * as they stood [MQTT-4.4.0-1], then the queue, in order [MQTT-4.6.0-1].
   */
  attach(outlet: SessionOutlet, receiveMaximum = 65535): void {
    this.#outlet = outlet;
    const configured = this.limits.maxInflight > 0 ? this.limits.maxInflight : 65535;
    this.#window = Math.min(configured, receiveMaximum);
    for (const [packetId, entry] of this.#inflight) {
      if (entry.released) outlet.sendPubrel(packetId);
      else if (!outlet.sendPublish(entry.outgoing, packetId, true)) this.#drop(packetId);
    }
    this.#pump();
  }

  detach(): void {
    this.#outlet = undefined;
  }

  /** Drops everything (clean start); subscriptions are removed from the router by the caller. */
  clear(): void {
    this.subscriptions.clear();
    this.inboundQos2.clear();
    this.#inflight.clear();
    this.#queue = [];
    this.#queueHead = 0;
    this.#queuedBytes = 0;
  }

  /** Sends now when online and the window allows, else queues within the limits. */
  deliver(outgoing: Outgoing): void {
    const outlet = this.#outlet;
    if (outgoing.qos === 0) {
      if (outlet !== undefined) {
        if (outlet.congested) this.dropped++;
        else outlet.sendPublish(outgoing, undefined, false);
        return;
      }
      if (!this.limits.queueQos0) return;
    } else if (outlet !== undefined && this.queuedCount === 0 && this.#inflight.size < this.#window) {
      this.#send(outlet, outgoing);
      return;
    }
    this.#enqueue(outgoing);
  }

  /** PUBACK (QoS 1) or PUBCOMP (QoS 2) arrived: the message is done. False for an unknown id. */
  complete(packetId: number, expectReleased: boolean): boolean {
    const entry = this.#inflight.get(packetId);
    if (
      entry === undefined ||
      entry.released !== expectReleased ||
      (!expectReleased && entry.outgoing.qos !== 1)
    ) {
      return false;
    }
    this.#inflight.delete(packetId);
    this.#pump();
    return true;
  }

  /** PUBREC arrived for a QoS 2 message: from now on only PUBREL/PUBCOMP remain. False for an unknown id. */
  received(packetId: number): boolean {
    const entry = this.#inflight.get(packetId);
    if (entry === undefined || entry.outgoing.qos !== 2) return false;
    entry.released = true;
    return true;
  }

  /** MQTT 5: a PUBREC with a failure reason code ends the QoS 2 flow for that id [MQTT-4.3.3-4 note]. */
  abandon(packetId: number): boolean {
    const removed = this.#inflight.delete(packetId);
    if (removed) this.#pump();
    return removed;
  }

  /** Moves queued messages into flight while the window has room. Also runs when the socket drains. */
  pump(): void {
    this.#pump();
  }

  #pump(): void {
    const outlet = this.#outlet;
    if (outlet === undefined) return;
    const queue = this.#queue;
    while (this.#queueHead < queue.length) {
      const next = queue[this.#queueHead] as Outgoing;
      if (next.qos > 0 && this.#inflight.size >= this.#window) break;
      if (next.qos === 0 && outlet.congested) break;
      queue[this.#queueHead] = undefined as unknown as Outgoing;
      this.#queueHead++;
      this.#queuedBytes -= next.message.payload.length;
      if (next.qos === 0) outlet.sendPublish(next, undefined, false);
      else this.#send(outlet, next);
    }
    if (this.#queueHead === queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
    } else if (this.#queueHead > 1024 && this.#queueHead * 2 > queue.length) {
      this.#queue = queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
  }

  #send(outlet: SessionOutlet, outgoing: Outgoing): void {
    const packetId = this.#ids.allocate(this.#inflight);
    if (packetId === undefined) {
      this.#enqueue(outgoing);
      return;
    }
    this.#inflight.set(packetId, { outgoing, released: false });
    if (!outlet.sendPublish(outgoing, packetId, false)) this.#drop(packetId);
  }

  #drop(packetId: number): void {
    this.#inflight.delete(packetId);
    this.dropped++;
  }

  #enqueue(outgoing: Outgoing): void {
    const { maxQueued, maxQueuedBytes } = this.limits;
    const bytes = outgoing.message.payload.length;
    // Like mosquitto, a full queue drops the newest message.
    if (
      (maxQueued > 0 && this.queuedCount >= maxQueued) ||
      (maxQueuedBytes > 0 && this.#queuedBytes + bytes > maxQueuedBytes)
    ) {
      this.dropped++;
      return;
    }
    this.#queue.push(outgoing);
    this.#queuedBytes += bytes;
  }
}
