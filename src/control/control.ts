import type { Identity } from '../auth/types.js';
import type { ClientLink } from '../handlers/context.js';
import type { BrokerHooks } from '../hooks/types.js';
import { BrokerMetrics } from '../observability/metrics.js';
import { ReasonCode } from '../protocol/reason-codes.js';
import type { Router } from '../router/router.js';
import type { Session } from '../session/session.js';
import type { SessionRegistry } from '../session/registry.js';
import { LATENCY_SAMPLE_EVERY } from '../sys/stats.js';
import { listenerId, listenerIndex } from '../config/listener-id.js';
import { isValidTopicName } from '../topic/validate.js';
import { ControlPublisher, type PublishDeps } from './publish.js';
import type {
  AuthAnswer,
  BrokerControl,
  ClientFilter,
  ClientInfo,
  ControlIdentity,
  PublishRequest,
  PublishResult,
  RetainedInfo,
  StatsSnapshot,
  SubscriptionInfo,
  WatchSelection,
  WebhookInfo,
  WebhookRegistration,
} from './types.js';
import { eventObservers } from '../hooks/event-observers.js';
import { WebhookRegistry } from './webhook-registry.js';

export interface ControlDeps extends PublishDeps {
  sessions: SessionRegistry;
  clients: ReadonlyMap<string, ClientLink>;
  router: Router;
  /** Logs what the operator should hear about (a runtime webhook that gave up on an event). */
  warn?(message: string): void;
}

/** The broker's control surface (BrokerControl) over its registry, router and auth chain. */
export class Control implements BrokerControl {
  readonly #deps: ControlDeps;
  readonly #publisher: ControlPublisher;
  /** Made at the first scrape: most brokers are never asked for metrics. */
  #metrics: BrokerMetrics | undefined;
  readonly #webhooks: WebhookRegistry;

  constructor(deps: ControlDeps) {
    this.#deps = deps;
    this.#publisher = new ControlPublisher(deps);
    this.#webhooks = new WebhookRegistry(deps.hooks, deps.stats, (message) => deps.warn?.(message));
  }

  get sessionCount(): number {
    return this.#deps.sessions.size;
  }

  get connectedCount(): number {
    return this.#deps.clients.size;
  }

  publish(request: PublishRequest, as: ControlIdentity): Promise<PublishResult> {
    return this.#publisher.publish(request, identityOf(as));
  }

  clients(filter: ClientFilter = {}): ClientInfo[] {
    const found: ClientInfo[] = [];
    for (const session of this.#deps.sessions.all()) {
      const info = this.#info(session);
      if (filter.clientId !== undefined && !info.clientId.includes(filter.clientId)) continue;
      if (filter.username !== undefined && info.username !== filter.username) continue;
      if (filter.listener !== undefined && info.listener !== filter.listener) continue;
      if (filter.connected !== undefined && info.connected !== filter.connected) continue;
      found.push(info);
    }
    return found.sort((a, b) => (a.clientId < b.clientId ? -1 : a.clientId > b.clientId ? 1 : 0));
  }

  client(clientId: string): (ClientInfo & { subscriptions: SubscriptionInfo[] }) | undefined {
    const session = this.#deps.sessions.get(clientId);
    if (session === undefined) return undefined;
    return { ...this.#info(session), subscriptions: subscriptionsOf(session) };
  }

  #info(session: Session): ClientInfo {
    const link = this.#deps.clients.get(session.clientId);
    const live = link !== undefined && link.session === session ? link : undefined;
    const identity = live?.identity ?? session.identity;
    const traffic = live?.traffic;
    return {
      clientId: session.clientId,
      username: identity?.username,
      connected: live !== undefined,
      listener: identity === undefined ? undefined : listenerIndex(identity.listenerId),
      remoteAddress: live?.remoteAddress,
      protocolVersion: live?.protocolVersion,
      keepalive: live?.keepalive,
      connectedSince: live === undefined ? undefined : new Date(live.connectedAt).toISOString(),
      sessionExpiryInterval: session.expiryInterval,
      subscriptionCount: session.subscriptionCount,
      inflight: session.inflightCount,
      queued: session.queuedCount,
      dropped: session.dropped,
      bytesIn: traffic?.bytesIn ?? 0,
      bytesOut: traffic?.bytesOut ?? 0,
      messagesIn: traffic?.publishIn ?? 0,
      messagesOut: traffic?.publishOut ?? 0,
    };
  }

  kick(clientId: string, reasonCode: number = ReasonCode.AdministrativeAction): boolean {
    const link = this.#deps.clients.get(clientId);
    if (link === undefined) return false;
    // Not a client DISCONNECT: the will goes out, as for any connection that ends without one.
    link.close(true, 'kicked by an administrator', reasonCode);
    return true;
  }

  deleteSession(clientId: string): boolean {
    this.kick(clientId);
    const session = this.#deps.sessions.get(clientId);
    if (session === undefined) return false;
    this.#deps.sessions.end(session);
    return true;
  }

