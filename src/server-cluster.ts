// Joins a broker to a cluster (config `cluster_*`): loads the Redis bus lazily, keeps the route table in step
// with the router, claims client ids for CONNECT, keeps wills where other nodes find them, and turns what
// other nodes send into local deliveries. Part of the composition root; without a cluster nothing here runs.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { ClusterConfig, Config } from './config/schema.js';
import type { ClusterBus, ClusterSink, MovedSession } from './cluster/types.js';
import type { ClientLink, ClusterLink } from './handlers/context.js';
import type { Router } from './router/router.js';
import type { Message } from './router/types.js';
import type { SessionRegistry } from './session/registry.js';
import type { Session } from './session/session.js';
import type { Will } from './protocol/types.js';
import type { SessionStore, Storage, StoredSession } from './store/types.js';
import { ReasonCode } from './protocol/reason-codes.js';

export interface ClusterDeps {
  readonly router: Router;
  readonly sessions: SessionRegistry;
  readonly clients: Map<string, ClientLink>;
  readonly log: Logger;
  /** Routes a message that came from another node (local delivery only). */
  deliverLocal(message: Message): void;
  publishWill(clientId: string, will: Will): void;
  /** With `cluster_session_store redis`: the store every node reads persistent sessions from. */
  sharedSessions?(): SessionStore | undefined;
}

/** The Redis session store as the cluster uses it (src/store/redis/session-store.ts). */
interface SharedSessionStore extends SessionStore {
  loadSession(clientId: string): Promise<StoredSession | undefined>;
  release(clientId: string): void;
}

function isShared(store: SessionStore | undefined): store is SharedSessionStore {
  return store !== undefined && 'loadSession' in store && 'release' in store;
}

/**
 * `cluster_session_store redis`: persistent sessions (and retained messages) in the cluster's Redis, so a
 * client resumes its session on any node, also after its node died. ioredis and the store load only here.
 */
export async function openClusterSessionStorage(
  cluster: ClusterConfig,
  nodeId: string,
  log: Logger,
  onCommit: (seconds: number, writes: number) => void,
): Promise<Storage> {
  const { openRedisStorage } = await import('./store/redis/storage.js');
  let failing = false;
  return openRedisStorage({
    redis: cluster.redis.join(' '),
    nodeId,
    onCommit: (seconds, writes) => {
      if (failing) log.info('cluster session store: Redis acknowledges writes again');
      failing = false;
      onCommit(seconds, writes);
    },
    // Logged when the state changes, not per batch: every failed batch is retried with the next one.
    onFailure: (error) => {
      if (!failing)
        log.error(
          { err: error },
          'MIDGE_STORE_WRITE_FAILED: the cluster session store in Redis refuses writes; nothing that needs it is acknowledged until it is back',
        );
      failing = true;
    },
  });
}

/** cluster_node_id, or hostname:port of the first listener (with the pid when that port is chosen by the OS). */
export function clusterNodeId(config: Config, cluster: ClusterConfig): string {
  if (cluster.nodeId !== undefined) return cluster.nodeId;
  const port = config.listeners[0]?.port ?? 0;
  return port === 0 ? `${hostname()}:${port}-${process.pid}` : `${hostname()}:${port}`;
}

/**
 * The live connections, told to the cluster as they come and go: a client's will is kept in Redis while it is
 * connected, so another node publishes it if this one dies.
 */
export class ClusterClients extends Map<string, ClientLink> {
  bus: ClusterBus | undefined;
  readonly #willsKept = new Set<string>();

  override set(clientId: string, link: ClientLink): this {
    super.set(clientId, link);
    const will = link.will;
    if (this.bus !== undefined && will !== undefined) {
      this.#willsKept.add(clientId);
      this.bus.keepWill(clientId, will);
    }
    return this;
  }

  override delete(clientId: string): boolean {
    const had = super.delete(clientId);
    if (this.#willsKept.delete(clientId)) this.bus?.keepWill(clientId, undefined);
    return had;
  }
}

export class ClusterGlue implements ClusterSink, ClusterLink {
  readonly #deps: ClusterDeps;
  readonly #config: ClusterConfig;
  readonly #nodeId: string;
  #bus: ClusterBus | undefined;
  /** Subscribers per route filter here: the cluster hears of a filter's first and last one only. */
  readonly #filters = new Map<string, number>();
  /** The token of the latest claim this node made for each client id. */
  readonly #tokens = new Map<string, string>();
  /** The claim each local session was opened under (a same-node takeover ends the old one later). */
  readonly #sessionTokens = new WeakMap<Session, string>();
  #nextToken = 0;
  readonly #tokenBase = Date.now().toString(36);

