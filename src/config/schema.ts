// The typed configuration the broker consumes: plain data, every field filled by resolveConfig().
import { ConfigError } from './errors.js';
import {
  DEFAULTS,
  LOCAL_ONLY_HOST,
  DEFAULT_PORT,
  MIN_MAX_PACKET_SIZE,
  PROTOCOL_MAX_KEEPALIVE,
  PROTOCOL_MAX_PACKET_SIZE,
  PROTOCOL_MAX_TOPIC_ALIAS,
  WEBSOCKETS_LISTENER_DEFAULTS,
} from './defaults.js';

export type ListenerProtocol = 'mqtt' | 'websockets' | 'http_api';

export interface ListenerConfig {
  /** 0 picks a free port (tests); the real one is in Broker.addresses(). */
  port: number;
  /** bind_address / `listener PORT HOST`; absent = every address. */
  host?: string;
  /** 'mqtt' (TCP, or TLS with certfile/keyfile) or 'websockets' (WS, or WSS with certfile/keyfile). */
  protocol: ListenerProtocol;
  socketDomain?: 'ipv4' | 'ipv6';
  /** The listener made by the top-level `port` / `bind_address` directives or local only mode; `midge -p` moves it. */
  defaultListener?: boolean;
  /** Local only mode's WebSocket listener (127.0.0.1:9001); `midge --ws-port` moves it. */
  defaultWebSocketListener?: boolean;
  certfile?: string;
  keyfile?: string;
  cafile?: string;
  capath?: string;
  requireCertificate?: boolean;
  useIdentityAsUsername?: boolean;
  tlsVersion?: string;
  ciphers?: string;
  /** Static files served over HTTP on a WebSocket listener (mosquitto http_dir). */
  httpDir?: string;
  /** enable_proxy_protocol (mosquitto 2.1): connections start with a PROXY v1 or v2 header from a trusted proxy. */
  proxyProtocol?: number;
  /** trust_x_forwarded_for: on a WebSocket listener, the last X-Forwarded-For address is the client's. */
  trustForwardedFor?: boolean;
  maxConnections?: number;
  maxTopicAlias?: number;
  /** With perListenerSettings only: this listener's own security settings. */
  allowAnonymous?: boolean;
  passwordFile?: string;
  aclFile?: string;
}

export interface LogConfig {
  /** mosquitto log_type values: error warning notice information debug subscribe unsubscribe websockets all none. */
  types: string[];
  /** mosquitto log_dest values: stdout stderr none syslog topic dlt, or "file <path>". */
  dest: string[];
  verbose: boolean;
  timestamp: boolean;
  /** log_timestamp_format: a strftime format for the time of each line; unset = the logger's default. */
  timestampFormat?: string;
  connectionMessages: boolean;
}

/** The HTTP admin and push API (listeners with protocol http_api). */
export interface HttpApiConfig {
  /** Where `midge apikey create` writes hashed API keys and the API reads them. */
  keyFile: string;
  /** Serve requests without credentials (as a superuser). Off unless explicitly enabled. */
  allowAnonymous: boolean;
  /** Origins allowed by CORS ('*' for any); empty = no CORS headers. */
  corsOrigins: string[];
  /** Serve the web console (http_api_console). */
  console: boolean;
  /** URL path of the console, starting and ending with '/' (http_api_console_path). */
  consolePath: string;
  /** How many of the most recently published topics the console's topic view keeps (http_api_console_topics). */
  consoleTopics: number;
}

export interface WebhookConfig {
  url: string;
  /** HMAC-SHA256 key for the X-Midge-Signature header. */
  secret?: string;
  /** Event names to send; empty = all. */
  events: string[];
  /** Topic filters for message events; empty = every topic. */
  topics: string[];
}

/** Envelope mode: JSON envelopes with a device token on configured topic filters. */
export interface EnvelopeConfig {
  /** Topic filters whose messages must be envelopes (`envelope /p/+/upload`). */
  filters: string[];
  /** HMAC key of device tokens (`midge token issue`). */
  secret?: string;
  /** HS256 key for JWT tokens. */
  jwtSecret?: string;
  /** PEM public key file (RS256/ES256/EdDSA) for JWT tokens. */
  jwtPublicKeyFile?: string;
  /** How far an envelope's timestamp may be from now, in seconds. */
  windowSeconds: number;
  /** Token+timestamp pairs remembered to refuse replays. */
  replayCacheSize: number;
  /** Forward the envelope without its token. */
  stripToken: boolean;
  /** MQTT 5 user property carrying the verified client_id ('' = none). */
  deviceProperty: string;
  /** Also publish each valid envelope to $envelope/{message_type}/{topic}. */
  routeByType: boolean;
}

