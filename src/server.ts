// The composition root: builds listeners, stores, the auth chain, the router and the engine from a Config.
// With server-auth.ts (the auth chain and store) and server-listeners.ts, the only files that name
// implementations.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { resolveConfig } from './config/schema.js';
import type { Config, ConfigInput } from './config/schema.js';
import type { Router } from './router/router.js';
import type { Message } from './router/types.js';
import { MessageDelivery } from './session/delivery.js';
import { SessionRegistry } from './session/registry.js';
import { NEVER_EXPIRES, type Session } from './session/session.js';
import { WillScheduler, willMessage } from './session/will.js';
import type { AuthChecks } from './auth/types.js';
import { buildAuth } from './server-auth.js';
import { createListener } from './server-listeners.js';
import { BrokerStats } from './sys/stats.js';
import { SysPublisher } from './sys/publisher.js';
import { Client } from './client/client.js';
import type { BrokerContext, ClientLink, Durability, EngineSettings } from './handlers/context.js';
import { MemoryGuard } from './sys/memory-guard.js';
import { MemoryRetainedStore } from './store/memory/retained.js';
import { openSqliteStorage } from './store/sqlite/storage.js';
import type { RetainedStore, Storage } from './store/types.js';
import type { Connection, Listener, ListenerAddress } from './transport/types.js';
import { ReasonCode } from './protocol/reason-codes.js';
import { VERSION } from './util/version.js';
import { HookRunner } from './hooks/runner.js';
import type { DropReason, HookClient, HookMessage, PublishSource } from './hooks/types.js';
import { Control } from './control/control.js';
import type { BrokerControl } from './control/types.js';
import type { Outgoing, SessionLimits } from './session/types.js';
import { listenerId } from './config/listener-id.js';
import { registerConfiguredHooks } from './control/hooks-setup.js';
import { ClusterClients, ClusterGlue, clusterNodeId, openClusterSessionStorage } from './server-cluster.js';
import type { ClusterBus } from './cluster/types.js';
import type { LogTopicSink } from './observability/log-topic.js';
import { peerOf } from './observability/connection-log.js';
import {
  attachLogTopic,
  connectionLogFor,
  loggerFromConfig,
  observeSubscriptionLog,
} from './server-logging.js';

const PROTOCOL_MAX_PACKET = 268435455 + 5;

export interface BrokerOptions {
  logger?: Logger;
  /** The `log_dest topic` sink the logger writes to (loggerOptionsFor gives it); the broker publishes its lines. */
  logTopic?: LogTopicSink;
}

export interface Broker {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Where each started listener listens (port 0 in the config becomes the real port here). */
  addresses(): ListenerAddress[];
  readonly config: Config;
  /** Publish as an identity, list and kick clients, sessions, subscriptions, retained, hooks, metrics. */
  readonly control: BrokerControl;
}

export function createBroker(config: ConfigInput = {}, options: BrokerOptions = {}): Broker {
  const resolved = resolveConfig(config);
  if (options.logger !== undefined) return new MidgeBroker(resolved, options.logger, options.logTopic);
  const { logger, topic } = loggerFromConfig(resolved);
  return new MidgeBroker(resolved, logger, topic);
}

function engineSettings(config: Config): EngineSettings {
  const maxPacketSize = config.maxPacketSize > 0 ? config.maxPacketSize : PROTOCOL_MAX_PACKET;
  return {
    maxKeepalive: config.maxKeepalive,
    maxPacketSize,
    messageSizeLimit: config.messageSizeLimit,
    allowZeroLengthClientId: config.allowZeroLengthClientId,
    autoIdPrefix: config.autoIdPrefix,
    clientIdPrefixes: config.clientIdPrefixes ?? '',
    redirect:
      config.serverMoved !== undefined
        ? { reasonCode: ReasonCode.ServerMoved, serverReference: config.serverMoved }
        : config.useAnotherServer !== undefined
          ? { reasonCode: ReasonCode.UseAnotherServer, serverReference: config.useAnotherServer }
          : undefined,
    retainAvailable: config.retainAvailable,
    upgradeOutgoingQos: config.upgradeOutgoingQos,
    maxQos: 2,
    // Like mosquitto, max_inflight_messages is also the Receive Maximum offered to MQTT 5 clients.
    receiveMaximum: config.maxInflightMessages > 0 ? config.maxInflightMessages : 65535,
    persistentClientExpiration:
      config.persistentClientExpiration > 0 ? config.persistentClientExpiration : NEVER_EXPIRES,
    websocketPorts: [],
  };
}

