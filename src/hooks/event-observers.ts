// Broker events as JSON objects, shared by webhooks and the HTTP API's event stream: one observer per wanted
// event, so events nobody asked for cost the broker nothing.
import { topicMatches } from '../topic/match.js';
import type { BrokerHooks, HookClient, HookMessage, ObserverName } from './types.js';

export const BROKER_EVENTS = [
  'client_connected',
  'client_disconnected',
  'subscribed',
  'unsubscribed',
  'message_published',
  'message_delivered',
  'message_dropped',
  'auth_failed',
] as const;
export type BrokerEvent = (typeof BROKER_EVENTS)[number];

/** Which events to report; empty lists mean all. */
export interface EventSelection {
  readonly events: readonly string[];
  /** Topic filters for message events. */
  readonly topics: readonly string[];
  /** Only events about this client id (the publisher for message_published, the receiver otherwise). */
  readonly clientId?: string;
}

export type EventSink = (event: BrokerEvent, data: object) => void;
export type EventObservers = Pick<BrokerHooks, ObserverName>;

const MAX_PAYLOAD_IN_EVENT = 64 * 1024;

function clientJson(client: HookClient): object {
  return {
    clientId: client.clientId,
    username: client.username ?? null,
    remoteAddress: client.remoteAddress,
  };
}

function messageJson(message: HookMessage): object {
  const payload = message.payload.subarray(0, MAX_PAYLOAD_IN_EVENT);
  return {
    topic: message.topic,
    qos: message.qos,
    retain: message.retain,
    size: message.payload.length,
    payload: payload.toString('base64'),
    truncated: payload.length < message.payload.length,
  };
}

export function eventObservers(select: EventSelection, sink: EventSink): EventObservers {
  const wanted = new Set<string>(select.events.length === 0 ? BROKER_EVENTS : select.events);
  const { topics, clientId } = select;
  const topicWanted = (topic: string): boolean =>
    topics.length === 0 || topics.some((f) => topicMatches(f, topic));
  const about = (id: string): boolean => clientId === undefined || clientId === id;
  const observers: EventObservers = {};
  if (wanted.has('client_connected')) {
    observers.onConnected = (e) => {
      if (about(e.client.clientId)) {
        sink('client_connected', {
          client: clientJson(e.client),
          protocolVersion: e.protocolVersion,
          sessionPresent: e.sessionPresent,
        });
      }
    };
  }
  if (wanted.has('client_disconnected')) {
    observers.onDisconnected = (e) => {
      if (about(e.client.clientId))
        sink('client_disconnected', { client: clientJson(e.client), reason: e.reason });
    };
  }
  if (wanted.has('subscribed')) {
    observers.onSubscribed = (e) => {
      if (about(e.client.clientId)) {
        sink('subscribed', { client: clientJson(e.client), topicFilter: e.topicFilter, qos: e.qos });
      }
    };
  }
  if (wanted.has('unsubscribed')) {
    observers.onUnsubscribed = (e) => {
      if (about(e.client.clientId))
        sink('unsubscribed', { client: clientJson(e.client), topicFilter: e.topicFilter });
    };
  }
  if (wanted.has('message_published')) {
    observers.onPublished = (e) => {
      // Without a topic filter an envelope copy would repeat the envelope itself: only filters ask for copies.
      if (e.source === 'envelope' && topics.length === 0) return;
      if (!about(e.client.clientId) || !topicWanted(e.message.topic)) return;
      sink('message_published', {
        client: clientJson(e.client),
        message: messageJson(e.message),
        delivered: e.delivered,
        source: e.source ?? 'client',
      });
    };
  }
  if (wanted.has('message_delivered')) {
    observers.onDelivered = (e) => {
      if (!about(e.clientId) || !topicWanted(e.message.topic)) return;
      sink('message_delivered', { clientId: e.clientId, message: messageJson(e.message), qos: e.qos });
    };
  }
  if (wanted.has('message_dropped')) {
    observers.onDropped = (e) => {
      if (!about(e.clientId) || !topicWanted(e.message.topic)) return;
      sink('message_dropped', { clientId: e.clientId, message: messageJson(e.message), reason: e.reason });
    };
  }
  if (wanted.has('auth_failed')) {
    observers.onAuthFailed = (e) => {
      if (about(e.client.clientId))
        sink('auth_failed', { client: clientJson(e.client), reasonCode: e.reasonCode });
    };
  }
  return observers;
}