/** Several Midge nodes acting as one broker over Redis (docs/CLUSTER.md). */
export interface ClusterConfig {
  /** cluster_redis: one redis:// or rediss:// URL, or several host:port seeds of a Redis Cluster. */
  redis: string[];
  /** cluster_node_id; default: hostname:port of the first listener. */
  nodeId?: string;
  /** cluster_session_store: where persistent sessions live in a cluster. */
  sessionStore: 'local' | 'redis';
  /** cluster_lease_seconds: how long a node's lease lasts without a heartbeat. */
  leaseSeconds: number;
}

export interface Config {
  listeners: ListenerConfig[];
  /** Set by any cluster_* directive; undefined = a single node that never loads a Redis client. */
  cluster?: ClusterConfig;
  httpApi: HttpApiConfig;
  envelope: EnvelopeConfig;
  /** JavaScript modules exporting BrokerHooks (`plugin /path/hooks.js`). */
  hookModules: string[];
  /** Webhook targets (`webhook URL` and the webhook_* lines after it). */
  webhooks: WebhookConfig[];
  /** No listener was configured: Midge listens on loopback only, anonymous access allowed (mosquitto 2). */
  localOnlyMode: boolean;
  allowAnonymous: boolean;
  perListenerSettings: boolean;
  /** 0 = no limit. */
  maxInflightMessages: number;
  maxInflightBytes: number;
  maxQueuedMessages: number;
  /** 0 = no limit. */
  maxQueuedBytes: number;
  /** memory_limit (bytes; 0 = no limit): see src/sys/memory-guard.ts. */
  memoryLimit: number;
  queueQos0Messages: boolean;
  /** 0 = the protocol maximum, 268,435,455. */
  maxPacketSize: number;
  /** 0 = no limit on the PUBLISH payload. */
  messageSizeLimit: number;
  maxKeepalive: number;
  retainAvailable: boolean;
  /** -1 = no limit. */
  maxConnections: number;
  /** Seconds; 0 = no $SYS updates. */
  sysInterval: number;
  persistence: boolean;
  persistenceLocation: string;
  persistenceFile: string;
  autosaveInterval: number;
  /**
   * persistence_sync (Midge): 'full' fsyncs every group commit before acknowledging what it holds; 'normal'
   * does not fsync each commit: it survives a crash of Midge but a power loss may lose acknowledged messages.
   */
  persistenceSync: 'full' | 'normal';
  /** queue_overflow (Midge): which message a full queue drops; mosquitto drops the newest. */
  queueOverflow: 'drop_newest' | 'drop_oldest';
  autosaveOnChanges: boolean;
  passwordFile?: string;
  aclFile?: string;
  /** auth_plugin / plugin: the authentication backend to load. */
  authPlugin?: string;
  /** auth_opt_NAME / plugin_opt_NAME value lines, keyed by NAME (auth-plug compatible). */
  authOptions: Record<string, string>;
  log: LogConfig;
  /** Only clients whose id starts with this may connect (mosquitto clientid_prefixes). */
  clientIdPrefixes?: string;
  /** Refuse every client with "use another server" (MQTT 5 CONNACK 0x9C) naming this Server Reference. */
  useAnotherServer?: string;
  /** Refuse every client with "server moved" (MQTT 5 CONNACK 0x9D) naming this Server Reference. */
  serverMoved?: string;
  allowZeroLengthClientId: boolean;
  autoIdPrefix: string;
  maxTopicAlias: number;
  /** Seconds a disconnected persistent session is kept; 0 = forever. */
  persistentClientExpiration: number;
  setTcpNodelay: boolean;
  upgradeOutgoingQos: boolean;
  pidFile?: string;
  /** user: the account the CLI switches to after opening the listeners when started as root. */
  user?: string;
  /** Things the configuration asked for that Midge accepted but ignores; log them at start. */
  notes: string[];
}

/** What callers pass: any subset of Config, with `log` also partial. */
export type ConfigInput = Partial<Omit<Config, 'log' | 'httpApi' | 'envelope' | 'cluster'>> & {
  cluster?: Partial<ClusterConfig>;
  log?: Partial<LogConfig>;
  httpApi?: Partial<HttpApiConfig>;
  envelope?: Partial<EnvelopeConfig>;
};

