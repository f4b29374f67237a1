// The storage seams. Writes are recorded synchronously (no promise per message on the PUBLISH path) and
// become durable together in group commits; Storage.flush() is the barrier: it settles once every write
// made before the call is as durable as the backend makes it. Acknowledgements wait on that barrier.
import type { QoS, Will } from '../protocol/types.js';
import type { Message, SubscriptionOptions } from '../router/types.js';

/** Stored retained messages. */
export interface RetainedStore {
  /** A null message clears the topic [MQTT-3.3.1-10]. */
  set(topic: string, message: Message | null): void;
  /** Every retained message whose topic matches the filter, with the $-topic rule of [MQTT-4.7.2-1]. */
  match(filter: string): Message[];
  readonly size: number;
}

/** One message addressed to one session, as stored: queued (no packet id) or in flight. */
export interface StoredOutgoing {
  /** Store-wide increasing number: orders a session's messages [MQTT-4.6.0-1]. */
  readonly seq: number;
  readonly message: Message;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly subscriptionIds?: number[];
  /** The packet id while in flight; undefined while queued. */
  readonly packetId?: number;
  /** QoS 2: PUBREC received, PUBREL sent; only PUBCOMP is awaited. */
  readonly released: boolean;
}

/** The session row: what a session is, apart from its subscriptions and messages. */
export interface SessionRecord {
  readonly expiryInterval: number;
  /** Epoch ms at which a disconnected session ends; undefined while connected or when it never expires. */
  readonly expiresAt?: number;
  /** The will of the connection, kept while it may still be published. */
  readonly will?: Will;
  /** Epoch ms at which a pending will is due (connection ended, will delay running). */
  readonly willAt?: number;
}

/** A session as loaded at start-up. */
export interface StoredSession extends SessionRecord {
  readonly clientId: string;
  readonly subscriptions: ReadonlyMap<string, SubscriptionOptions>;
  /** Queued and in-flight messages in seq order. */
  readonly outgoing: StoredOutgoing[];
  /** Inbound QoS 2 packet ids that got PUBREC and await PUBREL. */
  readonly inboundQos2: number[];
}

/** Per-client state of persistent sessions (section 4.1). Clean sessions never reach a store. */
export interface SessionStore {
  /**
   * Everything stored. Sessions whose expiresAt has passed and messages whose message expiry has passed
   * are left out and deleted [MQTT-3.1.2-23][MQTT-3.3.2-5].
   */
  load(now: number): StoredSession[];
  putSession(clientId: string, record: SessionRecord): void;
  /** The session and everything that belongs to it. */
  deleteSession(clientId: string): void;
  putSubscription(clientId: string, filter: string, options: SubscriptionOptions): void;
  deleteSubscription(clientId: string, filter: string): void;
  /** Stores a message for the session; returns its seq. */
  addOutgoing(clientId: string, entry: Omit<StoredOutgoing, 'seq' | 'released'>): number;
  /** The message went into flight (packet id) or got PUBREC (released). */
  updateOutgoing(clientId: string, seq: number, packetId: number, released: boolean): void;
  deleteOutgoing(clientId: string, seq: number): void;
  addInbound(clientId: string, packetId: number): void;
  deleteInbound(clientId: string, packetId: number): void;
}

/** The durability barrier alone: what a session waits on before a QoS 2 PUBLISH leaves. */
export interface DurabilityBarrier {
  /** True while some writes are not yet durable (or the storage failed). */
  readonly pending: boolean;
  /** Settles once every write made before the call is durable; rejects when the storage failed. */
  flush(): Promise<void>;
}

/** One backend: both stores and the durability barrier they share. */
export interface Storage extends DurabilityBarrier {
  readonly sessions: SessionStore;
  readonly retained: RetainedStore;
  /**
   * flush() rejects when a write failed; the storage then stays failed (every later flush rejects), so
   * nothing is acknowledged that was not stored.
   */
  /** Commits what is pending and closes. */
  close(): Promise<void>;
  /** A short description for the start-up log: where and how durably. */
  readonly description: string;
}
