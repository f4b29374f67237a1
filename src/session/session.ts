import type { SubscriptionOptions } from '../router/types.js';
import type { Identity } from '../auth/types.js';
import type { Will } from '../protocol/types.js';
import type { DurabilityBarrier, SessionStore, StoredSession } from '../store/types.js';
import { PacketIdAllocator } from './packet-ids.js';
import { JournaledPacketIds, JournaledSubscriptions, ownedMessage } from './journal.js';
import type {
  Outgoing,
  OutgoingSource,
  SessionDropReason,
  SessionLimits,
  SessionOutlet,
  UnsentReason,
} from './types.js';
import { PulledSources } from './sources.js';
import { PublisherHold } from './publisher-hold.js';

interface Inflight {
  readonly outgoing: Outgoing;
  /** QoS 2: PUBREC received and PUBREL sent; only PUBCOMP is awaited. */
  released: boolean;
  /** QoS 2 to a persistent session: its packet id is not durable yet, so the PUBLISH waits for that commit. */
  heldUntil?: Promise<void>;
  /** Never written to a socket (held, and its client was gone when the commit settled): DUP stays 0. */
  unsent?: boolean;
}

const ignore = (): void => undefined;

/** A connected client's queue this long holds back the publishers that feed it (capped at half the queue limit). */
const HOLD_QUEUED = 1000;

/** Session expiry value meaning "never expires" (MQTT 5 0xFFFFFFFF; a 3.1.1 CleanSession=0 session). */
export const NEVER_EXPIRES = 0xffffffff;

/**
 * The state the server keeps for one client id (section 4.1): subscriptions, outbound messages in flight
 * and queued, and inbound QoS 2 ids awaiting PUBREL. Holds no socket: an attached SessionOutlet writes.
 */
export class Session {
  /** Seconds the session outlives its connection: 0 ends it with the connection. */
  expiryInterval: number;
  /** Who owns the session, as last authenticated: read ACL checks of queued deliveries use it. */
  identity: Identity | undefined;
  /** Stored with a persistent session: the will that may still go out, when (epoch ms), and when the
   * session ends if its client stays away (undefined while connected or never). */
  will: Will | undefined;
  willAt: number | undefined;
  expiresAt: number | undefined;
  /** Messages dropped because a limit was reached (queue full, congested socket). */
  dropped = 0;
  // The collections are made on first use: an empty Map costs about 180 bytes, and most connections never
  // subscribe, publish QoS 2 or receive QoS 1/2 (10,000 idle connections carried three empty ones each).
  #subscriptions: Map<string, SubscriptionOptions> | undefined;
  #inboundQos2: Set<number> | undefined;
  #inflightMap: Map<number, Inflight> | undefined;
  readonly #ids = new PacketIdAllocator();
  #queue: Outgoing[] = [];
  #queueHead = 0;
  #queuedBytes = 0;
  #outlet: SessionOutlet | undefined;
  /** Set for a persistent session when the broker has storage: every change is mirrored there. */
  readonly #store: SessionStore | undefined;
  readonly #barrier: DurabilityBarrier | undefined;
  /** Packet ids of held QoS 2 PUBLISH packets, in the order they were sent (and committed). */
  #held: number[] = [];
  /** Per-connection in-flight window: min(max_inflight_messages, the client's Receive Maximum). */
  #window: number;
  /** Queue length from which publishers are held back; they go on once it is half that. */
  readonly #holdFrom: number;
  #publisherHold: PublisherHold | undefined;
  /** Streams pulled after the queue as the connection takes them (retained messages of new subscriptions). */
  #sources: PulledSources | undefined;

  constructor(
    readonly clientId: string,
    expiryInterval: number,
    readonly limits: SessionLimits,
    store?: SessionStore,
    barrier?: DurabilityBarrier,
  ) {
    this.expiryInterval = expiryInterval;
    this.#barrier = barrier;
    this.#window = limits.maxInflight > 0 ? limits.maxInflight : 65535;
    this.#holdFrom =
      limits.maxQueued > 0 ? Math.min(HOLD_QUEUED, Math.ceil(limits.maxQueued / 2)) : HOLD_QUEUED;
    this.#store = store;
  }

