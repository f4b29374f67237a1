// The cluster seam (DESIGN.md, "ClusterBus"): what a broker asks of the engine that joins it to other nodes,
// and what that engine hands back. One implementation today: Redis (src/cluster/redis/).
import type { Message, RemoteFanout, SubscriptionOptions } from '../router/types.js';
import type { Will } from '../protocol/types.js';

/** A persistent session's state handed from the node that held it to the node its client moved to. */
export interface MovedSession {
  /** Seconds the session outlives its connection (as the old node had it). */
  readonly expiryInterval: number;
  readonly subscriptions: ReadonlyArray<readonly [string, SubscriptionOptions]>;
}

/** What the bus calls back into the broker for. */
export interface ClusterSink {
  /**
   * A message another node forwarded here: deliver it to local subscribers only. `normal` = through the
   * non-shared subscriptions; `groups` = shared groups the sender picked this node for (one member each).
   */
  deliverRemote(message: Message, normal: boolean, groups: readonly string[]): void;
  /**
   * Another node took this client id over [MQTT-3.1.4-2]: close the local connection holding `token`
   * (MQTT 5: DISCONNECT 0x8E) and give up its session; returns the session's state when `wantSession`.
   */
  takenOver(clientId: string, token: string, wantSession: boolean): MovedSession | undefined;
  /** Every filter (plain or `$share/...`) that has a local subscriber, to rebuild our routes in Redis. */
  localFilters(): string[];
  /** Every client id connected here with the token of its claim, to rebuild our claims in Redis. */
  localClaims(): Array<readonly [string, string]>;
  /** A dead node's will, due now (its delay already waited out): publish it like any will. */
  publishWill(clientId: string, will: Will): void;
}

/** What a CONNECT learns from claiming its client id cluster-wide. */
export interface ClaimResult {
  /** The node that held the id before, if another one. */
  readonly previousNode: string | undefined;
  /** The session state that node handed over (persistent session, clean start 0), if any. */
  readonly session: MovedSession | undefined;
}

/** Counters a node keeps about its cluster traffic (read by /metrics and $SYS). */
export interface ClusterCounters {
  /** Messages this node wrote to other nodes' streams (one per destination node). */
  forwarded: number;
  /** Messages this node read from its own stream and delivered locally. */
  received: number;
  /** Stream entries (batches) written and read. */
  batchesWritten: number;
  batchesRead: number;
  /** QoS 0 messages not forwarded because Redis could not be reached. */
  droppedQos0: number;
  /** Duplicate messages (already seen) skipped on arrival. */
  duplicates: number;
  /** Redis commands sent, for the cost per message. */
  redisCommands: number;
}

export interface ClusterBus extends RemoteFanout {
  readonly nodeId: string;
  readonly counters: ClusterCounters;
  /** Joins: lease, routes and claims rebuilt from the sink, inbound stream read. */
  start(sink: ClusterSink): Promise<void>;
  /**
   * (RemoteFanout) Queues `message` for every other node with a matching subscriber (all live nodes for a
   * retained message), written with one stream entry per node at the end of this turn. Returns how many nodes.
   */
  collect(message: Message): number;
  /**
   * Asked by the router for a local shared group matching `message` (before collect): true when the group's turn
   * is on another node, which collect() then sends the copy to; false when a local member should get it.
   */
  sharedElsewhere(groupId: string, message: Message): boolean;
  /** True while forwarded messages are not yet in their streams. */
  readonly pending: boolean;
  /** Settles when everything forwarded so far is in its destination streams; rejects if that failed. */
  flush(): Promise<void>;
  /** The first local subscriber of `filter` appeared / the last one left. */
  routeAdded(filter: string): void;
  routeRemoved(filter: string): void;
  /** Claims `clientId` cluster-wide for the connection `token`; a previous owner elsewhere is told to let go. */
  claimClientId(clientId: string, token: string, wantSession: boolean): Promise<ClaimResult>;
  /** The connection `token` for `clientId` ended: the claim goes unless a newer connection holds it. */
  releaseClientId(clientId: string, token: string): void;
  /** Keeps (or with undefined drops) a connected client's will where other nodes find it if we die. */
  keepWill(clientId: string, will: Will | undefined): void;
  /** The live nodes, this one included. */
  nodes(): string[];
  /** Leaves: lease dropped, routes and claims released (wills were published by the broker). */
  stop(): Promise<void>;
}