  subscriptions(filter: { clientId?: string; topicFilter?: string } = {}): SubscriptionInfo[] {
    const found: SubscriptionInfo[] = [];
    const sessions =
      filter.clientId === undefined ? this.#deps.sessions.all() : [this.#deps.sessions.get(filter.clientId)];
    for (const session of sessions) {
      if (session === undefined) continue;
      for (const info of subscriptionsOf(session)) {
        if (filter.topicFilter === undefined || info.topicFilter === filter.topicFilter) found.push(info);
      }
    }
    return found;
  }

  retained(filter: string): RetainedInfo[] {
    return this.#deps.router.retainedFor(filter).map((m) => ({
      topic: m.topic,
      payload: m.payload,
      qos: m.qos,
      properties: m.properties,
      receivedAt: new Date(m.receivedAt).toISOString(),
    }));
  }

  deleteRetained(topic: string): boolean {
    if (!isValidTopicName(topic)) return false;
    return this.#deps.router.clearRetained(topic);
  }

  async authenticate(
    username: string,
    password: string,
    from: { remoteAddress: string; listener?: number },
  ): Promise<AuthAnswer> {
    const result = await this.#deps.auth.authenticate({
      clientId: `api:${username}`,
      username,
      password: Buffer.from(password, 'utf8'),
      remoteAddress: from.remoteAddress,
      listenerId: listenerId(from.listener ?? -1),
    });
    return { ok: result.decision === 'allow', superuser: result.superuser === true };
  }

  addHooks(hooks: BrokerHooks): () => void {
    return this.#deps.hooks.add(hooks);
  }

  watch(selection: WatchSelection, sink: (event: string, data: object) => void): () => void {
    return this.#deps.hooks.add({ name: 'api-events', ...eventObservers(selection, sink) });
  }

  addWebhook(registration: WebhookRegistration): WebhookInfo {
    return this.#webhooks.add(registration);
  }

  webhooks(): WebhookInfo[] {
    return this.#webhooks.list();
  }

  removeWebhook(id: string): boolean {
    return this.#webhooks.remove(id);
  }

  stats(): StatsSnapshot {
    const { stats, router, sessions, clients } = this.#deps;
    return {
      time: Date.now(),
      uptimeSeconds: stats.uptimeSeconds,
      connections: clients.size,
      sessions: sessions.size,
      subscriptions: router.subscriptionCount,
      retained: router.retainedCount,
      messagesIn: stats.publishReceived,
      messagesOut: stats.publishSent,
      bytesIn: stats.bytesReceived,
      bytesOut: stats.bytesSent,
      dropped: stats.publishDropped,
      authFailures: stats.authDecisions.get('chain\u0000authenticate\u0000deny') ?? 0,
      commits: stats.commitSeconds.count,
      commitSeconds: stats.commitSeconds.sum,
    };
  }

  async metrics(): Promise<{ contentType: string; text: string }> {
    const { stats, router, sessions, clients } = this.#deps;
    let inflight = 0;
    let queued = 0;
    for (const session of sessions.all()) {
      inflight += session.inflightCount;
      queued += session.queuedCount;
    }
    const metrics = (this.#metrics ??= new BrokerMetrics());
    const text = await metrics.render({
      connections: clients.size,
      connectionsTotal: stats.connectionsTotal,
      sessions: sessions.size,
      subscriptions: router.subscriptionCount,
      retained: router.retainedCount,
      receivedByQos: stats.receivedByQos,
      sentByQos: stats.sentByQos,
      bytesReceived: stats.bytesReceived,
      bytesSent: stats.bytesSent,
      publishBytesReceived: stats.publishBytesReceived,
      publishBytesSent: stats.publishBytesSent,
      droppedByReason: stats.droppedByReason,
      authDecisions: [...stats.authDecisions].map(([key, n]) => {
        const [provider = '', check = '', decision = ''] = key.split('\u0000');
        return [provider, check, decision, n] as const;
      }),
      inflight,
      queued,
      histograms: [
        {
          name: 'midge_publish_latency_seconds',
          help:
            "Time to hand a PUBLISH to every matching subscriber's connection or queue " +
            `(one in ${LATENCY_SAMPLE_EVERY} client PUBLISH packets of any QoS, and every API publish)`,
          histogram: stats.latency,
        },
        {
          name: 'midge_store_commit_seconds',
          help: 'Persistence: duration of each group commit (with fsync when persistence_sync is full)',
          histogram: stats.commitSeconds,
        },
        {
          name: 'midge_store_commit_writes',
          help: 'Persistence: writes (queued messages, sessions, retained, acknowledgements) per group commit',
          histogram: stats.commitWrites,
        },
      ],
      extra: stats.extra,
    });
    return { contentType: metrics.contentType, text };
  }
}

function identityOf(as: ControlIdentity): Identity {
  return {
    clientId: as.clientId,
    username: as.username,
    remoteAddress: as.remoteAddress ?? 'in-process',
    listenerId: listenerId(as.listener ?? -1),
    superuser: as.superuser === true ? true : undefined,
  };
}

function subscriptionsOf(session: Session): SubscriptionInfo[] {
  return [...session.subscriptions].map(([topicFilter, o]) => ({
    clientId: session.clientId,
    topicFilter,
    qos: o.qos,
    noLocal: o.noLocal,
    retainAsPublished: o.retainAsPublished,
    retainHandling: o.retainHandling,
    subscriptionId: o.subscriptionId,
  }));
}
