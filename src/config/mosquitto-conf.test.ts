import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfigFile, parseMosquittoConf } from './mosquitto-conf.js';
import { ConfigError } from './errors.js';
import type { ConfigErrorCode } from './errors.js';

const parse = (text: string) => parseMosquittoConf(text, { file: 'midge.conf' });

function assertConfigError(text: string, code: ConfigErrorCode, message: string | RegExp): void {
  assert.throws(
    () => parse(text),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, String(error));
      assert.equal(error.code, code);
      if (typeof message === 'string') assert.equal(error.message, message);
      else assert.match(error.message, message);
      return true;
    },
  );
}

// Listeners

test('port configures the default listener on every address and turns anonymous access off', () => {
  const config = parse('port 1884\n');
  assert.deepEqual(config.listeners, [{ port: 1884, protocol: 'mqtt', defaultListener: true }]);
  assert.equal(config.localOnlyMode, false);
  assert.equal(config.allowAnonymous, false);
});

test('listener PORT [BIND] opens a section; listener-specific directives apply to the latest one', () => {
  const config = parse(
    [
      'listener 1883',
      'protocol mqtt',
      'max_connections 100',
      'listener 8883 0.0.0.0',
      'certfile /etc/midge/server.crt',
      'keyfile /etc/midge/server.key',
      'cafile /etc/midge/ca.crt',
      'capath /etc/midge/ca.d',
      'require_certificate true',
      'use_identity_as_username true',
      'tls_version tlsv1.2',
      'ciphers ECDHE-RSA-AES128-GCM-SHA256',
      'enable_proxy_protocol 2',
      'listener 9001 127.0.0.1',
      'protocol websockets',
      'socket_domain ipv4',
      'http_dir /var/www',
      'max_topic_alias 5',
      'trust_x_forwarded_for true',
      'enable_proxy_protocol 1',
    ].join('\n'),
  );
  assert.deepEqual(config.listeners, [
    { port: 1883, protocol: 'mqtt', maxConnections: 100 },
    {
      port: 8883,
      host: '0.0.0.0',
      protocol: 'mqtt',
      certfile: '/etc/midge/server.crt',
      keyfile: '/etc/midge/server.key',
      cafile: '/etc/midge/ca.crt',
      capath: '/etc/midge/ca.d',
      requireCertificate: true,
      useIdentityAsUsername: true,
      tlsVersion: 'tlsv1.2',
      ciphers: 'ECDHE-RSA-AES128-GCM-SHA256',
      proxyProtocol: 2,
    },
    {
      port: 9001,
      host: '127.0.0.1',
      protocol: 'websockets',
      socketDomain: 'ipv4',
      httpDir: '/var/www',
      maxTopicAlias: 5,
      trustForwardedFor: true,
      proxyProtocol: 1,
    },
  ]);
  assert.equal(config.maxConnections, -1);
  assert.equal(config.maxTopicAlias, 10);
});

test('listener-specific directives before any listener configure the default listener', () => {
  const config = parse('bind_address 10.0.0.1\ncertfile /c.pem\nlistener 1884\n');
  assert.deepEqual(config.listeners, [
    { port: 1883, host: '10.0.0.1', protocol: 'mqtt', defaultListener: true, certfile: '/c.pem' },
    { port: 1884, protocol: 'mqtt' },
  ]);
});

test('port after listener sections still moves the default listener', () => {
  const config = parse('listener 1884\nport 1999\n');
  assert.deepEqual(
    config.listeners.map((l) => [l.port, l.defaultListener ?? false]),
    [
      [1999, true],
      [1884, false],
    ],
  );
});

test('max_connections and max_topic_alias outside a listener are global', () => {
  const config = parse('max_connections 50\nmax_topic_alias 0\n');
  assert.equal(config.maxConnections, 50);
  assert.equal(config.maxTopicAlias, 0);
  assert.equal(config.localOnlyMode, true);
});

// The anonymous default rule

test('mosquitto 2 anonymous rule: local only mode allows anonymous, any listener or port forbids it by default', () => {
  assert.equal(parse('').allowAnonymous, true);
  assert.equal(parse('# nothing but a comment\n\nsys_interval 5\n').allowAnonymous, true);
  assert.equal(parse('').listeners[0]?.host, '127.0.0.1');
  assert.equal(parse('listener 1883').allowAnonymous, false);
  assert.equal(parse('port 1883').allowAnonymous, false);
  assert.equal(parse('certfile /c.pem').allowAnonymous, false);
  assert.equal(parse('listener 1883\nallow_anonymous true').allowAnonymous, true);
  assert.equal(parse('allow_anonymous false').allowAnonymous, false);
  assert.equal(parse('allow_anonymous false').localOnlyMode, true);
});