/** Fills every default, applies the mosquitto 2 local-only and anonymous rules, and checks the values. */
export function resolveConfig(input: ConfigInput = {}): Config {
  const configured = input.listeners !== undefined && input.listeners.length > 0;
  const localOnlyMode = configured ? (input.localOnlyMode ?? false) : true;
  const listeners = configured
    ? (input.listeners as ListenerConfig[]).map((listener) => ({
        ...listener,
        protocol: listener.protocol ?? 'mqtt',
      }))
    : [
        { port: DEFAULT_PORT, host: LOCAL_ONLY_HOST, protocol: 'mqtt' as const, defaultListener: true },
        { ...WEBSOCKETS_LISTENER_DEFAULTS, defaultWebSocketListener: true },
      ];
  const persistenceLocation = input.persistenceLocation ?? DEFAULTS.persistenceLocation;
  const config: Config = {
    listeners,
    httpApi: {
      keyFile: input.httpApi?.keyFile ?? `${persistenceLocation}/${DEFAULTS.apiKeyFileName}`,
      allowAnonymous: input.httpApi?.allowAnonymous ?? false,
      corsOrigins: [...(input.httpApi?.corsOrigins ?? [])],
      console: input.httpApi?.console ?? DEFAULTS.console.enabled,
      consolePath: input.httpApi?.consolePath ?? DEFAULTS.console.path,
      consoleTopics: input.httpApi?.consoleTopics ?? DEFAULTS.console.topics,
    },
    envelope: { ...DEFAULTS.envelope, ...input.envelope, filters: [...(input.envelope?.filters ?? [])] },
    hookModules: [...(input.hookModules ?? [])],
    webhooks: (input.webhooks ?? []).map((w) => ({ ...w, events: [...w.events], topics: [...w.topics] })),
    localOnlyMode,
    // mosquitto 2: anonymous access only in local only mode, unless allow_anonymous says otherwise.
    allowAnonymous:
      input.allowAnonymous ?? (localOnlyMode ? DEFAULTS.localOnlyAllowAnonymous : DEFAULTS.allowAnonymous),
    perListenerSettings: input.perListenerSettings ?? DEFAULTS.perListenerSettings,
    maxInflightMessages: input.maxInflightMessages ?? DEFAULTS.maxInflightMessages,
    maxInflightBytes: input.maxInflightBytes ?? DEFAULTS.maxInflightBytes,
    maxQueuedMessages: input.maxQueuedMessages ?? DEFAULTS.maxQueuedMessages,
    maxQueuedBytes: input.maxQueuedBytes ?? DEFAULTS.maxQueuedBytes,
    memoryLimit: input.memoryLimit ?? DEFAULTS.memoryLimit,
    queueQos0Messages: input.queueQos0Messages ?? DEFAULTS.queueQos0Messages,
    maxPacketSize: input.maxPacketSize ?? DEFAULTS.maxPacketSize,
    messageSizeLimit: input.messageSizeLimit ?? DEFAULTS.messageSizeLimit,
    maxKeepalive: input.maxKeepalive ?? DEFAULTS.maxKeepalive,
    retainAvailable: input.retainAvailable ?? DEFAULTS.retainAvailable,
    maxConnections: input.maxConnections ?? DEFAULTS.maxConnections,
    sysInterval: input.sysInterval ?? DEFAULTS.sysInterval,
    persistence: input.persistence ?? DEFAULTS.persistence,
    persistenceLocation,
    persistenceFile: input.persistenceFile ?? DEFAULTS.persistenceFile,
    autosaveInterval: input.autosaveInterval ?? DEFAULTS.autosaveInterval,
    persistenceSync: input.persistenceSync ?? DEFAULTS.persistenceSync,
    queueOverflow: input.queueOverflow ?? DEFAULTS.queueOverflow,
    autosaveOnChanges: input.autosaveOnChanges ?? DEFAULTS.autosaveOnChanges,
    passwordFile: input.passwordFile,
    aclFile: input.aclFile,
    authPlugin: input.authPlugin,
    authOptions: { ...input.authOptions },
    log: {
      types: [...(input.log?.types ?? DEFAULTS.logTypes)],
      dest: [...(input.log?.dest ?? DEFAULTS.logDest)],
      verbose: input.log?.verbose ?? false,
      timestamp: input.log?.timestamp ?? DEFAULTS.logTimestamp,
      ...(input.log?.timestampFormat === undefined ? {} : { timestampFormat: input.log.timestampFormat }),
      connectionMessages: input.log?.connectionMessages ?? DEFAULTS.connectionMessages,
    },
    clientIdPrefixes: input.clientIdPrefixes,
    useAnotherServer: input.useAnotherServer,
    serverMoved: input.serverMoved,
    allowZeroLengthClientId: input.allowZeroLengthClientId ?? DEFAULTS.allowZeroLengthClientId,
    autoIdPrefix: input.autoIdPrefix ?? DEFAULTS.autoIdPrefix,
    maxTopicAlias: input.maxTopicAlias ?? DEFAULTS.maxTopicAlias,
    persistentClientExpiration: input.persistentClientExpiration ?? DEFAULTS.persistentClientExpiration,
    setTcpNodelay: input.setTcpNodelay ?? DEFAULTS.setTcpNodelay,
    upgradeOutgoingQos: input.upgradeOutgoingQos ?? DEFAULTS.upgradeOutgoingQos,
    pidFile: input.pidFile,
    user: input.user,
    notes: [...(input.notes ?? [])],
  };
  if (input.cluster !== undefined) config.cluster = resolveCluster(input.cluster);
  checkConfig(config);
  return config;
}

