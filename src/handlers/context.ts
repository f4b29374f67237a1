// Everything a packet handler may touch. Handlers import this file and the leaves, nothing else, so the
import type { ConnectionLog } from '../observability/connection-log.js';
// engine's reach stays visible in one place.
import type { Packet, ProtocolVersion, Will } from '../protocol/types.js';
import type { Message, RouteResult } from '../router/types.js';
import type { Router } from '../router/router.js';
import type { Session } from '../session/session.js';
import type { SessionRegistry } from '../session/registry.js';
import type { WillScheduler } from '../session/will.js';
import type { InboundTopicAliases } from '../session/topic-alias.js';
import type { Outgoing, OutgoingSource } from '../session/types.js';
import type { AuthChecks, AuthResult, EnhancedAuthConversation, Identity } from '../auth/types.js';
import type { DropReason, HookMessage } from '../hooks/types.js';
import type { BrokerStats } from '../sys/stats.js';
import type { HookRunner } from '../hooks/runner.js';
import type { MemoryGuard } from '../sys/memory-guard.js';
import type { Logger } from 'pino';
import type { MovedSession } from '../cluster/types.js';

export { NEVER_EXPIRES } from '../session/session.js';
export type {
  Message,
  RouteResult,
  Router,
  Session,
  SessionRegistry,
  WillScheduler,
  AuthChecks,
  AuthResult,
  Identity,
  BrokerStats,
  Logger,
  HookRunner,
  Outgoing,
  OutgoingSource,
};

/** The limits and switches the engine needs, filled by server.ts from the configuration. */
export interface EngineSettings {
  maxKeepalive: number;
  maxPacketSize: number;
  /** Largest PUBLISH payload accepted (message_size_limit; 0 = no limit). */
  messageSizeLimit: number;
  allowZeroLengthClientId: boolean;
  autoIdPrefix: string;
  /** Only client ids starting with this may connect (clientid_prefixes); empty = any. */
  clientIdPrefixes: string;
  /** Server redirection (section 4.11): every CONNECT is refused with this reason code and Server Reference. */
  redirect?: { readonly reasonCode: number; readonly serverReference: string };
  retainAvailable: boolean;
  /** upgrade_outgoing_qos: deliveries at the subscription's QoS, even above the message's (mosquitto). */
  upgradeOutgoingQos?: boolean;
  maxQos: 0 | 1 | 2;
  /** Receive Maximum the server offers MQTT 5 clients: its inbound QoS 1/2 window. */
  receiveMaximum: number;
  /** Session expiry applied to 3.1.1 CleanSession=0 sessions (persistent_client_expiration; NEVER_EXPIRES by default). */
  persistentClientExpiration: number;
  /** Ports of the running MQTT over WebSocket listeners (filled as they start), named to HTTP clients at a TCP port. */
  websocketPorts: number[];
}

/** MQTT 5 enhanced authentication of one connection (section 4.12). */
export interface EnhancedAuthState {
  /** The Authentication Method of CONNECT: every AUTH must carry it [MQTT-4.12.0-5][MQTT-4.12.1-1]. */
  readonly method: string;
  /** The exchange under way and what happens when it ends; undefined between exchanges. */
  exchange:
    | {
        readonly conversation: EnhancedAuthConversation;
        finish(verdict: AuthResult, data: Buffer | undefined): void | Promise<void>;
      }
    | undefined;
}

/** Per-connection counters, read by the admin API. */
export interface ClientTraffic {
  bytesIn: number;
  bytesOut: number;
  packetsIn: number;
  packetsOut: number;
  publishIn: number;
  publishOut: number;
}