// Security

test('without per_listener_settings, security directives in a listener section are global', () => {
  const config = parse('listener 1883\nallow_anonymous true\npassword_file /p\nacl_file /a\n');
  assert.equal(config.perListenerSettings, false);
  assert.equal(config.allowAnonymous, true);
  assert.equal(config.passwordFile, '/p');
  assert.equal(config.aclFile, '/a');
  assert.deepEqual(config.listeners, [{ port: 1883, protocol: 'mqtt' }]);
});

test('with per_listener_settings true, security directives belong to their listener (wherever the switch is)', () => {
  const config = parse(
    'allow_anonymous false\nlistener 1883\nallow_anonymous true\npassword_file /p1\nacl_file /a1\n' +
      'listener 1884\nper_listener_settings true\n',
  );
  assert.equal(config.perListenerSettings, true);
  assert.equal(config.allowAnonymous, false);
  assert.equal(config.passwordFile, undefined);
  assert.deepEqual(config.listeners[0], {
    port: 1883,
    protocol: 'mqtt',
    allowAnonymous: true,
    passwordFile: '/p1',
    aclFile: '/a1',
  });
  assert.deepEqual(config.listeners[1], { port: 1884, protocol: 'mqtt' });
});

test('auth_plugin, plugin, auth_opt_* and plugin_opt_* lines collect into authPlugin and authOptions', () => {
  const config = parse(
    [
      'auth_plugin /usr/lib/auth-plug.so',
      'auth_opt_backends mysql,redis',
      'auth_opt_host db.example.com',
      "auth_opt_userquery SELECT pw FROM users WHERE username = '%s' LIMIT 1",
      'plugin_opt_cache_seconds 30',
    ].join('\n'),
  );
  assert.equal(config.authPlugin, '/usr/lib/auth-plug.so');
  assert.deepEqual(config.authOptions, {
    backends: 'mysql,redis',
    host: 'db.example.com',
    userquery: "SELECT pw FROM users WHERE username = '%s' LIMIT 1",
    cache_seconds: '30',
  });
  assert.equal(parse('plugin /opt/p.so').authPlugin, '/opt/p.so');
});

test('client id directives', () => {
  const config = parse(
    'allow_zero_length_clientid false\nauto_id_prefix midge-\nclientid_prefixes sensor-\n',
  );
  assert.equal(config.allowZeroLengthClientId, false);
  assert.equal(config.autoIdPrefix, 'midge-');
  assert.equal(config.clientIdPrefixes, 'sensor-');
});

// Messages, queues, sessions

test('message, queue and session directives', () => {
  const config = parse(
    [
      'max_inflight_messages 0',
      'max_inflight_bytes 65536',
      'max_queued_messages 50',
      'max_queued_bytes 1048576',
      'queue_qos0_messages true',
      'message_size_limit 1024',
      'max_packet_size 2048',
      'max_keepalive 600',
      'retain_available false',
      'upgrade_outgoing_qos true',
      'set_tcp_nodelay false',
      'sys_interval 0',
      'persistent_client_expiration 2d',
    ].join('\n'),
  );
  assert.equal(config.maxInflightMessages, 0);
  assert.equal(config.maxInflightBytes, 65536);
  assert.equal(config.maxQueuedMessages, 50);
  assert.equal(config.maxQueuedBytes, 1048576);
  assert.equal(config.queueQos0Messages, true);
  assert.equal(config.messageSizeLimit, 1024);
  assert.equal(config.maxPacketSize, 2048);
  assert.equal(config.maxKeepalive, 600);
  assert.equal(config.retainAvailable, false);
  assert.equal(config.upgradeOutgoingQos, true);
  assert.equal(config.setTcpNodelay, false);
  assert.equal(config.sysInterval, 0);
  assert.equal(config.persistentClientExpiration, 2 * 86400);
});