class MidgeBroker implements Broker {
  readonly config: Config;
  readonly #log: Logger;
  readonly #logTopic: LogTopicSink | undefined;
  /** The port of each listener id, for "New connection from ... on port N." */
  readonly #ports = new Map<string, number>();
  readonly #stats = new BrokerStats();
  readonly #settings: EngineSettings;
  readonly #sessions: SessionRegistry;
  readonly #wills: WillScheduler;
  readonly #delivery: MessageDelivery;
  readonly #router: Router;
  readonly #auth: AuthChecks;
  readonly #clients: Map<string, ClientLink>;
  readonly #connections = new Set<Connection>();
  readonly #listeners: Listener[] = [];
  readonly #addresses: ListenerAddress[] = [];
  /** max_topic_alias per listener id (a listener section may set its own). */
  readonly #topicAliasMaximum = new Map<string, number>();
  readonly #sys: SysPublisher;
  readonly #ctx: BrokerContext;
  /** Persistence, opened by start(); the router reaches the retained store through #retained. */
  #storage: Storage | undefined;
  #retained: RetainedStore = new MemoryRetainedStore();
  readonly #hooks: HookRunner;
  readonly control: Control;
  /** Set with cluster_* directives; the bus exists once start() joined the cluster. */
  readonly #cluster: ClusterGlue | undefined;
  #bus: ClusterBus | undefined;

