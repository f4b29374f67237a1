// The router seam: what flows from a publisher to the subscribers, and the sink the router delivers into.
import type { Properties, QoS, RetainHandling } from '../protocol/types.js';
import type { PublishFrame } from '../protocol/publish-frame.js';

/** One application message on its way through the broker. Immutable once routed, except the frame cache. */
export interface Message {
  readonly topic: string;
  readonly payload: Buffer;
  readonly qos: QoS;
  readonly retain: boolean;
  /** MQTT 5 publish properties to forward (never topicAlias or subscriptionIdentifiers: those are per hop). */
  readonly properties?: Properties;
  /** Client id of the publisher, for no-local; undefined for in-process publishers ($SYS, API). */
  readonly origin?: string;
  /** Date.now() when received, for message expiry. */
  readonly receivedAt: number;
  /** Encoded PUBLISH frames, one per protocol version x QoS x retain flag, filled lazily on delivery. */
  frames?: (PublishFrame | undefined)[];
  /** The copy of this message that owns its payload bytes, made once when a session has to keep it. */
  owned?: Message;
}

/** What a client asked for with one SUBSCRIBE entry. */
export interface SubscriptionOptions {
  readonly qos: QoS;
  readonly noLocal: boolean;
  readonly retainAsPublished: boolean;
  readonly retainHandling: RetainHandling;
  readonly subscriptionId?: number;
}

/** How one message reaches one subscriber: the QoS it gets and how the RETAIN flag is set. */
export interface Grant {
  qos: QoS;
  retain: boolean;
  /** MQTT 5: the identifiers of every matching subscription that carries one. */
  subscriptionIds?: number[];
  /** Set when the copy comes from a shared subscription: the group's id ("{ShareName}/{filter}"). */
  sharedGroup?: string;
}

/** Where the router hands each matched (subscriber, message) pair. */
export interface DeliverySink {
  deliver(subscriberKey: string, message: Message, grant: Grant): void;
  /** Per-message read ACL: false drops the message for that subscriber [mosquitto checks READ per message]. */
  mayRead?(subscriberKey: string, topic: string): boolean;
  /** Whether the subscriber is connected now: shared subscriptions prefer members that are. */
  online?(subscriberKey: string): boolean;
}