test("persistent_client_expiration units are mosquitto's: h d w m y", () => {
  const seconds = (value: string) =>
    parse(`persistent_client_expiration ${value}`).persistentClientExpiration;
  assert.equal(seconds('1h'), 3600);
  assert.equal(seconds('3w'), 3 * 604800);
  assert.equal(seconds('1m'), 30 * 86400);
  assert.equal(seconds('1y'), 365 * 86400);
});

// Persistence

test('persistence directives', () => {
  const config = parse(
    'persistence true\npersistence_location /var/lib/midge/\npersistence_file m.db\nautosave_interval 60\nautosave_on_changes true\n',
  );
  assert.equal(config.persistence, true);
  assert.equal(config.persistenceLocation, '/var/lib/midge/');
  assert.equal(config.persistenceFile, 'm.db');
  assert.equal(config.autosaveInterval, 60);
  assert.equal(config.autosaveOnChanges, true);
});

// Logging and process

test('log_type and log_dest accumulate, replacing the defaults; log_timestamp and connection_messages', () => {
  const config = parse(
    'log_type error\nlog_type debug\nlog_dest stdout\nlog_dest file /var/log/midge/midge.log\n' +
      'log_timestamp false\nconnection_messages false\n',
  );
  assert.deepEqual(config.log.types, ['error', 'debug']);
  assert.deepEqual(config.log.dest, ['stdout', 'file /var/log/midge/midge.log']);
  assert.equal(config.log.timestamp, false);
  assert.equal(config.log.connectionMessages, false);
});

test('a mosquitto directive Midge refuses says so and why, with file and line', () => {
  assertConfigError(
    'port 1883\nconnection bridge-1',
    'MIDGE_CONFIG_UNSUPPORTED',
    /^MIDGE_CONFIG_UNSUPPORTED at midge\.conf:2: 'connection' is refused: bridges \('connection' sections\) are not implemented/,
  );
  assertConfigError(
    'mount_point tenant/',
    'MIDGE_CONFIG_UNSUPPORTED',
    /'mount_point' is not implemented yet/,
  );
});

test('log_timestamp_format takes strftime conversions; an unknown one is refused', () => {
  assert.equal(parse('log_timestamp_format %Y-%m-%dT%H:%M:%S\n').log.timestampFormat, '%Y-%m-%dT%H:%M:%S');
  assertConfigError('log_timestamp_format %Y %Q', 'MIDGE_CONFIG_BAD_VALUE', /not %Q/);
});

test('log_dest syslog / dlt and log_facility are refused saying why; only one log_dest file', () => {
  assertConfigError(
    'log_dest syslog',
    'MIDGE_CONFIG_UNSUPPORTED',
    /cannot write to the syslog socket.*log_dest stdout/,
  );
  assertConfigError('log_dest dlt', 'MIDGE_CONFIG_UNSUPPORTED', /Diagnostic Log and Trace/);
  assertConfigError('log_facility 5', 'MIDGE_CONFIG_UNSUPPORTED', /syslog facility/);
  assertConfigError(
    'log_dest file /a\nlog_dest file /b',
    'MIDGE_CONFIG_BAD_VALUE',
    /only one 'log_dest file'/,
  );
});

test('pid_file and user are kept', () => {
  const config = parse('pid_file /run/midge.pid\n\nuser mosquitto\n');
  assert.equal(config.pidFile, '/run/midge.pid');
  assert.equal(config.user, 'mosquitto');
  assert.deepEqual(config.notes, []);
});

// Syntax

test('comments, blank lines, indentation, CRLF and extra spaces between directive and value', () => {
  const config = parse(
    '# a comment\r\n\r\n   port    1884  \r\n\t# indented comment\r\nallow_anonymous\ttrue\r\n',
  );
  assert.equal(config.listeners[0]?.port, 1884);
  assert.equal(config.allowAnonymous, true);
});

// Errors

