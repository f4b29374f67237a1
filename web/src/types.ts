// Shapes of the HTTP API's answers the console reads (see /api/v1/openapi.json).
export interface ClientInfo {
  clientId: string;
  username?: string;
  connected: boolean;
  listener?: number;
  remoteAddress?: string;
  protocolVersion?: number;
  keepalive?: number;
  connectedSince?: string;
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
  qos: number;
  noLocal: boolean;
  retainAsPublished: boolean;
  retainHandling: number;
}

export const PROTOCOLS: Record<number, string> = { 3: 'MQTT 3.1', 4: 'MQTT 3.1.1', 5: 'MQTT 5.0' };

/** Event stream names (BROKER_EVENTS) the console listens to; message_delivered is left out: it costs an
 *  observer call per delivered message. */
export const CLIENT_EVENTS = [
  'client_connected',
  'client_disconnected',
  'subscribed',
  'unsubscribed',
  'message_published',
  'message_dropped',
  'auth_failed',
];