function bad(field: string, expected: string, value: unknown): ConfigError {
  return new ConfigError(
    'MIDGE_CONFIG_BAD_VALUE',
    `'${field}' expects ${expected}, got ${JSON.stringify(value)}`,
  );
}

function checkInteger(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw bad(field, `a whole number from ${min} to ${max}`, value);
  }
}

/** Catches programmatic configs that a config file could not have produced. */
function checkConfig(config: Config): void {
  for (const [index, listener] of config.listeners.entries()) {
    checkInteger(`listeners[${index}].port`, listener.port, 0, 65535);
    if (!['mqtt', 'websockets', 'http_api'].includes(listener.protocol)) {
      throw bad(`listeners[${index}].protocol`, "'mqtt', 'websockets' or 'http_api'", listener.protocol);
    }
  }
  checkInteger('maxInflightMessages', config.maxInflightMessages, 0, 65535);
  checkInteger('maxInflightBytes', config.maxInflightBytes, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('maxQueuedMessages', config.maxQueuedMessages, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('maxQueuedBytes', config.maxQueuedBytes, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('memoryLimit', config.memoryLimit, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('maxPacketSize', config.maxPacketSize, 0, PROTOCOL_MAX_PACKET_SIZE);
  if (config.maxPacketSize > 0 && config.maxPacketSize < MIN_MAX_PACKET_SIZE) {
    throw bad('maxPacketSize', `0 (no limit) or at least ${MIN_MAX_PACKET_SIZE}`, config.maxPacketSize);
  }
  checkInteger('messageSizeLimit', config.messageSizeLimit, 0, PROTOCOL_MAX_PACKET_SIZE);
  checkInteger('maxKeepalive', config.maxKeepalive, 0, PROTOCOL_MAX_KEEPALIVE);
  checkInteger('maxConnections', config.maxConnections, -1, Number.MAX_SAFE_INTEGER);
  checkInteger('sysInterval', config.sysInterval, 0, Number.MAX_SAFE_INTEGER);
  checkInteger('autosaveInterval', config.autosaveInterval, 0, Number.MAX_SAFE_INTEGER);
  if (config.persistenceSync !== 'full' && config.persistenceSync !== 'normal')
    throw bad('persistenceSync', "'full' or 'normal'", config.persistenceSync);
  if (config.queueOverflow !== 'drop_newest' && config.queueOverflow !== 'drop_oldest')
    throw bad('queueOverflow', "'drop_newest' or 'drop_oldest'", config.queueOverflow);
  checkInteger('maxTopicAlias', config.maxTopicAlias, 0, PROTOCOL_MAX_TOPIC_ALIAS);
  checkInteger('persistentClientExpiration', config.persistentClientExpiration, 0, Number.MAX_SAFE_INTEGER);
}

/** A cluster needs Redis; everything else has a default. */
function resolveCluster(input: Partial<ClusterConfig>): ClusterConfig {
  const redis = [...(input.redis ?? [])];
  if (redis.length === 0) {
    throw new ConfigError(
      'MIDGE_CONFIG_BAD_VALUE',
      "a cluster_* directive needs 'cluster_redis URL' (or host:port seeds of a Redis Cluster)",
    );
  }
  const cluster: ClusterConfig = {
    redis,
    sessionStore: input.sessionStore ?? DEFAULTS.clusterSessionStore,
    leaseSeconds: input.leaseSeconds ?? DEFAULTS.clusterLeaseSeconds,
  };
  if (input.nodeId !== undefined) cluster.nodeId = input.nodeId;
  checkInteger('cluster.leaseSeconds', cluster.leaseSeconds, 2, 3600);
  if (cluster.sessionStore !== 'local' && cluster.sessionStore !== 'redis')
    throw bad('cluster.sessionStore', "'local' or 'redis'", cluster.sessionStore);
  return cluster;
}