/** The connection a handler works for, as handlers see it. Implemented by client/client.ts. */
export interface ClientLink {
  readonly traffic: ClientTraffic;
  /** Date.now() when CONNECT was accepted; 0 before. */
  readonly connectedAt: number;
  /** The keep alive in force (seconds), after any server override. */
  readonly keepalive: number;
  readonly protocolVersion: ProtocolVersion | undefined;
  readonly remoteAddress: string;
  readonly remotePort: number;
  readonly listenerId: string;
  /** The subject CN of the client certificate the TLS handshake verified. */
  readonly certificateName: string | undefined;
  /** use_identity_as_username on the client's listener: the certificate CN is its username. */
  readonly identityAsUsername: boolean;
  readonly connected: boolean;
  /** The connection is gone (or going): a handler that awaited must not act for it any more. */
  readonly closed: boolean;
  readonly identity: Identity | undefined;
  readonly session: Session | undefined;
  /** The client id the CONNECT asked for, set before it is accepted, for the connection log. */
  claimedClientId: string | undefined;
  will: Will | undefined;
  /** Set when CONNECT named an Authentication Method. */
  enhancedAuth: EnhancedAuthState | undefined;
  /** MQTT 5 Topic Aliases the client may set on this connection; undefined when none are offered. */
  readonly topicAliases: InboundTopicAliases | undefined;
  /** The Topic Alias Maximum this connection's listener offers MQTT 5 clients (0 = none). */
  readonly topicAliasMaximum: number;
  send(packet: Packet): void;
  /** Accept the CONNECT: attach the session, register as the live connection for the client id. */
  accept(
    identity: Identity,
    session: Session,
    keepalive: number,
    receiveMaximum: number,
    maximumPacketSize: number,
    topicAliasMaximum?: number,
  ): void;
  /**
   * Close after flushing. `publishWill` decides the will [MQTT-3.1.2-8][MQTT-3.14.4-3]; an MQTT 5 client that
   * was accepted first gets DISCONNECT with `disconnectReasonCode` when one is given.
   */
  close(publishWill: boolean, reason: string, disconnectReasonCode?: number): void;
}

/**
 * Persistence as handlers see it: acknowledgements wait until what the packet stored is durable
 * (DESIGN.md, "One PUBLISH", step 4).
 */
export interface Durability {
  /** True while some writes are not yet durable (or the storage failed). */
  readonly pending: boolean;
  /** Settles once everything written so far is durable; rejects when the storage failed. */
  flush(): Promise<void>;
  /** A write failed: the client's packet was not stored, so it is not acknowledged; the client goes. */
  failed(client: ClientLink, error: unknown): void;
}

/** The cluster as CONNECT sees it (set only with cluster_* directives). */
export interface ClusterLink {
  /**
   * Claims the client id cluster-wide [MQTT-3.1.4-2]: a connection holding it on another node is closed there.
   * Without clean start, the session that node had comes back with its subscriptions.
   */
  claim(clientId: string, cleanStart: boolean): Promise<MovedSession | undefined>;
  /** CONNECT opened `session` under the claim it just made; `moved` is what claim() brought back. */
  opened(session: Session, moved: MovedSession | undefined): void;
}

/** The broker as the engine sees it. */
export interface BrokerContext {
  readonly settings: EngineSettings;
  readonly log: Logger;
  /** mosquitto's connection messages; undefined with `connection_messages false`. */
  readonly connectionLog?: ConnectionLog;
  readonly sessions: SessionRegistry;
  /** Wills held back by their Will Delay Interval (MQTT 5). */
  readonly wills: WillScheduler;
  readonly router: Router;
  readonly auth: AuthChecks;
  readonly stats: BrokerStats;
  /** Registered BrokerHooks; handlers check its flags before building any event. */
  readonly hooks: HookRunner;
  /** The live connection of each connected client id, for takeover [MQTT-3.1.4-2]. */
  readonly clients: Map<string, ClientLink>;
  /**
   * Route a message to subscribers (session/delivery.ts); every publisher comes here. The result says how many
   * matched and, in `holder`, a connected subscriber the message queued behind at length: a publisher's handler
   * returns its holdBack(), so that client reads nothing more until the subscriber catches up.
   */
  publish(message: Message): RouteResult;
  /** A fresh, unique client id for an empty one [MQTT-3.1.3-6]. */
  assignClientId(): string;
  /** memory_limit: set only when configured; PUBLISH and CONNECT are refused while it is reached. */
  readonly memory?: MemoryGuard;
  /** The one place a dropped message is reported (counted by reason, told to onDropped observers). */
  dropped(clientId: string, message: HookMessage, reason: DropReason): void;
  /** Set when the broker persists or is in a cluster: see Durability. Without it acknowledgements go out at once. */
  readonly durability?: Durability;
  /** Set in a cluster: client ids are claimed cluster-wide. */
  readonly cluster?: ClusterLink;
}
