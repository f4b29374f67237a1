// The mosquitto.conf directives Midge understands: how each value is checked and where it lands in Config.
// mosquitto.conf(5) is the reference for names, scopes and units.
import { ConfigError } from './errors.js';
import {
  DEFAULT_PORT,
  MIN_MAX_PACKET_SIZE,
  PROTOCOL_MAX_KEEPALIVE,
  PROTOCOL_MAX_PACKET_SIZE,
  PROTOCOL_MAX_TOPIC_ALIAS,
  TLS_VERSIONS,
} from './defaults.js';
import type { ClusterConfig, ListenerConfig, WebhookConfig } from './schema.js';
import { REFUSED_DIRECTIVES } from './refused.js';
import { LOG_DIRECTIVES } from './log-directives.js';
import { badValue, describeRange, parseBool, parseChoice, parseWhole, unsupported } from './directive-kit.js';
import type { At, Directive, ParseState } from './directive-kit.js';

export type { At, ParseState } from './directive-kit.js';

type Draft = Record<string, unknown>;
type Section = 'global' | 'listener' | 'either';

/** Listener-specific settings before any `listener` line configure the default listener. */
export function defaultListener(state: ParseState): ListenerConfig {
  if (state.defaultListener === undefined) {
    state.defaultListener = { port: DEFAULT_PORT, protocol: 'mqtt', defaultListener: true };
    state.draft.listeners.unshift(state.defaultListener);
  }
  return state.defaultListener;
}

/** Where a setting lands: the config, the listener being configured, or (either) the listener if in one. */
function targetOf(state: ParseState, section: Section): Draft {
  if (section === 'global') return state.draft as Draft;
  if (section === 'either') return (state.current ?? state.draft) as Draft;
  return (state.current ?? defaultListener(state)) as unknown as Draft;
}

function whole(
  key: string,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
  section: Section = 'global',
): Directive {
  return {
    expects: describeRange(min, max),
    apply: (state, value, at) => {
      targetOf(state, section)[key] = parseWhole(value, min, max, at);
    },
  };
}

function bool(key: string, section: Section = 'global'): Directive {
  return {
    expects: "'true' or 'false'",
    apply: (state, value, at) => {
      targetOf(state, section)[key] = parseBool(value, at);
    },
  };
}

function text(key: string, section: Section = 'global', expects = 'a value'): Directive {
  return {
    expects,
    apply: (state, value) => {
      targetOf(state, section)[key] = value;
    },
  };
}

function choice(key: string, choices: readonly string[], section: Section = 'global'): Directive {
  return {
    expects: `one of ${choices.map((c) => `'${c}'`).join(', ')}`,
    apply: (state, value, at) => {
      targetOf(state, section)[key] = parseChoice(value, choices, at);
    },
  };
}

/** allow_anonymous, password_file, acl_file: per listener only with per_listener_settings true. */
function security(inner: Directive): Directive {
  return {
    expects: inner.expects,
    apply: (state, value, at) => {
      const perListener = state.perListenerSettings && state.current !== undefined;
      inner.apply({ ...state, current: perListener ? state.current : undefined }, value, at);
    },
  };
}

function webhookSetting(expects: string, set: (hook: WebhookConfig, value: string) => void): Directive {
  return {
    expects,
    apply: (state, value, at) => {
      const hook = state.draft.webhooks?.at(-1);
      if (hook === undefined) {
        throw new ConfigError(
          'MIDGE_CONFIG_MISPLACED_DIRECTIVE',
          `'${at.directive}' must follow a 'webhook URL' line`,
          at,
        );
      }
      set(hook, value);
    },
  };
}

function envelopeSetting(
  key: 'secret' | 'jwtSecret' | 'jwtPublicKeyFile' | 'deviceProperty',
  expects: string,
): Directive {
  return {
    expects,
    apply: (state, value) => {
      (state.draft.envelope ??= {})[key] = value === "''" ? '' : value;
    },
  };
}

/** Redis Cluster seeds are host:port; a single Redis is a redis:// or rediss:// URL. */
const REDIS_URL = /^rediss?:\/\/\S+$/;
const HOST_PORT = /^(\[[0-9a-fA-F:]+\]|[^\s:/]+):(\d{1,5})$/;

function cluster(
  apply: (draft: Partial<ClusterConfig>, value: string, at: At) => void,
  expects: string,
): Directive {
  return { expects, apply: (state, value, at) => apply((state.draft.cluster ??= {}), value, at) };
}