  get subscriptions(): Map<string, SubscriptionOptions> {
    const store = this.#store;
    return (this.#subscriptions ??=
      store === undefined ? new Map() : new JournaledSubscriptions(store, this.clientId));
  }

  /** Inbound QoS 2 packet ids that got PUBREC and await PUBREL: duplicates are not routed twice. */
  get inboundQos2(): Set<number> {
    const store = this.#store;
    return (this.#inboundQos2 ??=
      store === undefined ? new Set() : new JournaledPacketIds(store, this.clientId));
  }

  /** Subscriptions held, without making the collection. */
  get subscriptionCount(): number {
    return this.#subscriptions?.size ?? 0;
  }

  get #inflight(): Map<number, Inflight> {
    return (this.#inflightMap ??= new Map());
  }

  /** A session as the store kept it: in-flight messages go out again with DUP on attach [MQTT-4.4.0-1]. */
  static restore(
    stored: StoredSession,
    limits: SessionLimits,
    store: SessionStore,
    barrier?: DurabilityBarrier,
  ): Session {
    const restored = new Session(stored.clientId, stored.expiryInterval, limits, store, barrier);
    restored.will = stored.will;
    restored.willAt = stored.willAt;
    restored.expiresAt = stored.expiresAt;
    // Straight into the collections: what was loaded is already stored.
    for (const [filter, options] of stored.subscriptions)
      Map.prototype.set.call(restored.subscriptions, filter, options);
    for (const packetId of stored.inboundQos2) Set.prototype.add.call(restored.inboundQos2, packetId);
    for (const entry of stored.outgoing) {
      const outgoing: Outgoing = {
        message: entry.message,
        qos: entry.qos,
        retain: entry.retain,
        subscriptionIds: entry.subscriptionIds,
        seq: entry.seq,
      };
      if (entry.packetId === undefined) {
        restored.#queue.push(outgoing);
        restored.#queuedBytes += entry.message.payload.length;
      } else {
        restored.#inflight.set(entry.packetId, { outgoing, released: entry.released });
      }
    }
    return restored;
  }

  get persistent(): boolean {
    return this.#store !== undefined;
  }

  get online(): boolean {
    return this.#outlet !== undefined;
  }

  get inflightCount(): number {
    return this.#inflightMap?.size ?? 0;
  }

  /** Payload bytes waiting in the queue. */
  get queuedBytes(): number {
    return this.#queuedBytes;
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
    for (const [packetId, entry] of this.#inflightMap ?? []) {
      if (entry.heldUntil !== undefined) continue; // goes out when its commit settles
      if (entry.released) outlet.sendPubrel(packetId);
      else {
        const unsent = outlet.sendPublish(entry.outgoing, packetId, entry.unsent !== true);
        if (unsent !== undefined) this.#drop(packetId, unsent);
        else entry.unsent = undefined;
      }
    }
    this.#pump();
  }

  detach(): void {
    this.#outlet = undefined;
    this.#publisherHold?.release(true);
  }

