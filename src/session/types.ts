// The session seam: durable per-client state talks to whatever connection is attached through an outlet.
import type { QoS } from '../protocol/types.js';
import type { Message } from '../router/types.js';
import type { DropReason } from '../hooks/types.js';

/** One message addressed to one session, at the QoS and RETAIN flag granted for it. */
export interface Outgoing {
  readonly message: Message;
  readonly qos: QoS;
  readonly retain: boolean;
  readonly subscriptionIds?: number[];
  /** Where a persistent session's store keeps this delivery (StoredOutgoing.seq); set by the session. */
  seq?: number;
  /** The shared subscription group the copy was chosen for, if any (section 4.8.2). */
  readonly sharedGroup?: string;
}

/** The connection side of a session: the client that is attached to it now. */
export interface SessionOutlet {
  /** Undefined once written; else why it could not go out (the session drops it and reports that reason). */
  sendPublish(outgoing: Outgoing, packetId: number | undefined, dup: boolean): UnsentReason | undefined;
  sendPubrel(packetId: number): void;
  /** True while the socket is backed up: QoS 0 messages are dropped rather than buffered without bound. */
  readonly congested: boolean;
  /**
   * True while little is buffered for the socket, so a pulled stream (OutgoingSource) may write more. Once it is
   * false the socket's drain calls Session.pump() again.
   */
  readonly streamable: boolean;
}

/**
 * Messages a session pulls one at a time as its client takes them (a new subscription's retained messages),
 * instead of having them all pushed into its queue at once. Sources are kept in memory only.
 */
export interface OutgoingSource {
  /** Identifies the source: a new source with the same key replaces the old one (a repeated SUBSCRIBE). */
  readonly key: string;
  /** The next message to send, or undefined when the source is exhausted. */
  next(): Outgoing | undefined;
  /**
   * A live message on `topic` reached the session: the source must not send an older message for that topic
   * after it.
   */
  superseded(topic: string): void;
}

export interface SessionLimits {
  /** Outbound QoS 1/2 messages in flight at once (max_inflight_messages; 0 = no limit). */
  maxInflight: number;
  /**
   * max_inflight_bytes: more QoS 1/2 messages go into flight only while the payload bytes in flight are below
   * this (so one larger message still goes, alone). 0 or absent = no byte limit.
   */
  maxInflightBytes?: number;
  /** Messages held beyond the in-flight window (max_queued_messages; 0 = no limit). */
  maxQueued: number;
  /** Bytes of payload held in the queue (max_queued_bytes; 0 = no limit). */
  maxQueuedBytes: number;
  /** Queue QoS 0 messages for offline persistent sessions (queue_qos0_messages). */
  queueQos0: boolean;
  /** A full queue drops its oldest message instead of the new one (mosquitto drops the new one). */
  dropOldest?: boolean;
  /** Set only while hooks observe deliveries, so the QoS 0 path pays one undefined check. */
  onDelivered?: (clientId: string, outgoing: Outgoing) => void;
  /** Told of every message a session drops, once, with its reason: metrics and hooks (server.ts reportDrop). */
  onDropped?: (clientId: string, outgoing: Outgoing, reason: SessionDropReason) => void;
}

/** Why the connection could not write a PUBLISH. */
export type UnsentReason = Extract<DropReason, 'expired' | 'too_large' | 'disconnected'>;

/** The drops a session reports (a subset of the one DropReason union). */
export type SessionDropReason = Extract<DropReason, 'queue_full' | 'congested' | UnsentReason>;
