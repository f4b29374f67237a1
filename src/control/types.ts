// The control surface of a running broker: what the HTTP API, embedding programs and tests may do besides
// MQTT. Plain data in and out; every publish goes through the same ACL, hooks and router as a client's.
import type { Properties, QoS } from '../protocol/types.js';
import type { BrokerHooks } from '../hooks/types.js';

/** The in-process publisher or API user a request acts as; ACLs see it like a client with these ids. */
export interface ControlIdentity {
  readonly clientId: string;
  readonly username: string | undefined;
  readonly superuser?: boolean;
  readonly remoteAddress?: string;
  /** Index of the listener (in Config.listeners) the request came in on, for per_listener_settings. */
  readonly listener?: number;
}

export interface PublishRequest {
  topic: string;
  payload: Buffer;
  qos: QoS;
  retain: boolean;
  properties?: Properties;
  /** Wait until this client acknowledges the message (QoS 1/2) or `timeoutMs` passes. */
  waitFor?: { clientId: string; timeoutMs: number };
}

export interface PublishResult {
  /** Subscribers with a connection that were handed the message now. */
  delivered: number;
  /** Offline persistent sessions that queued it. */
  queued: number;
  /** With waitFor: whether that client acknowledged in time. */
  acknowledged?: boolean;
}

export interface ClientFilter {
  clientId?: string;
  username?: string;
  /** Listener index in Config.listeners. */
  listener?: number;
  connected?: boolean;
}

export interface ClientInfo {
  clientId: string;
  username: string | undefined;
  connected: boolean;
  listener: number | undefined;
  remoteAddress: string | undefined;
  protocolVersion: number | undefined;
  keepalive: number | undefined;
  /** ISO 8601, while connected. */
  connectedSince: string | undefined;
  sessionExpiryInterval: number;
  subscriptionCount: number;
  inflight: number;
  queued: number;
  dropped: number;
  bytesIn: number;
  bytesOut: number;
  messagesIn: number;
  messagesOut: number;
}

export interface SubscriptionInfo {
  clientId: string;
  topicFilter: string;
  qos: QoS;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: number;
  subscriptionId?: number;
}

export interface RetainedInfo {
  topic: string;
  payload: Buffer;
  qos: QoS;
  properties?: Properties;
  /** ISO 8601 time the broker received it. */
  receivedAt: string;
}

/** A webhook to add at runtime; empty or missing lists mean every event / every topic. */
export interface WebhookRegistration {
  url: string;
  secret?: string;
  events?: string[];
  topics?: string[];
  /** Envelope message types: each adds the topic filter `$envelope/{type}/#`. */
  messageTypes?: string[];
}

export interface WebhookInfo {
  id: string;
  url: string;
  events: string[];
  topics: string[];
  /** Whether deliveries carry an HMAC signature (the secret itself is never shown). */
  signed: boolean;
  /** Events waiting to be sent. */
  queued: number;
  createdAt: string;
}

/** Which broker events a watcher gets; empty lists mean all. */
export interface WatchSelection {
  events: string[];
  /** Topic filters for message events. */
  topics: string[];
  clientId?: string;
}

/** Counters since start, for a console that turns them into rates (plain numbers, read at call time). */
export interface StatsSnapshot {
  /** Unix milliseconds when read. */
  time: number;
  uptimeSeconds: number;
  connections: number;
  sessions: number;
  subscriptions: number;
  retained: number;
  /** PUBLISH packets received from clients and sent to subscribers. */
  messagesIn: number;
  messagesOut: number;
  bytesIn: number;
  bytesOut: number;
  dropped: number;
  /** Logins the auth chain refused (CONNECT and API sign-in). */
  authFailures: number;
  /** Persistence group commits so far and their summed duration in seconds. */
  commits: number;
  commitSeconds: number;
}

export interface AuthAnswer {
  ok: boolean;
  superuser: boolean;
}

/** Reachable as `broker.control`. */
export interface BrokerControl {
  publish(request: PublishRequest, as: ControlIdentity): Promise<PublishResult>;
  clients(filter?: ClientFilter): ClientInfo[];
  client(clientId: string): (ClientInfo & { subscriptions: SubscriptionInfo[] }) | undefined;
  /** Disconnects a client (MQTT 5 clients get DISCONNECT with `reasonCode`, default 0x98). False if offline. */
  kick(clientId: string, reasonCode?: number): boolean;
  /** Ends a session (kicking its client first). False if there was none. */
  deleteSession(clientId: string): boolean;
  subscriptions(filter?: { clientId?: string; topicFilter?: string }): SubscriptionInfo[];
  retained(filter: string): RetainedInfo[];
  deleteRetained(topic: string): boolean;
  /** Username and password through the auth chain, as a client's CONNECT would be checked. */
  authenticate(
    username: string,
    password: string,
    from: { remoteAddress: string; listener?: number },
  ): Promise<AuthAnswer>;
  /** Registers hooks (observers and interceptors); the returned function removes them. */
  addHooks(hooks: BrokerHooks): () => void;
  /** Calls `sink` for each selected broker event (never awaited); the returned function stops it. */
  watch(selection: WatchSelection, sink: (event: string, data: object) => void): () => void;
  /** Runtime webhooks (kept in memory): add one, list them, remove one by id. */
  addWebhook(registration: WebhookRegistration): WebhookInfo;
  webhooks(): WebhookInfo[];
  removeWebhook(id: string): boolean;
  /** The broker's counters now (cheap: no iteration over clients or sessions). */
  stats(): StatsSnapshot;
  /** Prometheus text exposition of the broker's metrics. */
  metrics(): Promise<{ contentType: string; text: string }>;
  readonly sessionCount: number;
  readonly connectedCount: number;
}

/** A control request that cannot be done; `status` is the HTTP status that fits. */
export class ControlError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
    readonly reasonCode?: number,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ControlError';
  }
}