test('an unknown directive names file, line and the closest directive', () => {
  assertConfigError(
    '# comment\n\nport 1883\nlistner 1884\n',
    'MIDGE_CONFIG_UNKNOWN_DIRECTIVE',
    "MIDGE_CONFIG_UNKNOWN_DIRECTIVE at midge.conf:4: 'listner' — did you mean 'listener'?",
  );
  assertConfigError(
    'alow_anonymous true',
    'MIDGE_CONFIG_UNKNOWN_DIRECTIVE',
    /did you mean 'allow_anonymous'\?$/,
  );
  assertConfigError(
    'max_inflight_message 5',
    'MIDGE_CONFIG_UNKNOWN_DIRECTIVE',
    /did you mean 'max_inflight_messages'\?$/,
  );
  assertConfigError(
    'conection bridge-1',
    'MIDGE_CONFIG_UNKNOWN_DIRECTIVE',
    "MIDGE_CONFIG_UNKNOWN_DIRECTIVE at midge.conf:1: 'conection' — did you mean 'connection'?",
  );
  assertConfigError(
    'frobnicate 1',
    'MIDGE_CONFIG_UNKNOWN_DIRECTIVE',
    "MIDGE_CONFIG_UNKNOWN_DIRECTIVE at midge.conf:1: 'frobnicate' — see mosquitto.conf(5) for the directives Midge supports",
  );
  assertConfigError('__proto__ 1', 'MIDGE_CONFIG_UNKNOWN_DIRECTIVE', /'__proto__'/);
  assertConfigError('auth_opt_ x', 'MIDGE_CONFIG_UNKNOWN_DIRECTIVE', /'auth_opt_'/);
});

test('a bad value says what the directive expects and what it got', () => {
  assertConfigError(
    'max_inflight_messages abc',
    'MIDGE_CONFIG_BAD_VALUE',
    "MIDGE_CONFIG_BAD_VALUE at midge.conf:1: 'max_inflight_messages' expects a whole number from 0 to 65535, got 'abc'",
  );
  assertConfigError(
    'max_queued_messages -5',
    'MIDGE_CONFIG_BAD_VALUE',
    "MIDGE_CONFIG_BAD_VALUE at midge.conf:1: 'max_queued_messages' expects a whole number >= 0, got '-5'",
  );
  const bad: [string, RegExp][] = [
    ['port 65536', /'port' expects a whole number from 0 to 65535, got '65536'/],
    ['port 1883 extra', /'port' expects .*got '1883 extra'/],
    ['listener 1883 0.0.0.0 extra', /'listener' expects a port number and at most one bind address/],
    ['listener abc', /'listener' expects a whole number from 0 to 65535, got 'abc'/],
    ['allow_anonymous yes', /'allow_anonymous' expects 'true' or 'false', got 'yes'/],
    ['persistence 1', /'persistence' expects 'true' or 'false', got '1'/],
    ['protocol http', /'protocol' expects one of 'mqtt', 'websockets', 'http_api', got 'http'/],
    ['socket_domain ipx', /'socket_domain' expects one of 'ipv4', 'ipv6'/],
    ['tls_version sslv3', /'tls_version' expects one of 'tlsv1.3', 'tlsv1.2', 'tlsv1.1'/],
    ['max_packet_size 19', /'max_packet_size' expects 0 \(no limit\) or a whole number from 20 to 268435455/],
    ['message_size_limit 268435456', /'message_size_limit' expects a whole number from 0 to 268435455/],
    ['max_keepalive 65536', /'max_keepalive' expects a whole number from 0 to 65535/],
    ['max_connections -2', /'max_connections' expects a whole number >= -1/],
    ['max_inflight_messages 1.5', /got '1.5'/],
    ['sys_interval 0x10', /got '0x10'/],
    ['persistent_client_expiration 10', /'persistent_client_expiration' expects a duration such as '1h'/],
    ['persistent_client_expiration 1s', /expects a duration/],
    ['log_type verbose', /'log_type' expects one of 'debug', 'error'/],
    ['log_dest printer', /'log_dest' expects one of 'stdout', 'stderr'/],
    ['log_dest file', /'log_dest' expects 'file' followed by a path, got 'file'/],
    ['log_dest stdout extra', /'log_dest' expects one of/],
  ];
  for (const [text, message] of bad) assertConfigError(text, 'MIDGE_CONFIG_BAD_VALUE', message);
});

test('a directive without its value is a missing value error', () => {
  assertConfigError(
    'sys_interval 5\nport\n',
    'MIDGE_CONFIG_MISSING_VALUE',
    "MIDGE_CONFIG_MISSING_VALUE at midge.conf:2: 'port' needs a value: a port number from 0 to 65535",
  );
  assertConfigError(
    'allow_anonymous   ',
    'MIDGE_CONFIG_MISSING_VALUE',
    /'allow_anonymous' needs a value: 'true' or 'false'/,
  );
  assertConfigError('auth_opt_host', 'MIDGE_CONFIG_MISSING_VALUE', /'auth_opt_host' needs a value/);
  assertConfigError(
    'include_dir',
    'MIDGE_CONFIG_MISSING_VALUE',
    /'include_dir' needs a value: a directory path/,
  );
});