const CLUSTER_REDIS_EXPECTS = 'a redis:// or rediss:// URL, or one or more host:port of a Redis Cluster';

const EXPIRY_UNITS: Record<string, number> = { h: 3600, d: 86400, w: 604800, m: 2592000, y: 31536000 };

export const DIRECTIVES: Record<string, Directive> = {
  // Cluster (Midge; mosquitto has none): docs/CLUSTER.md
  cluster_redis: cluster((draft, value, at) => {
    const seeds = value.split(/[\s,]+/).filter((seed) => seed.length > 0);
    const url = seeds.length === 1 && REDIS_URL.test(seeds[0] as string);
    const ports = seeds.every((seed) => {
      const port = HOST_PORT.exec(seed)?.[2];
      return port !== undefined && Number(port) > 0 && Number(port) <= 65535;
    });
    if (seeds.length === 0 || (!url && !ports)) throw badValue(at, CLUSTER_REDIS_EXPECTS, value);
    draft.redis = seeds;
  }, CLUSTER_REDIS_EXPECTS),
  cluster_node_id: cluster((draft, value, at) => {
    // The id is part of Redis key names and stream entries: printable, no spaces, not too long.
    if (!/^[A-Za-z0-9._:@-]{1,100}$/.test(value))
      throw badValue(at, 'a node name of letters, digits and . _ : @ - (at most 100)', value);
    draft.nodeId = value;
  }, 'a node name'),
  cluster_session_store: cluster((draft, value, at) => {
    draft.sessionStore = parseChoice(value, ['local', 'redis'] as const, at);
  }, "one of 'local', 'redis'"),
  cluster_lease_seconds: cluster(
    (draft, value, at) => {
      draft.leaseSeconds = parseWhole(value, 2, 3600, at);
    },
    describeRange(2, 3600),
  ),
  // Listeners
  port: {
    expects: 'a port number from 0 to 65535',
    apply: (state, value, at) => {
      defaultListener(state).port = parseWhole(value, 0, 65535, at);
    },
  },
  listener: {
    expects: 'a port number from 0 to 65535, optionally followed by a bind address',
    apply: (state, value, at) => {
      const [portText = '', host, ...rest] = value.split(/\s+/);
      if (rest.length > 0) throw badValue(at, 'a port number and at most one bind address', value);
      const listener: ListenerConfig = { port: parseWhole(portText, 0, 65535, at), protocol: 'mqtt' };
      if (host !== undefined) listener.host = host;
      state.draft.listeners.push(listener);
      state.current = listener;
    },
  },
  bind_address: text('host', 'listener', 'an address or host name'),
  protocol: choice('protocol', ['mqtt', 'websockets', 'http_api'], 'listener'),
  socket_domain: choice('socketDomain', ['ipv4', 'ipv6'], 'listener'),
  certfile: text('certfile', 'listener', 'a file path'),
  keyfile: text('keyfile', 'listener', 'a file path'),
  cafile: text('cafile', 'listener', 'a file path'),
  capath: text('capath', 'listener', 'a directory path'),
  require_certificate: bool('requireCertificate', 'listener'),
  use_identity_as_username: bool('useIdentityAsUsername', 'listener'),
  tls_version: choice('tlsVersion', TLS_VERSIONS, 'listener'),
  ciphers: text('ciphers', 'listener', 'an OpenSSL cipher list'),
  http_dir: text('httpDir', 'listener', 'a directory path'),
  enable_proxy_protocol: whole('proxyProtocol', 1, 2, 'listener'),
  trust_x_forwarded_for: bool('trustForwardedFor', 'listener'),
  max_connections: whole('maxConnections', -1, Number.MAX_SAFE_INTEGER, 'either'),
  max_topic_alias: whole('maxTopicAlias', 0, PROTOCOL_MAX_TOPIC_ALIAS, 'either'),

  // Security
  per_listener_settings: bool('perListenerSettings'),
  allow_anonymous: security(bool('allowAnonymous', 'either')),
  password_file: security(text('passwordFile', 'either', 'a file path')),
  acl_file: security(text('aclFile', 'either', 'a file path')),
  auth_plugin: text('authPlugin', 'global', 'a plugin name or path'),
  plugin: {
    // A JavaScript module is a BrokerHooks plugin; any other value names an auth backend (auth-plug style).
    expects: 'a plugin name or path',
    apply: (state, value) => {
      if (/\.(m?js|cjs)$/.test(value)) (state.draft.hookModules ??= []).push(value);
      else state.draft.authPlugin = value;
    },
  },
  allow_zero_length_clientid: bool('allowZeroLengthClientId'),
  auto_id_prefix: text('autoIdPrefix', 'global', 'a client id prefix'),
  clientid_prefixes: text('clientIdPrefixes', 'global', 'a client id prefix'),
  // MQTT 5 server redirection (section 4.11): CONNACK 0x9C / 0x9D with a Server Reference.
  use_another_server: text('useAnotherServer', 'global', 'a server reference such as host:port'),
  server_moved: text('serverMoved', 'global', 'a server reference such as host:port'),

  // Messages, queues and sessions
  max_inflight_messages: whole('maxInflightMessages', 0, 65535),
  max_inflight_bytes: whole('maxInflightBytes', 0),
  max_queued_messages: whole('maxQueuedMessages', 0),
  max_queued_bytes: whole('maxQueuedBytes', 0),
  memory_limit: whole('memoryLimit', 0),
  queue_qos0_messages: bool('queueQos0Messages'),
  // Midge: which message a full queue drops (mosquitto always drops the newest).
  queue_overflow: choice('queueOverflow', ['drop_newest', 'drop_oldest']),
  message_size_limit: whole('messageSizeLimit', 0, PROTOCOL_MAX_PACKET_SIZE),
  max_packet_size: {
    expects: `0 (no limit) or a whole number from ${MIN_MAX_PACKET_SIZE} to ${PROTOCOL_MAX_PACKET_SIZE}`,
    apply: (state, value, at) => {
      const n = parseWhole(value, 0, PROTOCOL_MAX_PACKET_SIZE, at);
      if (n !== 0 && n < MIN_MAX_PACKET_SIZE) throw badValue(at, DIRECTIVES.max_packet_size!.expects, value);
      state.draft.maxPacketSize = n;
    },
  },
  max_keepalive: whole('maxKeepalive', 0, PROTOCOL_MAX_KEEPALIVE),
  retain_available: bool('retainAvailable'),
  upgrade_outgoing_qos: bool('upgradeOutgoingQos'),
  persistent_client_expiration: {
    expects: "a duration such as '1h', '2d', '1w', '1m' or '1y'",
    apply: (state, value, at) => {
      const match = /^(\d+)([hdwmy])$/.exec(value);
      if (match === null) throw badValue(at, DIRECTIVES.persistent_client_expiration!.expects, value);
      state.draft.persistentClientExpiration =
        Number(match[1]) * (EXPIRY_UNITS[match[2] as string] as number);
    },
  },
  set_tcp_nodelay: bool('setTcpNodelay'),
  // Deprecated in mosquitto 2.0. Midge always sends a client one copy of a message however many of its
  // subscriptions match (MQTT 5's rule): what `false` asks, and allowed under `true`, so both values hold.
  allow_duplicate_messages: {
    expects: "'true' or 'false'",
    apply: (_state, value, at) => {
      parseBool(value, at);
    },
  },
  sys_interval: whole('sysInterval', 0),

  // Persistence
  persistence: bool('persistence'),
  persistence_location: text('persistenceLocation', 'global', 'a directory path'),
  persistence_file: text('persistenceFile', 'global', 'a file name'),
  autosave_interval: whole('autosaveInterval', 0),
  autosave_on_changes: bool('autosaveOnChanges'),
  // Midge: 'full' fsyncs every group commit; 'normal' trades power-loss durability for speed.
  persistence_sync: choice('persistenceSync', ['full', 'normal']),

  // Logging
  ...LOG_DIRECTIVES,

  // HTTP API
  http_api_key_file: {
    expects: 'a file path',
    apply: (state, value) => {
      (state.draft.httpApi ??= {}).keyFile = value;
    },
  },
  http_api_allow_anonymous: {
    expects: "'true' or 'false'",
    apply: (state, value, at) => {
      (state.draft.httpApi ??= {}).allowAnonymous = parseBool(value, at);
    },
  },
  http_api_cors_origin: {
    expects: "an origin such as 'https://dashboard.example.com', or '*'",
    apply: (state, value) => {
      ((state.draft.httpApi ??= {}).corsOrigins ??= []).push(value);
    },
  },

  http_api_console: {
    expects: "'true' or 'false'",
    apply: (state, value, at) => {
      (state.draft.httpApi ??= {}).console = parseBool(value, at);
    },
  },
  http_api_console_path: {
    expects: "a URL path such as '/' or '/console/'",
    apply: (state, value, at) => {
      if (!/^\/([A-Za-z0-9._~-]+\/)*$/.test(value)) {
        throw badValue(at, DIRECTIVES.http_api_console_path!.expects, value);
      }
      (state.draft.httpApi ??= {}).consolePath = value;
    },
  },
  http_api_console_topics: {
    expects: 'a whole number of topics from 100 to 1000000',
    apply: (state, value, at) => {
      (state.draft.httpApi ??= {}).consoleTopics = parseWhole(value, 100, 1_000_000, at);
    },
  },

  // Webhooks: `webhook URL` starts one; the webhook_* lines after it configure that one.
  webhook: {
    expects: 'an http:// or https:// URL',
    apply: (state, value, at) => {
      if (!/^https?:\/\/\S+$/.test(value)) throw badValue(at, 'an http:// or https:// URL', value);
      (state.draft.webhooks ??= []).push({ url: value, events: [], topics: [] });
    },
  },
  webhook_secret: webhookSetting('a secret for the HMAC-SHA256 signature', (hook, value) => {
    hook.secret = value;
  }),
  webhook_events: webhookSetting('event names separated by spaces or commas', (hook, value) => {
    hook.events.push(...value.split(/[\s,]+/).filter((e) => e !== ''));
  }),
  webhook_topic: webhookSetting('a topic filter', (hook, value) => {
    hook.topics.push(value);
  }),

  // Envelope mode
  envelope: {
    expects: 'a topic filter',
    apply: (state, value) => {
      ((state.draft.envelope ??= {}).filters ??= []).push(value);
    },
  },
  envelope_secret: envelopeSetting('secret', 'a secret (HMAC key of device tokens)'),
  envelope_jwt_secret: envelopeSetting('jwtSecret', 'a secret (HS256 JWT key)'),
  envelope_jwt_public_key: envelopeSetting('jwtPublicKeyFile', 'a PEM public key file path'),
  envelope_window: {
    expects: 'a number of seconds',
    apply: (state, value, at) => {
      (state.draft.envelope ??= {}).windowSeconds = parseWhole(value, 1, Number.MAX_SAFE_INTEGER, at);
    },
  },
  envelope_replay_cache: {
    expects: 'a number of entries',
    apply: (state, value, at) => {
      (state.draft.envelope ??= {}).replayCacheSize = parseWhole(value, 1, 100_000_000, at);
    },
  },
  envelope_strip_token: {
    expects: "'true' or 'false'",
    apply: (state, value, at) => {
      (state.draft.envelope ??= {}).stripToken = parseBool(value, at);
    },
  },
  envelope_route_by_type: {
    expects: "'true' or 'false'",
    apply: (state, value, at) => {
      (state.draft.envelope ??= {}).routeByType = parseBool(value, at);
    },
  },
  envelope_device_property: envelopeSetting('deviceProperty', "a user property name, or '' for none"),

  // Process
  pid_file: text('pidFile', 'global', 'a file path'),
  // mosquitto: started as root, switch to this user (and its primary group) once the listeners are open.
  user: text('user', 'global', 'a user name'),
};

// The directives Midge refuses stop the start with their reason (an implementation above always wins).
for (const [name, why] of Object.entries(REFUSED_DIRECTIVES)) {
  if (Object.hasOwn(DIRECTIVES, name)) continue;
  DIRECTIVES[name] = {
    expects: 'nothing: Midge refuses this directive',
    apply: (_state, _value, at) => {
      throw unsupported(at, why.startsWith('is ') ? `'${name}' ${why}` : `'${name}' is refused: ${why}`);
    },
  };
}

/** auth_opt_NAME value (auth-plug) and plugin_opt_NAME value (mosquitto 2): kept by NAME for the auth backend. */
export const OPTION_PREFIXES = ['auth_opt_', 'plugin_opt_'] as const;

/** include_dir is handled by the file reader; listed here so it counts as known for suggestions. */
export const KNOWN_DIRECTIVES: readonly string[] = [...Object.keys(DIRECTIVES), 'include_dir'];
