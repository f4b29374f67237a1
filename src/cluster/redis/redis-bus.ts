// The ClusterBus over Redis: membership leases, the route table and its mirror, the client-id directory,
// orphaned wills, the retained snapshot and the inter-node streams (outbox.ts / inbox.ts). docs/CLUSTER.md
// explains what lives where and what is promised while Redis or a node is away.
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Will } from '../../protocol/types.js';
import type { Message } from '../../router/types.js';
import type { ClaimResult, ClusterBus, ClusterCounters, ClusterSink, MovedSession } from '../types.js';
import { RouteMirror } from '../route-mirror.js';
import {
  RecordKind,
  decodeMessage,
  decodeWill,
  encodeMessage,
  encodeSession,
  encodeTakeOver,
  encodeWill,
} from '../wire.js';
import type { Batch } from '../wire.js';
import { connectRedis, type RedisConnection } from './connection.js';
import { EVENT_SEP, KEYS, PREFIX } from './keys.js';
import { CLAIM, HEARTBEAT, REAP, RECLAIM, RELEASE } from './scripts.js';
import { Inbox } from './inbox.js';
import { Outbox } from './outbox.js';

export interface RedisBusOptions {
  seeds: readonly string[];
  nodeId: string;
  leaseSeconds: number;
  log: Logger;
}

/** How long a CONNECT waits for the previous node to hand its session over. */
const HANDOVER_TIMEOUT_MS = 3000;

export async function createRedisBus(options: RedisBusOptions): Promise<ClusterBus> {
  const bus = new RedisBus(options);
  await bus.connect();
  return bus;
}

class RedisBus implements ClusterBus {
  readonly nodeId: string;
  readonly counters: ClusterCounters = {
    forwarded: 0,
    received: 0,
    batchesWritten: 0,
    batchesRead: 0,
    droppedQos0: 0,
    duplicates: 0,
    redisCommands: 0,
  };
  readonly #options: RedisBusOptions;
  readonly #log: Logger;
  readonly #instance = randomUUID();
  readonly #mirror = new RouteMirror();
  /** Live nodes as last read from Redis (this one included). */
  #live = new Set<string>();
  #sink: ClusterSink | undefined;
  #cmd!: RedisConnection;
  #sub!: RedisConnection;
  #outbox!: Outbox;
  #inbox!: Inbox;
  #timer: NodeJS.Timeout | undefined;
  /** Route changes of this turn, written together: filter → added (true) or removed (false). */
  #routeChanges = new Map<string, boolean>();
  /** CONNECTs here waiting for the session their previous node hands over, by client id. */
  readonly #handovers = new Map<string, (session: MovedSession | undefined) => void>();
  /** The shared-group turns of the message being routed (see #sharedTurns). */
  #turns: { message: Message; nodes: Map<string, string> } | undefined;
  #redisDown = false;
  #stopped = false;

  constructor(options: RedisBusOptions) {
    this.#options = options;
    this.nodeId = options.nodeId;
    this.#log = options.log;
  }