  /**
   * Whether a publisher whose message just queued here should wait (holdBack) before its next packet: the client
   * is connected, its queue is long, and it has not stalled.
   */
  get holdsBack(): boolean {
    return (
      this.#outlet !== undefined &&
      this.queuedCount >= this.#holdFrom &&
      !(this.#publisherHold?.stalled ?? false)
    );
  }

  /** Settles when the queue is down to half of where holding starts, the client goes, or a stall is assumed. */
  holdBack(): Promise<void> {
    return (this.#publisherHold ??= new PublisherHold()).wait();
  }

  /**
   * Sends what `source` yields after everything queued, at the pace the client takes it: QoS 0 while the socket
   * is not backed up, QoS 1/2 as the in-flight window frees. Nothing of it is queued, so neither
   * max_queued_messages nor the congestion limit cuts it short. The source outlives a disconnection (it goes on
   * when a client takes the session again) but not a restart or the end of the session.
   */
  stream(source: OutgoingSource): void {
    (this.#sources ??= new PulledSources()).add(source);
    this.#pump();
  }

  /** True while a pulled source still has messages to send. */
  get streaming(): boolean {
    return this.#sources !== undefined;
  }

  /** Drops everything (clean start); subscriptions are removed from the router by the caller. */
  clear(): void {
    this.#sources = undefined;
    this.#subscriptions?.clear();
    this.#inboundQos2?.clear();
    this.#inflightMap?.clear();
    this.#held = [];
    this.#queue = [];
    this.#queueHead = 0;
    this.#queuedBytes = 0;
    this.#publisherHold?.release(true);
  }

  /**
   * The connection is going: shared-subscription copies it has not acknowledged (QoS 1 in flight) or not yet
   * received (queued QoS 0/1) are taken out, for another member of their group (section 4.8.2). QoS 2 copies
   * stay: that flow must finish with this session [MQTT-4.8.2-4].
   */
  takeShared(): Outgoing[] {
    const taken: Outgoing[] = [];
    const take = (outgoing: Outgoing): void => {
      this.#forget(outgoing); // the store lets go: wherever it goes next stores it afresh
      taken.push({ ...outgoing, seq: undefined });
    };
    for (const [packetId, entry] of this.#inflightMap ?? []) {
      if (entry.outgoing.sharedGroup === undefined || entry.outgoing.qos !== 1) continue;
      this.#inflight.delete(packetId);
      take(entry.outgoing);
    }
    const kept: Outgoing[] = [];
    for (let i = this.#queueHead; i < this.#queue.length; i++) {
      const outgoing = this.#queue[i] as Outgoing;
      if (outgoing.sharedGroup !== undefined && outgoing.qos !== 2) {
        take(outgoing);
        this.#queuedBytes -= outgoing.message.payload.length;
      } else {
        kept.push(outgoing);
      }
    }
    if (kept.length !== this.queuedCount) {
      this.#queue = kept;
      this.#queueHead = 0;
    }
    return taken;
  }

  /** The window (max_inflight_messages, Receive Maximum) and max_inflight_bytes allow one more in flight. */
  #roomInFlight(): boolean {
    if (this.inflightCount >= this.#window) return false;
    const maxBytes = this.limits.maxInflightBytes;
    if (maxBytes === undefined || maxBytes === 0 || this.#inflightMap === undefined) return true;
    // Summed when asked, only with a byte limit: the window is small (20 by default) and no counter has to
    // follow every way a message leaves flight.
    let bytes = 0;
    for (const entry of this.#inflightMap.values()) bytes += entry.outgoing.message.payload.length;
    return bytes < maxBytes;
  }

  /** Sends now when online and the window allows, else queues within the limits. */
  deliver(outgoing: Outgoing): void {
    const outlet = this.#outlet;
    // The client sees this before any retained message for the topic still to be streamed: those are skipped.
    if (this.#sources !== undefined) this.#sources.supersede(outgoing.message.topic);
    if (outgoing.qos === 0) {
      if (outlet !== undefined) {
        if (outlet.congested) this.#dropped(outgoing, 'congested');
        else this.#sendQos0(outlet, outgoing);
        return;
      }
      if (!this.limits.queueQos0) return;
    } else if (outlet !== undefined && this.queuedCount === 0 && this.#roomInFlight()) {
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
    this.#forget(entry.outgoing);
    this.limits.onDelivered?.(this.clientId, entry.outgoing);
    this.#pump();
    return true;
  }

  /** PUBREC arrived for a QoS 2 message: from now on only PUBREL/PUBCOMP remain. False for an unknown id. */
  received(packetId: number): boolean {
    const entry = this.#inflight.get(packetId);
    if (entry === undefined || entry.outgoing.qos !== 2) return false;
    entry.released = true;
    const seq = entry.outgoing.seq;
    if (this.#store !== undefined && seq !== undefined)
      this.#store.updateOutgoing(this.clientId, seq, packetId, true);
    return true;
  }

  /** MQTT 5: a PUBREC with a failure reason code ends the QoS 2 flow for that id [MQTT-4.3.3-4 note]. */
  abandon(packetId: number): boolean {
    const entry = this.#inflight.get(packetId);
    if (entry === undefined) return false;
    this.#inflight.delete(packetId);
    this.#forget(entry.outgoing);
    this.#pump();
    return true;
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
      if (next.qos > 0 && !this.#roomInFlight()) break;
      if (next.qos === 0 && outlet.congested) break;
      queue[this.#queueHead] = undefined as unknown as Outgoing;
      this.#queueHead++;
      this.#queuedBytes -= next.message.payload.length;
      if (next.qos === 0) {
        this.#sendQos0(outlet, next);
        this.#forget(next);
      } else this.#send(outlet, next);
    }
    const hold = this.#publisherHold;
    if (hold !== undefined && (hold.waiting || hold.stalled) && this.queuedCount * 2 <= this.#holdFrom) {
      hold.release(true);
    }
    if (this.#queueHead === queue.length) {
      this.#queue = [];
      this.#queueHead = 0;
      if (this.#sources !== undefined) this.#pull(outlet, this.#sources);
    } else if (this.#queueHead > 1024 && this.#queueHead * 2 > queue.length) {
      this.#queue = queue.slice(this.#queueHead);
      this.#queueHead = 0;
    }
  }

  /** Pulls from the sources while the connection has room; the next drain or acknowledgement pulls again. */
  #pull(outlet: SessionOutlet, sources: PulledSources): void {
    for (;;) {
      const next = sources.peek();
      if (next === undefined) {
        this.#sources = undefined;
        return;
      }
      if (!outlet.streamable || (next.qos > 0 && !this.#roomInFlight())) return;
      sources.take();
      if (next.qos > 0) this.#send(outlet, next);
      else this.#sendQos0(outlet, next);
      if (this.queuedCount > 0) return; // no packet id was free: it queued, and the queue goes first
    }
  }

  #send(outlet: SessionOutlet, outgoing: Outgoing): void {
    const packetId = this.#ids.allocate(this.#inflight);
    if (packetId === undefined) {
      this.#enqueue(outgoing);
      return;
    }
    const entry: Inflight = { outgoing, released: false };
    this.#inflight.set(packetId, entry);
    const store = this.#store;
    if (store !== undefined) {
      // Stored before it is written to the socket, so a crash can only make it go out again (with DUP).
      if (outgoing.seq === undefined) outgoing.seq = this.#add(store, outgoing, packetId);
      else store.updateOutgoing(this.clientId, outgoing.seq, packetId, false);
      // Exactly once [MQTT-4.3.3]: a QoS 2 PUBLISH the client saw before a crash must come back under the same
      // packet id (with DUP), which only a committed packet id ensures; so it waits for that commit. QoS 1 may
      // arrive twice anyway [MQTT-4.3.2]: it waits only behind a held QoS 2 message, to keep the session's
      // order [MQTT-4.6.0-1]. Clean sessions never wait.
      const barrier = this.#barrier;
      if (barrier !== undefined && (outgoing.qos === 2 || this.#held.length > 0) && barrier.pending) {
        this.#hold(barrier, entry, packetId);
        return;
      }
    }
    const unsent = outlet.sendPublish(outgoing, packetId, false);
    if (unsent !== undefined) this.#drop(packetId, unsent);
  }

  /** QoS 0 has no packet id to free: it is delivered or dropped at once. */
  #sendQos0(outlet: SessionOutlet, outgoing: Outgoing): void {
    const unsent = outlet.sendPublish(outgoing, undefined, false);
    if (unsent === undefined) this.limits.onDelivered?.(this.clientId, outgoing);
    else this.#dropped(outgoing, unsent);
  }

  #hold(barrier: DurabilityBarrier, entry: Inflight, packetId: number): void {
    const commit = barrier.flush();
    entry.heldUntil = commit;
    entry.unsent = true;
    this.#held.push(packetId);
    // One wait per session per commit, not per message. A failed storage never settles it: nothing that was
    // not stored goes out.
    if (this.#held.length === 1) commit.then(() => this.#release(commit), ignore);
  }

  /** A commit settled: the PUBLISH packets it made durable go out, in order; later ones wait for theirs. */
  #release(commit: Promise<void>): void {
    const held = this.#held;
    let i = 0;
    for (; i < held.length; i++) {
      const packetId = held[i] as number;
      const entry = this.#inflight.get(packetId);
      if (entry === undefined || entry.heldUntil === undefined) continue; // completed or dropped meanwhile
      if (entry.heldUntil !== commit) break;
      entry.heldUntil = undefined;
      const outlet = this.#outlet;
      // Offline now: attach() sends it, with DUP 0 as it never went out.
      if (outlet === undefined || entry.released) continue;
      entry.unsent = undefined;
      const unsent = outlet.sendPublish(entry.outgoing, packetId, false);
      if (unsent !== undefined) this.#drop(packetId, unsent);
    }
    this.#held = i === held.length ? [] : held.slice(i);
    const next = this.#held[0];
    const later = next === undefined ? undefined : this.#inflight.get(next)?.heldUntil;
    if (later !== undefined) later.then(() => this.#release(later), ignore);
  }

  /** An in-flight message the connection could not write: its packet id is freed and the drop reported. */
  #drop(packetId: number, reason: UnsentReason): void {
    const entry = this.#inflight.get(packetId);
    this.#inflight.delete(packetId);
    if (entry === undefined) return;
    this.#forget(entry.outgoing);
    this.#dropped(entry.outgoing, reason);
  }

  #add(store: SessionStore, outgoing: Outgoing, packetId: number | undefined): number {
    return store.addOutgoing(this.clientId, {
      message: ownedMessage(outgoing.message),
      qos: outgoing.qos,
      retain: outgoing.retain,
      subscriptionIds: outgoing.subscriptionIds,
      packetId,
    });
  }

  /** The delivery is finished (or given up): the store lets go of it. */
  #forget(outgoing: Outgoing): void {
    if (this.#store !== undefined && outgoing.seq !== undefined)
      this.#store.deleteOutgoing(this.clientId, outgoing.seq);
  }

  #enqueue(outgoing: Outgoing): void {
    const { maxQueued, maxQueuedBytes } = this.limits;
    const bytes = outgoing.message.payload.length;
    if (this.limits.dropOldest) {
      while (this.#full(maxQueued, maxQueuedBytes, bytes) && this.queuedCount > 0) this.#dropOldest();
    }
    // Like mosquitto, by default a full queue drops the newest message.
    if (this.#full(maxQueued, maxQueuedBytes, bytes)) {
      this.#dropped(outgoing, 'queue_full');
      return;
    }
    const owned = ownedMessage(outgoing.message);
    const kept: Outgoing = owned === outgoing.message ? outgoing : { ...outgoing, message: owned };
    if (this.#store !== undefined && kept.seq === undefined)
      kept.seq = this.#add(this.#store, kept, undefined);
    this.#queue.push(kept);
    this.#queuedBytes += bytes;
  }

  #full(maxQueued: number, maxQueuedBytes: number, bytes: number): boolean {
    return (
      (maxQueued > 0 && this.queuedCount >= maxQueued) ||
      (maxQueuedBytes > 0 && this.#queuedBytes + bytes > maxQueuedBytes)
    );
  }

  #dropOldest(): void {
    const oldest = this.#queue[this.#queueHead] as Outgoing;
    this.#queue[this.#queueHead] = undefined as unknown as Outgoing;
    this.#queueHead++;
    this.#queuedBytes -= oldest.message.payload.length;
    this.#forget(oldest);
    this.#dropped(oldest, 'queue_full');
  }

  #dropped(outgoing: Outgoing, reason: SessionDropReason): void {
    this.dropped++;
    this.limits.onDropped?.(this.clientId, outgoing, reason);
  }
}