  constructor(deps: ClusterDeps, config: ClusterConfig, nodeId: string) {
    this.#deps = deps;
    this.#config = config;
    this.#nodeId = nodeId;
  }

  get bus(): ClusterBus | undefined {
    return this.#bus;
  }

  async start(): Promise<ClusterBus> {
    const { createRedisBus } = await import('./cluster/redis/redis-bus.js');
    const bus = await createRedisBus({
      seeds: this.#config.redis,
      nodeId: this.#nodeId,
      leaseSeconds: this.#config.leaseSeconds,
      log: this.#deps.log,
    });
    this.#bus = bus;
    if (this.#deps.clients instanceof ClusterClients) this.#deps.clients.bus = bus;
    await bus.start(this);
    return bus;
  }

  // ---- the router's route changes ----

  routeChanged(filter: string, added: boolean): void {
    const count = (this.#filters.get(filter) ?? 0) + (added ? 1 : -1);
    if (count > 0) this.#filters.set(filter, count);
    else this.#filters.delete(filter);
    if (added && count === 1) this.#bus?.routeAdded(filter);
    else if (!added && count === 0) this.#bus?.routeRemoved(filter);
  }

  // ---- ClusterLink: what CONNECT asks ----

  async claim(clientId: string, cleanStart: boolean): Promise<MovedSession | undefined> {
    const bus = this.#bus;
    if (bus === undefined) return undefined;
    const token = `${this.#tokenBase}.${++this.#nextToken}`;
    this.#tokens.set(clientId, token);
    const result = await bus.claimClientId(clientId, token, !cleanStart);
    // With the sessions in Redis, one this node does not hold is read from there: after a takeover, or after
    // the node that held it died [MQTT-3.1.2-4].
    const shared = this.#deps.sharedSessions?.();
    if (!cleanStart && isShared(shared) && this.#deps.sessions.get(clientId) === undefined) {
      const stored = await shared.loadSession(clientId);
      if (stored !== undefined)
        for (const session of this.#deps.sessions.restore([stored]))
          for (const [filter, options] of session.subscriptions)
            this.#deps.router.subscribe(session.clientId, filter, options);
    }
    return result.session;
  }

  /** CONNECT opened `session` under its claim; a session handed over by another node brings its subscriptions. */
  opened(session: Session, moved: MovedSession | undefined): void {
    const token = this.#tokens.get(session.clientId);
    if (token !== undefined) this.#sessionTokens.set(session, token);
    if (moved === undefined) return;
    for (const [filter, options] of moved.subscriptions) {
      if (session.subscriptions.has(filter)) continue;
      this.#deps.router.subscribe(session.clientId, filter, options); // the router tells routeChanged
      session.subscriptions.set(filter, options);
    }
  }

  /** A local session ended: its client id is free again (unless a newer claim holds it). */
  sessionEnded(session: Session): void {
    const token = this.#sessionTokens.get(session);
    if (token === undefined) return;
    this.#sessionTokens.delete(session);
    if (this.#tokens.get(session.clientId) === token) this.#tokens.delete(session.clientId);
    this.#bus?.releaseClientId(session.clientId, token);
  }

  // ---- ClusterSink: what the bus asks ----

  deliverRemote(message: Message, normal: boolean, groups: readonly string[]): void {
    if (normal) this.#deps.deliverLocal(message);
    for (const groupId of groups) this.#deps.router.redeliverShared(groupId, message, '');
  }

  takenOver(clientId: string, token: string, wantSession: boolean): MovedSession | undefined {
    // A newer local connection claimed the id after the one the other node saw: it won, nothing to give up.
    if (this.#tokens.get(clientId) !== token) return undefined;
    this.#tokens.delete(clientId);
    const { clients, sessions } = this.#deps;
    // [MQTT-3.1.4-2] the connection here is closed (MQTT 5: DISCONNECT 0x8E, Session taken over).
    clients.get(clientId)?.close(true, 'session taken over by another node', ReasonCode.SessionTakenOver);
    const session = sessions.get(clientId);
    if (session === undefined) return undefined;
    const moved: MovedSession | undefined = wantSession
      ? { expiryInterval: session.expiryInterval, subscriptions: [...session.subscriptions] }
      : undefined;
    // With the sessions in Redis the session stays there for the new node: ending it here must not delete it.
    const shared = this.#deps.sharedSessions?.();
    if (isShared(shared)) shared.release(clientId);
    sessions.end(session); // its subscriptions and routes leave this node with it
    return moved;
  }

  localFilters(): string[] {
    return [...this.#filters.keys()];
  }

  localClaims(): Array<readonly [string, string]> {
    return [...this.#tokens];
  }

  publishWill(clientId: string, will: Will): void {
    this.#deps.publishWill(clientId, will);
  }
}