test('ConfigError carries file, line and directive as fields', () => {
  try {
    parse('\n\nlistner 1');
    assert.fail('no error');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.file, 'midge.conf');
    assert.equal(error.line, 3);
    assert.equal(error.directive, 'listner');
    assert.equal(error.name, 'ConfigError');
  }
});

// Files and include_dir

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'midge-conf-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('loadConfigFile reads a file; errors name its path', () => {
  withDir((dir) => {
    const path = join(dir, 'midge.conf');
    writeFileSync(path, 'listener 1885\nallow_anonymous true\n');
    const config = loadConfigFile(path);
    assert.deepEqual(config.listeners, [{ port: 1885, protocol: 'mqtt' }]);
    assert.equal(config.allowAnonymous, true);
    writeFileSync(path, 'port 1\nmax_keepalive x\n');
    assert.throws(() => loadConfigFile(path), {
      message: new RegExp(`^MIDGE_CONFIG_BAD_VALUE at ${path}:2: `),
    });
  });
});

test('loadConfigFile on a missing file is MIDGE_CONFIG_UNREADABLE', () => {
  assert.throws(() => loadConfigFile('/nonexistent/midge.conf'), {
    code: 'MIDGE_CONFIG_UNREADABLE',
    message: "MIDGE_CONFIG_UNREADABLE: cannot read config file '/nonexistent/midge.conf' (ENOENT)",
  });
});

test('include_dir reads every *.conf file of the directory in name order, relative to the main file', () => {
  withDir((dir) => {
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'conf.d', '20-tls.conf'), 'listener 8883\ncertfile /c.pem\n');
    writeFileSync(join(dir, 'conf.d', '10-plain.conf'), 'listener 1883\nmax_queued_messages 7\n');
    writeFileSync(join(dir, 'conf.d', 'README'), 'this is not a config file\n');
    writeFileSync(join(dir, 'conf.d', '30-ignored.conf.bak'), 'garbage\n');
    const main = join(dir, 'midge.conf');
    writeFileSync(main, 'allow_anonymous true\ninclude_dir conf.d\nmax_queued_messages 9\n');
    const config = loadConfigFile(main);
    assert.deepEqual(
      config.listeners.map((l) => [l.port, l.certfile]),
      [
        [1883, undefined],
        [8883, '/c.pem'],
      ],
    );
    assert.equal(config.maxQueuedMessages, 9); // later lines of the main file win
    assert.equal(config.allowAnonymous, true);
  });
});

test('errors inside an included file name that file and line', () => {
  withDir((dir) => {
    mkdirSync(join(dir, 'conf.d'));
    const included = join(dir, 'conf.d', 'a.conf');
    writeFileSync(included, '# first\nlistner 1883\n');
    writeFileSync(join(dir, 'midge.conf'), `include_dir ${join(dir, 'conf.d')}\n`);
    assert.throws(() => loadConfigFile(join(dir, 'midge.conf')), {
      message: `MIDGE_CONFIG_UNKNOWN_DIRECTIVE at ${included}:2: 'listner' — did you mean 'listener'?`,
    });
  });
});

test('include_dir inside an included file is refused; a missing include_dir is unreadable', () => {
  withDir((dir) => {
    mkdirSync(join(dir, 'conf.d'));
    writeFileSync(join(dir, 'conf.d', 'a.conf'), 'include_dir .\n');
    writeFileSync(join(dir, 'midge.conf'), 'include_dir conf.d\n');
    assert.throws(() => loadConfigFile(join(dir, 'midge.conf')), {
      code: 'MIDGE_CONFIG_MISPLACED_DIRECTIVE',
    });
    writeFileSync(join(dir, 'midge.conf'), '\ninclude_dir missing.d\n');
    assert.throws(() => loadConfigFile(join(dir, 'midge.conf')), {
      code: 'MIDGE_CONFIG_UNREADABLE',
      message: new RegExp(
        `^MIDGE_CONFIG_UNREADABLE at ${join(dir, 'midge.conf')}:2: cannot read include_dir 'missing.d' \\(ENOENT\\)`,
      ),
    });
  });
});
