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
  /** Set when another cluster node forwarded the message here: it is delivered locally, never forwarded again. */
  readonly fromNode?: string;
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

/** A subscriber the publisher of a routed message should wait for (its queue is long); see PublisherHold. */
export interface HoldingSubscriber {
  /** Settles when the subscriber has caught up, gone, or stalled. */
  holdBack(): Promise<void>;
}

/**
 * What one `route()` did. The router counts the matches; the sink fills in what became of each copy. One object
 * per routed message, so nothing about a route outlives it in shared state, and a delivery that publishes again
 * (an in-process hook) gets its own.
 */
export interface RouteResult {
  /** Local subscribers handed a copy (read ACL passed), connected or not: 0 means "no matching subscribers". */
  matched: number;
  /** Of those, copies handed to a connected subscriber's session now. */
  online: number;
  /** Of those, copies an offline session queued (or stored) for later. */
  queued: number;
  /** Other nodes (cluster members, worker threads) the message was collected for; see RemoteFanout. */
  remoteNodes: number;
  /** A connected subscriber the message queued behind at length: the publisher's next packets should wait. */
  holder: HoldingSubscriber | undefined;
}

export function emptyRouteResult(): RouteResult {
  return { matched: 0, online: 0, queued: 0, remoteNodes: 0, holder: undefined };
}

/** Where the router hands each matched (subscriber, message) pair. */
export interface DeliverySink {
  /** Hands one copy to a subscriber and records in `result` what became of it (online, queued, holder). */
  deliver(subscriberKey: string, message: Message, grant: Grant, result: RouteResult): void;
  /** Per-message read ACL: false drops the message for that subscriber [mosquitto checks READ per message]. */
  mayRead?(subscriberKey: string, topic: string): boolean;
  /** Whether the subscriber is connected now: shared subscriptions prefer members that are. */
  online?(subscriberKey: string): boolean;
  /** In a cluster: true when another node delivers this message to the shared group (its turn is elsewhere). */
  sharedElsewhere?(groupId: string, message: Message): boolean;
}

/**
 * The seam for subscribers on other nodes: a ClusterBus (Redis between machines, rings between worker threads,
 * see DESIGN.md and docs/MULTICORE.md) implements it and is plugged into `MessageDelivery`. Nothing implements it
 * yet; without one, routing is local only.
 */
export interface RemoteFanout {
  /**
   * Called once for each message published on this node, after local delivery. Looks the topic up in the
   * mirrored route table and collects the message for every node with a match; returns how many nodes that
   * is. It must not send per message: what one read of one connection routes is forwarded as one batch per
   * node at the end of that read (the turn in which the socket's output batch is flushed, process.nextTick).
   * Messages arriving from another node enter through `MessageDelivery.routeLocally` and are never collected
   * again.
   */
  collect(message: Message): number;
}
