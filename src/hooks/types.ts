// The hooks seam (DESIGN.md): interceptors in the present tense are awaited and may modify or reject;
// observers in the past tense only watch, are never awaited, and their errors are logged, not raised.
import type { Properties, QoS } from '../protocol/types.js';

/** Who did something, as the broker knows them. In-process publishers (API, envelope) have their own ids. */
export interface HookClient {
  readonly clientId: string;
  readonly username: string | undefined;
  readonly remoteAddress: string;
  readonly listenerId: string;
}

/** A message as hooks see it; `payload` must be treated as read-only. */
export interface HookMessage {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties?: Properties;
}

/** An interceptor's answer: undefined lets the packet through unchanged. */
export type Verdict<T> = undefined | { reject: number; reason?: string } | { modify: T };

export interface ConnectEvent {
  readonly client: HookClient;
  readonly protocolVersion: number;
  readonly clean: boolean;
  readonly keepalive: number;
}

export interface PublishEvent {
  readonly client: HookClient;
  readonly message: HookMessage;
}

export interface SubscribeEvent {
  readonly client: HookClient;
  readonly topicFilter: string;
  readonly qos: QoS;
}

/**
 * Where a routed message came from: a client's PUBLISH (also when undefined), the HTTP API or another in-process
 * publisher, a will, or the broker's `$envelope/{message_type}/...` copy of a verified envelope. $SYS updates
 * are not reported (as in mosquitto and EMQX, they are broker state, not message traffic).
 */
export type PublishSource = 'client' | 'api' | 'will' | 'envelope';

/**
 * Why a message was dropped: the one vocabulary of hooks, metrics (`midge_messages_dropped_total{reason}`) and
 * `$SYS/broker/publish/messages/dropped`. A publish refused at admission (handlers/admission.ts): `too_large`
 * (message_size_limit), `not_authorized`, `rejected_by_hook`, `bad_payload_format`. A copy a subscriber's session
 * could not send: `queue_full`, `congested` (QoS 0 while the socket is backed up), `too_large` (above the
 * client's Maximum Packet Size), `expired` (Message Expiry Interval passed), `disconnected` (the connection
 * closed while it was being written). `memory_limit`: a PUBLISH refused while memory_limit is reached.
 */
export type DropReason =
  | 'queue_full'
  | 'congested'
  | 'too_large'
  | 'expired'
  | 'disconnected'
  | 'not_authorized'
  | 'rejected_by_hook'
  | 'bad_payload_format'
  | 'memory_limit';

export interface BrokerHooks {
  /** A name for logs and metrics. */
  readonly name?: string;
  // Interceptors: awaited, in registration order; the first reject wins; modifications chain.
  onConnect?(event: ConnectEvent): Verdict<never> | Promise<Verdict<never>>;
  onPublish?(event: PublishEvent): Verdict<HookMessage> | Promise<Verdict<HookMessage>>;
  onSubscribe?(event: SubscribeEvent): Verdict<{ qos: QoS }> | Promise<Verdict<{ qos: QoS }>>;
  // Observers: called after the fact, never awaited.
  onConnected?(event: { client: HookClient; protocolVersion: number; sessionPresent: boolean }): void;
  onDisconnected?(event: { client: HookClient; reason: string }): void;
  onSubscribed?(event: { client: HookClient; topicFilter: string; qos: QoS }): void;
  onUnsubscribed?(event: { client: HookClient; topicFilter: string }): void;
  /** A message was routed: `delivered` subscribers got it now. */
  onPublished?(event: {
    client: HookClient;
    message: HookMessage;
    delivered: number;
    source?: PublishSource;
  }): void;
  /** A subscriber acknowledged (QoS 1/2) or was sent (QoS 0) a message. */
  onDelivered?(event: { clientId: string; message: HookMessage; qos: QoS }): void;
  onDropped?(event: { clientId: string; message: HookMessage; reason: DropReason }): void;
  onAuthFailed?(event: { client: HookClient; reasonCode: number }): void;
  /** The broker stops: flush and release. */
  close?(): Promise<void> | void;
}

export type ObserverName =
  | 'onConnected'
  | 'onDisconnected'
  | 'onSubscribed'
  | 'onUnsubscribed'
  | 'onPublished'
  | 'onDelivered'
  | 'onDropped'
  | 'onAuthFailed';

export type ObserverEvent<K extends ObserverName> = Parameters<NonNullable<BrokerHooks[K]>>[0];
