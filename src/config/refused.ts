// mosquitto.conf(5) directives Midge refuses, each with why and what to do instead. A refused directive stops
// the start with MIDGE_CONFIG_UNSUPPORTED rather than being accepted and silently doing nothing.

const BRIDGES =
  "bridges ('connection' sections) are not implemented in Midge yet; run the bridge in a mosquitto beside Midge, " +
  'or connect the two brokers with a client of your own';
const PSK =
  "TLS-PSK is not available: Node.js's TLS server cannot offer PSK and certificates on one listener; use " +
  'certificates (certfile/keyfile, require_certificate)';
const ENGINE = 'OpenSSL engines (hardware keys) are not available to Node.js TLS; use a key file (keyfile)';

export const REFUSED_DIRECTIVES: Readonly<Record<string, string>> = {
  // General
  psk_file: PSK,
  auth_plugin_deny_special_chars:
    "is not implemented: Midge's auth backends are not mosquitto plugins; remove it (ACLs still apply per topic)",
  check_retain_source:
    'is not implemented yet: retained messages are not re-checked against the ACL of their source',
  // Listeners
  bind_interface:
    'Node.js cannot bind a socket to a network interface (SO_BINDTODEVICE); use bind_address with that ' +
    "interface's address",
  max_qos: 'is not implemented yet: every listener offers QoS 0, 1 and 2',
  mount_point: 'is not implemented yet: topics of a listener cannot be prefixed',
  use_username_as_clientid: 'is not implemented yet: clients keep the client id they send',
  use_subject_as_username:
    'is not implemented: use use_identity_as_username (the certificate CN becomes the username)',
  websockets_log_level:
    "sets libwebsockets' own log level and Midge's WebSocket server is not libwebsockets; use 'log_type websockets'",
  websockets_headers_size: 'is not implemented yet: the WebSocket HTTP headers use Node.js limits (16 KiB)',
  'ciphers_tls1.3': 'is not implemented yet: TLS 1.3 uses Node.js default cipher suites',
  crlfile: 'is not implemented yet: certificate revocation lists are not checked',
  dhparamfile: 'is not implemented yet: Node.js chooses the Diffie-Hellman parameters (ECDHE is preferred)',
  tls_engine: ENGINE,
  tls_engine_kpass_sha1: ENGINE,
  tls_keyform: ENGINE,
  psk_hint: PSK,
  // Bridges
  address: BRIDGES,
  addresses: BRIDGES,
  bridge_attempt_unsubscribe: BRIDGES,
  bridge_bind_address: BRIDGES,
  bridge_max_packet_size: BRIDGES,
  bridge_outgoing_retain: BRIDGES,
  bridge_protocol_version: BRIDGES,
  cleansession: BRIDGES,
  local_cleansession: BRIDGES,
  connection: BRIDGES,
  keepalive_interval: BRIDGES,
  idle_timeout: BRIDGES,
  local_clientid: BRIDGES,
  local_password: BRIDGES,
  local_username: BRIDGES,
  notifications: BRIDGES,
  notifications_local_only: BRIDGES,
  notification_topic: BRIDGES,
  remote_clientid: BRIDGES,
  remote_password: BRIDGES,
  remote_username: BRIDGES,
  restart_timeout: BRIDGES,
  round_robin: BRIDGES,
  start_type: BRIDGES,
  threshold: BRIDGES,
  topic: BRIDGES,
  try_private: BRIDGES,
  bridge_alpn: BRIDGES,
  bridge_cafile: BRIDGES,
  bridge_capath: BRIDGES,
  bridge_certfile: BRIDGES,
  bridge_identity: BRIDGES,
  bridge_insecure: BRIDGES,
  bridge_keyfile: BRIDGES,
  bridge_psk: BRIDGES,
  bridge_require_ocsp: BRIDGES,
  bridge_tls_version: BRIDGES,
};
