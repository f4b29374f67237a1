// Every default and limit of the configuration in one place. Where mosquitto 2 has the same setting, the
// value is mosquitto's (see mosquitto.conf(5)), so a mosquitto.conf means the same thing to Midge.

/** The MQTT port (IANA), used by `port` / the default listener when no port is given. */
export const DEFAULT_PORT = 1883;
/** The MQTT over WebSockets port mosquitto's examples use. */
export const DEFAULT_WEBSOCKETS_PORT = 9001;
/** Where "local only mode" listens: no listener configured (mosquitto 2 also binds ::1; Midge binds IPv4 only). */
export const LOCAL_ONLY_HOST = '127.0.0.1';

/** The largest packet the protocol can express: a Remaining Length of 268,435,455 bytes. */
export const PROTOCOL_MAX_PACKET_SIZE = 268435455;
/** mosquitto refuses a max_packet_size below 20 bytes: nothing useful fits. */
export const MIN_MAX_PACKET_SIZE = 20;
/** Keep Alive is a two-byte field. */
export const PROTOCOL_MAX_KEEPALIVE = 65535;
/** Topic Alias Maximum is a two-byte field. */
export const PROTOCOL_MAX_TOPIC_ALIAS = 65535;

export const DEFAULTS = {
  port: DEFAULT_PORT,
  /** Local only mode: no listener configured means loopback and anonymous access. */
  localOnlyHost: LOCAL_ONLY_HOST,
  localOnlyAllowAnonymous: true,
  /** As soon as any listener or port is configured, anonymous access is off unless allow_anonymous says so. */
  allowAnonymous: false,
  perListenerSettings: false,
  maxInflightMessages: 20,
  /** 0 = no limit. */
  maxInflightBytes: 0,
  maxQueuedMessages: 1000,
  /** 0 = no limit. */
  /**
   * max_queued_bytes: payload bytes one session may queue. mosquitto has no default bound; with none, a stuck
   * subscriber of 10 MiB messages took Midge past 3 GB. 64 MiB holds 1,000 (max_queued_messages) messages of 64 KiB.
   */
  maxQueuedBytes: 64 * 1024 * 1024,
  /** memory_limit: bytes of live data (V8 heap + Buffers) past which PUBLISH and CONNECT are refused; 0 = none. */
  memoryLimit: 0,
  queueQos0Messages: false,
  /** 0 = the protocol maximum (PROTOCOL_MAX_PACKET_SIZE). */
  maxPacketSize: 0,
  /** 0 = no limit on the PUBLISH payload. */
  messageSizeLimit: 0,
  maxKeepalive: PROTOCOL_MAX_KEEPALIVE,
  retainAvailable: true,
  /** -1 = no limit. */
  maxConnections: -1,
  /** Seconds between $SYS updates; 0 = off. */
  sysInterval: 10,
  persistence: false,
  persistenceLocation: './midge-data',
  persistenceFile: 'midge.db',
  /** Seconds (or changes, with autosave_on_changes). Accepted; Midge commits every change, so it is not needed. */
  autosaveInterval: 1800,
  /** fsync every group commit: an acknowledged message survives a power loss. */
  persistenceSync: 'full' as 'full' | 'normal',
  /** mosquitto's behaviour: a full queue refuses the newest message. */
  queueOverflow: 'drop_newest' as 'drop_newest' | 'drop_oldest',
  autosaveOnChanges: false,
  /** Nagle cost aedes 20% on QoS 2 (see DESIGN.md): on by default, unlike mosquitto. */
  setTcpNodelay: true,
  upgradeOutgoingQos: false,
  allowZeroLengthClientId: true,
  autoIdPrefix: 'auto-',
  maxTopicAlias: 10,
  /** Seconds; 0 = persistent sessions of disconnected clients never expire. */
  persistentClientExpiration: 0,
  /** cluster_lease_seconds: a node silent this long is dead; its routes, client ids and wills are taken over. */
  clusterLeaseSeconds: 10,
  /** cluster_session_store: persistent sessions stay in each node's own store unless 'redis' is asked for. */
  clusterSessionStore: 'local' as 'local' | 'redis',
  envelope: {
    windowSeconds: 300,
    replayCacheSize: 100_000,
    stripToken: true,
    deviceProperty: 'device_id',
    routeByType: true,
  },
  /** API keys live beside the persistence data unless http_api_key_file says otherwise. */
  apiKeyFileName: 'api-keys.json',
  /** The web console on HTTP API listeners: on, at the root, tracking the 10,000 most recent topics. */
  console: { enabled: true, path: '/', topics: 10_000 },
  logTypes: ['error', 'warning', 'notice', 'information'] as readonly string[],
  logDest: ['stderr'] as readonly string[],
  logTimestamp: true,
  connectionMessages: true,
} as const;

/** Local only mode's second listener: MQTT over WebSocket for browsers, on loopback like the TCP one. */
export const WEBSOCKETS_LISTENER_DEFAULTS = {
  port: DEFAULT_WEBSOCKETS_PORT,
  host: LOCAL_ONLY_HOST,
  protocol: 'websockets' as const,
};

export const LOG_TYPES = [
  'debug',
  'error',
  'warning',
  'notice',
  'information',
  'subscribe',
  'unsubscribe',
  'websockets',
  'none',
  'all',
] as const;

export const LOG_DESTINATIONS = ['stdout', 'stderr', 'syslog', 'topic', 'file', 'dlt', 'none'] as const;

export const TLS_VERSIONS = ['tlsv1.3', 'tlsv1.2', 'tlsv1.1'] as const;

/** Where the HTTP API listens when Midge runs with no config file and no -p (local only mode). */
export const DEFAULT_HTTP_API = { port: 8080, host: LOCAL_ONLY_HOST } as const;