  async connect(): Promise<void> {
    const onError = (error: Error): void => this.#down(error);
    const seeds = this.#options.seeds;
    this.#cmd = await connectRedis({ seeds, offlineQueue: false, onError });
    this.#sub = await connectRedis({ seeds, offlineQueue: true, onError });
    const reader = await connectRedis({ seeds, offlineQueue: true, onError });
    this.#outbox = new Outbox(this.#instance, this.#cmd, {
      failed: (error) => this.#down(error),
      recovered: () => this.#up(),
      droppedQos0: (count) => (this.counters.droppedQos0 += count),
      overflow: (node, count) =>
        this.#log.error(`cluster: ${count} messages for node ${node} dropped, Redis took none for too long`),
      written: (batches, records) => {
        this.counters.batchesWritten += batches;
        this.counters.forwarded += records;
        this.counters.redisCommands += batches;
      },
    });
    this.#inbox = new Inbox(reader, KEYS.stream(this.nodeId), {
      batch: (batch) => this.#receive(batch),
      duplicate: () => this.counters.duplicates++,
      failed: (error) => this.#down(error),
    });
  }

  async start(sink: ClusterSink): Promise<void> {
    this.#sink = sink;
    // A previous life of this node (a crash, a restart within the lease) leaves routes, claims and wills:
    // retire it first, so its clients' wills go out and its stale routes are gone.
    await this.#reap(this.nodeId);
    await this.#cmd.del(KEYS.stream(this.nodeId));
    await this.#heartbeat();
    await this.#announceSelf();
    this.#sub.on('message', (_channel: string, text: string) => this.#event(text));
    this.#sub.on('ready', () => void this.#resync().catch((error: Error) => this.#down(error)));
    await this.#sub.subscribe(KEYS.events);
    await this.#resync();
    await this.#loadRetained();
    this.#inbox.start();
    const period = Math.max(500, Math.floor((this.#options.leaseSeconds * 1000) / 3));
    this.#timer = setInterval(() => void this.#tick(), period);
    this.#timer.unref();
    this.#log.info(`cluster: node ${this.nodeId} joined (${this.#live.size} nodes)`);
  }

  // ---- routing -------------------------------------------------------------------------------------------

  collect(message: Message): number {
    // $SYS stays per node (cluster totals have their own topics).
    if (message.topic.startsWith('$SYS/')) return 0;
    const self = this.nodeId;
    let targets: string[] | undefined;
    if (message.retain) {
      // Retained messages go to every node: each keeps the cluster's retained set for its own SUBSCRIBEs.
      targets = [...this.#live].filter((node) => node !== self);
      this.#storeRetained(message);
    } else {
      this.#mirror.plainNodes(message.topic, self, (node) => (targets ??= []).push(node));
    }
    let groups: Map<string, string[]> | undefined;
    for (const [groupId, node] of this.#sharedTurns(message)) {
      if (node === self) continue;
      groups ??= new Map();
      const list = groups.get(node);
      if (list === undefined) groups.set(node, [groupId]);
      else list.push(groupId);
    }
    this.#turns = undefined;
    if (targets === undefined && groups === undefined) return 0;
    let encoded: Buffer | undefined;
    let count = 0;
    for (const node of targets ?? []) {
      const shared = groups?.get(node);
      if (shared !== undefined) groups?.delete(node);
      const record =
        shared === undefined
          ? (encoded ??= encodeMessage(message, true, []))
          : encodeMessage(message, true, shared);
      this.#outbox.push(node, record, message.qos);
      count++;
    }
    for (const [node, shared] of groups ?? []) {
      this.#outbox.push(node, encodeMessage(message, false, shared), message.qos);
      count++;
    }
    return count;
  }

  sharedElsewhere(groupId: string, message: Message): boolean {
    // A message from another node: its sender picked the members already (they come as `groups`).
    if (message.fromNode !== undefined) return true;
    const node = this.#sharedTurns(message).get(groupId);
    return node !== undefined && node !== this.nodeId;
  }

  /**
   * Whose turn it is for each shared group matching the message, decided once per message: the router asks
   * during local delivery, collect() right after, and both must see the same answer.
   */
  #sharedTurns(message: Message): Map<string, string> {
    const turns = this.#turns;
    if (turns !== undefined && turns.message === message) return turns.nodes;
    const nodes = new Map<string, string>();
    this.#mirror.sharedTargets(message.topic, (groupId, node) => nodes.set(groupId, node));
    this.#turns = { message, nodes };
    return nodes;
  }

  get pending(): boolean {
    return this.#outbox.pending;
  }

  flush(): Promise<void> {
    return this.#outbox.settled();
  }

  #receive(batch: Batch): void {
    const sink = this.#sink as ClusterSink;
    this.counters.batchesRead++;
    this.counters.redisCommands++; // one XREAD brings many batches: an upper bound
    for (const record of batch.records) {
      if (record.kind === RecordKind.Message) {
        this.counters.received++;
        sink.deliverRemote({ ...record.message, fromNode: batch.instance }, record.normal, record.groups);
      } else if (record.kind === RecordKind.TakeOver) {
        const session = sink.takenOver(record.clientId, record.token, record.wantSession);
        if (record.wantSession) this.#outbox.push(record.replyTo, encodeSession(record.clientId, session), 1);
      } else {
        this.#handovers.get(record.clientId)?.(record.session);
      }
    }
  }

  // ---- routes --------------------------------------------------------------------------------------------

  routeAdded(filter: string): void {
    this.#mirror.add(this.nodeId, filter);
    this.#routeChange(filter, true);
  }

  routeRemoved(filter: string): void {
    this.#mirror.remove(this.nodeId, filter);
    this.#routeChange(filter, false);
  }

  #routeChange(filter: string, added: boolean): void {
    const first = this.#routeChanges.size === 0;
    this.#routeChanges.set(filter, added);
    if (first) queueMicrotask(() => void this.#writeRoutes());
  }

  async #writeRoutes(): Promise<void> {
    const changes = this.#routeChanges;
    this.#routeChanges = new Map();
    const key = KEYS.routes(this.nodeId);
    const added = [...changes].filter(([, add]) => add).map(([filter]) => filter);
    const removed = [...changes].filter(([, add]) => !add).map(([filter]) => filter);
    try {
      if (added.length > 0) await this.#cmd.sadd(key, ...added);
      if (removed.length > 0) await this.#cmd.srem(key, ...removed);
      const events = [
        ...added.map((f) => `add${EVENT_SEP}${this.nodeId}${EVENT_SEP}${f}`),
        ...removed.map((f) => `del${EVENT_SEP}${this.nodeId}${EVENT_SEP}${f}`),
      ];
      for (const event of events) await this.#cmd.publish(KEYS.events, event);
      this.counters.redisCommands += 2 + events.length;
    } catch (error) {
      // Redis is away: the routes are written again in full when it returns (#announceSelf on rejoin).
      this.#down(error as Error);
    }
  }

  /** Our routes and claims, written in full: at start and after Redis lost them (it restarted, or we were reaped). */
  async #announceSelf(): Promise<void> {
    const sink = this.#sink as ClusterSink;
    const key = KEYS.routes(this.nodeId);
    const filters = sink.localFilters();
    await this.#cmd.del(key);
    if (filters.length > 0) await this.#cmd.sadd(key, ...filters);
    for (const [clientId, token] of sink.localClaims()) {
      await this.#cmd.eval(
        RECLAIM,
        2,
        KEYS.client(clientId),
        KEYS.claims(this.nodeId),
        this.#owner(token),
        clientId,
      );
    }
    await this.#cmd.publish(KEYS.events, `sync${EVENT_SEP}${this.nodeId}`);
  }

  #event(text: string): void {
    const [kind, node = '', filter = ''] = text.split(EVENT_SEP);
    if (node === this.nodeId) return;
    if (kind === 'add') this.#mirror.add(node, filter);
    else if (kind === 'del') this.#mirror.remove(node, filter);
    else if (kind === 'sync') void this.#loadNode(node).catch((error: Error) => this.#down(error));
    else if (kind === 'gone') this.#gone(node);
  }

  async #loadNode(node: string): Promise<void> {
    const filters = await this.#cmd.smembers(KEYS.routes(node));
    this.#live.add(node);
    this.#mirror.replaceNode(node, filters);
  }

  #gone(node: string): void {
    this.#live.delete(node);
    this.#mirror.removeNode(node);
    this.#outbox.dropNode(node);
    this.#log.info(`cluster: node ${node} left`);
  }

  /** Reads every live node's routes again (start, and whenever the subscriber reconnects). */
  async #resync(): Promise<void> {
    if (this.#stopped) return;
    const nodes = await this.#cmd.zrange(KEYS.nodes, '0', '-1');
    const live = new Set(nodes);
    live.add(this.nodeId);
    for (const node of this.#mirror.nodes) if (!live.has(node) && node !== this.nodeId) this.#gone(node);
    this.#live = live;
    for (const node of nodes) if (node !== this.nodeId) await this.#loadNode(node);
  }

  // ---- membership ----------------------------------------------------------------------------------------

  async #heartbeat(): Promise<void> {
    const joined = await this.#cmd.eval(
      HEARTBEAT,
      1,
      KEYS.nodes,
      this.nodeId,
      this.#options.leaseSeconds * 1000,
    );
    this.counters.redisCommands++;
    return joined === 1 && this.#live.size > 0 ? this.#rejoin() : undefined;
  }

  /** We were gone from Redis (reaped during a partition, or Redis lost its data): announce everything again. */
  async #rejoin(): Promise<void> {
    this.#log.warn(`cluster: node ${this.nodeId} rejoins (Redis had lost its lease)`);
    await this.#announceSelf();
    await this.#resync();
  }

  async #tick(): Promise<void> {
    try {
      await this.#heartbeat();
      await this.#reap('');
      this.#up();
    } catch (error) {
      this.#down(error as Error);
    }
  }

  /** Retires dead nodes (and `retire`, if given) and publishes the wills now due that this node won. */
  async #reap(retire: string): Promise<void> {
    const reply = (await this.#cmd.callBuffer(
      'EVAL',
      REAP,
      3,
      KEYS.nodes,
      KEYS.willsDue,
      KEYS.willsOrphan,
      PREFIX,
      KEYS.events,
      retire,
    )) as [Buffer[], Buffer[]];
    this.counters.redisCommands++;
    const [gone, wills] = reply;
    for (const node of gone) {
      const name = node.toString();
      if (name !== this.nodeId) this.#log.warn(`cluster: node ${name} stopped renewing its lease; released`);
    }
    for (let i = 0; i + 1 < wills.length; i += 2) {
      const clientId = (wills[i] as Buffer).toString();
      try {
        this.#sink?.publishWill(clientId, decodeWill(wills[i + 1] as Buffer));
      } catch (error) {
        this.#log.error({ err: error, clientId }, 'cluster: an orphaned will could not be read');
      }
    }
  }

  nodes(): string[] {
    return [...this.#live].sort();
  }

  // ---- client ids ----------------------------------------------------------------------------------------

  #owner(token: string): string {
    return `${this.nodeId}|${token}`;
  }

  async claimClientId(clientId: string, token: string, wantSession: boolean): Promise<ClaimResult> {
    const previous = (await this.#cmd.eval(
      CLAIM,
      4,
      KEYS.client(clientId),
      KEYS.claims(this.nodeId),
      KEYS.willsDue,
      KEYS.willsOrphan,
      this.#owner(token),
      clientId,
    )) as string | null;
    this.counters.redisCommands++;
    if (previous === null) return { previousNode: undefined, session: undefined };
    const cut = previous.indexOf('|');
    const node = previous.slice(0, cut);
    if (node === this.nodeId || !this.#live.has(node)) return { previousNode: undefined, session: undefined };
    // [MQTT-3.1.4-2] the connection on the other node is closed; with clean start 0 its session comes here.
    this.#outbox.push(node, encodeTakeOver(clientId, previous.slice(cut + 1), this.nodeId, wantSession), 1);
    if (!wantSession) return { previousNode: node, session: undefined };
    const session = await new Promise<MovedSession | undefined>((resolve) => {
      const timer = setTimeout(() => done(undefined), HANDOVER_TIMEOUT_MS);
      const done = (moved: MovedSession | undefined): void => {
        clearTimeout(timer);
        this.#handovers.delete(clientId);
        resolve(moved);
      };
      this.#handovers.set(clientId, done);
    });
    return { previousNode: node, session };
  }

  releaseClientId(clientId: string, token: string): void {
    this.counters.redisCommands++;
    this.#cmd
      .eval(
        RELEASE,
        2,
        KEYS.client(clientId),
        KEYS.claims(this.nodeId),
        this.#owner(token),
        clientId,
        `${this.nodeId}|`,
      )
      .catch((error: Error) => this.#down(error));
  }

  keepWill(clientId: string, will: Will | undefined): void {
    const key = KEYS.wills(this.nodeId);
    this.counters.redisCommands++;
    const write =
      will === undefined
        ? this.#cmd.hdel(key, clientId)
        : this.#cmd.hset(
            key,
            clientId,
            Buffer.concat([Buffer.from(`${will.properties?.willDelayInterval ?? 0}|`), encodeWill(will)]),
          );
    write.catch((error: Error) => this.#down(error));
  }

  // ---- retained ------------------------------------------------------------------------------------------

  #storeRetained(message: Message): void {
    this.counters.redisCommands++;
    const write =
      message.payload.length === 0
        ? this.#cmd.hdel(KEYS.retained, message.topic)
        : this.#cmd.hset(KEYS.retained, message.topic, encodeMessage(message, true, []));
    write.catch((error: Error) => this.#down(error));
  }

  async #loadRetained(): Promise<void> {
    const all = await this.#cmd.hgetallBuffer(KEYS.retained);
    const sink = this.#sink as ClusterSink;
    for (const bytes of Object.values(all)) {
      // Routed as a remote message: stored as retained here, delivered to nobody (no one subscribed yet).
      sink.deliverRemote({ ...decodeMessage(bytes), fromNode: 'retained' }, true, []);
    }
  }

  // ---- Redis faults --------------------------------------------------------------------------------------

  #down(error: Error): void {
    if (this.#redisDown || this.#stopped) return;
    this.#redisDown = true;
    this.#log.error(
      `cluster: Redis unreachable (${error.message}); serving local clients, QoS 0 to other nodes dropped, QoS 1/2 held`,
    );
  }

  #up(): void {
    if (!this.#redisDown) return;
    this.#redisDown = false;
    this.#log.warn('cluster: Redis reachable again; routes and claims resynchronised');
    void this.#announceSelf()
      .then(() => this.#resync())
      .catch((error: Error) => this.#down(error));
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    clearInterval(this.#timer);
    try {
      await this.flush();
    } catch {
      // what could not be written is lost with this node; its publishers were not acknowledged
    }
    try {
      // Leaving: routes and claims go at once, our clients' wills become due after their delay; those due
      // now are published by this node itself before it goes.
      await this.#reap(this.nodeId);
      await this.flush();
    } catch (error) {
      this.#log.warn({ err: error }, 'cluster: could not leave cleanly; the lease runs out instead');
    }
    this.#stopped = true;
    this.#outbox.close();
    await this.#inbox.stop();
    this.#sub.disconnect();
    this.#cmd.disconnect();
  }
}