  constructor(config: Config, log: Logger, logTopic: LogTopicSink | undefined) {
    this.config = config;
    this.#log = log;
    this.#logTopic = logTopic;
    this.#settings = engineSettings(config);
    this.#clients = config.cluster === undefined ? new Map() : new ClusterClients();
    this.#wills = new WillScheduler((message) => this.#publishObserved(message, 'will'), {
      held: (clientId, will, at) => this.#sessions.keepWill(clientId, will, at),
      released: (clientId) => this.#sessions.keepWill(clientId, undefined),
    });
    const limits: SessionLimits = {
      maxInflight: config.maxInflightMessages,
      maxInflightBytes: config.maxInflightBytes,
      maxQueued: config.maxQueuedMessages,
      maxQueuedBytes: config.maxQueuedBytes,
      queueQos0: config.queueQos0Messages,
      dropOldest: config.queueOverflow === 'drop_oldest',
    };
    this.#sessions = new SessionRegistry(limits, (session) => {
      this.#forgetSubscriptions(session);
      this.#cluster?.sessionEnded(session);
      this.#wills.sessionEnded(session.clientId); // [MQTT-3.1.3-9] a delayed will goes out when its session ends
    });
    this.#hooks = new HookRunner(log);
    observeSubscriptionLog(config, log, this.#hooks);
    this.#hooks.onChange = () => {
      limits.onDelivered = this.#hooks.observing.onDelivered ? this.#emitDelivered : undefined;
    };
    limits.onDropped = (clientId, outgoing, reason) => this.#reportDrop(clientId, outgoing.message, reason);
    const auth = buildAuth(config, log, this.#stats);
    this.#auth = auth;
    const retained = (): RetainedStore => this.#retained;
    this.#delivery = new MessageDelivery({
      sessions: this.#sessions,
      retained: {
        set: (topic, message) => retained().set(topic, message),
        match: (filter) => retained().match(filter),
        get size() {
          return retained().size;
        },
      },
      authorizeRead: auth.hasAcl ? (who, topic) => auth.authorizeRead(who, topic) : undefined,
    });
    this.#router = this.#delivery.router;
    this.#router.upgradeOutgoingQos = config.upgradeOutgoingQos;
    this.#sys = new SysPublisher({
      stats: this.#stats,
      version: VERSION,
      sessionCount: () => this.#sessions.size,
      subscriptionCount: () => this.#router.subscriptionCount,
      retainedCount: () => this.#router.retainedCount,
      retainedBytes: () => this.#router.retainedFor('#').reduce((n, m) => n + m.payload.length, 0),
      sessionTotals: () => {
        const totals = { inflight: 0, queued: 0, queuedBytes: 0 };
        for (const session of this.#sessions.all()) {
          totals.inflight += session.inflightCount;
          totals.queued += session.queuedCount;
          totals.queuedBytes += session.queuedBytes;
        }
        return totals;
      },
      expiredCount: () => this.#sessions.expired,
      publish: (message) => this.#delivery.route(message),
    });
    this.#ctx = {
      settings: this.#settings,
      log,
      connectionLog: connectionLogFor(config, log),
      sessions: this.#sessions,
      wills: this.#wills,
      router: this.#router,
      auth: this.#auth,
      stats: this.#stats,
      hooks: this.#hooks,
      clients: this.#clients,
      publish: (message) => this.#delivery.route(message),
      assignClientId: () => `${config.autoIdPrefix}${randomUUID()}`,
      durability: config.persistence || config.cluster !== undefined ? this.#durability() : undefined,
      memory: config.memoryLimit > 0 ? new MemoryGuard(config.memoryLimit) : undefined,
      dropped: this.#reportDrop,
    };
    if (config.cluster !== undefined) {
      const glue = new ClusterGlue(
        {
          router: this.#router,
          sessions: this.#sessions,
          clients: this.#clients,
          log,
          deliverLocal: (message) => this.#delivery.routeLocally(message),
          publishWill: (clientId, will) => this.#publishObserved(willMessage(clientId, will), 'will'),
          sharedSessions: () =>
            config.cluster?.sessionStore === 'redis' ? this.#storage?.sessions : undefined,
        },
        config.cluster,
        clusterNodeId(config, config.cluster),
      );
      this.#cluster = glue;
      this.#ctx = { ...this.#ctx, cluster: glue };
      this.#router.onRouteChange = (filter, added) => glue.routeChanged(filter, added);
    }
    this.control = new Control({
      sessions: this.#sessions,
      clients: this.#clients,
      router: this.#router,
      auth: this.#auth,
      hooks: this.#hooks,
      stats: this.#stats,
      settings: this.#settings,
      log,
      route: (message) => this.#delivery.route(message),
      dropped: this.#reportDrop,
      warn: (message) => log.warn(message),
    });
  }

  /** The one place a dropped message is reported: counted by reason, told to onDropped observers. */
  readonly #reportDrop = (clientId: string, message: HookMessage, reason: DropReason): void => {
    this.#stats.drop(reason);
    if (this.#hooks.observing.onDropped) this.#hooks.emit('onDropped', { clientId, message, reason });
  };

  readonly #emitDelivered = (clientId: string, outgoing: Outgoing): void => {
    this.#hooks.emit('onDelivered', { clientId, message: outgoing.message, qos: outgoing.qos });
  };

  /** Routes a will or an envelope copy and tells onPublished observers (webhooks) what it came from. */
  #publishObserved(message: Message, source: PublishSource, client?: HookClient): void {
    const { matched: delivered } = this.#delivery.route(message);
    if (!this.#hooks.observing.onPublished) return;
    const clientId = message.origin ?? '';
    const from = client ??
      this.#sessions.get(clientId)?.identity ?? {
        clientId,
        username: undefined,
        remoteAddress: '',
        listenerId: '',
      };
    this.#hooks.emit('onPublished', { client: from, message, delivered, source });
  }

  #forgetSubscriptions(session: Session): void {
    if (session.subscriptionCount === 0) return;
    for (const filter of session.subscriptions.keys()) this.#router.unsubscribe(session.clientId, filter);
  }

  async start(): Promise<void> {
    const log = this.#log;
    log.info(`midge ${VERSION} starting`);
    for (const note of this.config.notes) log.warn(note);
    attachLogTopic(this.#logTopic, (message) => this.#delivery.route(message));
    await this.#auth.start();
    if (this.config.persistence || this.config.cluster?.sessionStore === 'redis') await this.#openStorage();
    if (this.#cluster !== undefined) {
      const bus = await this.#cluster.start();
      this.#bus = bus;
      this.#delivery.remote = bus;
      this.#router.sharedElsewhere = (groupId, message) => bus.sharedElsewhere(groupId, message);
    }
    await registerConfiguredHooks(this.config, {
      hooks: this.#hooks,
      stats: this.#stats,
      warn: (message) => log.warn(message),
      publish: (message, client) =>
        this.#publishObserved({ ...message, receivedAt: Date.now() }, 'envelope', client),
    });
    for (const [index, listenerConfig] of this.config.listeners.entries()) {
      // The HTTP API is served by src/api (an app on the public handle), not by the MQTT engine.
      if (listenerConfig.protocol === 'http_api') continue;
      const listener = createListener(
        listenerConfig,
        listenerId(index),
        this.#settings.maxPacketSize,
        (message, remote) => log.info({ remote, listener: listenerId(index) }, message),
        this.config.setTcpNodelay,
      );
      this.#topicAliasMaximum.set(
        listenerId(index),
        listenerConfig.maxTopicAlias ?? this.config.maxTopicAlias,
      );
      const address = await listener.listen((connection) => this.#accept(connection));
      this.#listeners.push(listener);
      this.#addresses.push(address);
      if (listener.kind === 'websocket') this.#settings.websocketPorts.push(address.port);
      this.#ports.set(listenerId(index), address.port);
      this.#log.info(`listening on ${address.host}:${address.port} (${address.protocol})`);
    }
    this.#sys.start(this.config.sysInterval);
    if (this.config.localOnlyMode) {
      log.info(
        'no listener configured: local only mode, loopback connections only, anonymous access allowed',
      );
    } else if (this.config.allowAnonymous) {
      log.warn('allow_anonymous true: clients may connect without a username');
    }
  }

  #accept(connection: Connection): void {
    const max = this.config.maxConnections;
    if (max >= 0 && this.#connections.size >= max) {
      this.#ctx.connectionLog?.denied(
        peerOf(connection.remoteAddress, connection.remotePort),
        'max_connections exceeded',
      );
      connection.close(true);
      return;
    }
    this.#connections.add(connection);
    this.#stats.connectionsTotal++;
    this.#ctx.connectionLog?.opened(
      peerOf(connection.remoteAddress, connection.remotePort),
      this.#ports.get(connection.listenerId),
    );
    connection.onClose(() => this.#connections.delete(connection));
    new Client(this.#ctx, connection, {
      maxPacketSize: this.#settings.maxPacketSize,
      connectTimeoutMs: 10_000,
      topicAliasMaximum: this.#topicAliasMaximum.get(connection.listenerId) ?? this.config.maxTopicAlias,
    });
  }

  #durability(): Durability {
    const storage = (): Storage | undefined => this.#storage;
    const bus = (): ClusterBus | undefined => this.#bus;
    return {
      // In a cluster a QoS 1/2 acknowledgement also waits until every node that must deliver the message
      // holds it in its inbound stream (issue 13).
      get pending() {
        return (storage()?.pending ?? false) || (bus()?.pending ?? false);
      },
      flush: () => {
        const cluster = bus();
        const stored = storage()?.flush() ?? Promise.resolve();
        return cluster === undefined || !cluster.pending
          ? stored
          : Promise.all([stored, cluster.flush()]).then(() => undefined);
      },
      failed: (client, error) => {
        if ((error as Error).message.startsWith('MIDGE_CLUSTER')) {
          this.#log.warn(
            { clientId: client.identity?.clientId, err: error },
            'cluster: a message could not reach another node; not acknowledged, disconnecting the publisher so it sends again',
          );
          client.close(true, 'cluster forward failed', ReasonCode.ImplementationSpecificError);
          return;
        }
        this.#log.error(
          { clientId: client.identity?.clientId, err: error },
          'MIDGE_STORE_WRITE_FAILED: not acknowledged; disconnecting the client so it sends again later',
        );
        client.close(true, 'storage failed', ReasonCode.ImplementationSpecificError);
      },
    };
  }

  /** Opens the database, then brings back sessions (with their subscriptions) and retained messages. */
  async #openStorage(): Promise<void> {
    const { config } = this;
    const log = this.#log;
    const file = join(config.persistenceLocation, config.persistenceFile);
    const cluster = config.cluster;
    let storage: Storage;
    try {
      storage =
        cluster?.sessionStore === 'redis'
          ? await openClusterSessionStorage(cluster, clusterNodeId(config, cluster), log, (seconds, writes) =>
              this.#stats.observeCommit(seconds, writes),
            )
          : await openSqliteStorage({
              file,
              sync: config.persistenceSync,
              onCommit: (seconds, writes) => this.#stats.observeCommit(seconds, writes),
              onFailure: (error) =>
                log.fatal(
                  { err: error },
                  `MIDGE_STORE_WRITE_FAILED: writing ${file} failed. Nothing that needs storing is acknowledged any more ` +
                    'and its publishers are disconnected; fix the cause (disk full? permissions?) and restart midge',
                ),
            });
    } catch (error) {
      const where = cluster?.sessionStore === 'redis' ? 'the cluster session store in Redis' : file;
      throw new Error(`MIDGE_STORE_OPEN: cannot open ${where}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    this.#storage = storage;
    this.#retained = storage.retained;
    this.#sessions.store = storage.sessions;
    this.#sessions.barrier = storage;
    const now = Date.now();
    const loaded = storage.sessions.load(now);
    const sessions = this.#sessions.restore(loaded, now);
    for (const session of sessions) {
      for (const [filter, options] of session.subscriptions)
        this.#router.subscribe(session.clientId, filter, options);
    }
    // Wills: a held one keeps its time; a connected client's connection ended with the broker, so its will
    // goes out after its delay from now [MQTT-3.1.2-8]. Either way never later than the session [MQTT-3.1.3-9].
    for (const record of loaded) {
      if (record.will === undefined) continue;
      const delay =
        record.willAt !== undefined
          ? Math.max(0, Math.ceil((record.willAt - now) / 1000))
          : Math.min(record.will.properties?.willDelayInterval ?? 0, record.expiryInterval);
      this.#wills.schedule(record.clientId, record.will, delay);
    }
    log.info(
      `persistence: ${storage.description}; restored ${sessions.length} sessions and ${storage.retained.size} retained messages`,
    );
  }

  addresses(): ListenerAddress[] {
    return [...this.#addresses];
  }

  /** Stop accepting, tell MQTT 5 clients the server is shutting down, close every connection. */
  async stop(): Promise<void> {
    this.#sys.stop();
    // Leaving the cluster first: our clients' wills are still in Redis, so the node publishes those due now.
    await this.#bus?.stop();
    this.#delivery.remote = undefined;
    this.#bus = undefined;
    this.#logTopic?.attach(undefined);
    // A net.Server closes only once its connections are gone: stop accepting first, then close them.
    const closing = Promise.all(this.#listeners.map((l) => l.close()));
    for (const client of [...this.#clients.values()]) {
      client.close(false, 'server shutting down', ReasonCode.ServerShuttingDown);
    }
    for (const connection of this.#connections) connection.close();
    await closing;
    await this.#hooks.close();
    this.#sessions.close();
    await this.#storage?.close();
    this.#storage = undefined;
    this.#wills.close();
    await this.#auth.close();
    this.#listeners.length = 0;
  }
}
