// Every directive of mosquitto.conf(5) for 2.0 (test/fixtures/mosquitto-conf-2.0-directives.txt) is either
// implemented, with a test file that proves it, or refused with MIDGE_CONFIG_UNSUPPORTED and a reason; and the
// README's directive table gives each one the same status.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseMosquittoConf } from '../../src/config/mosquitto-conf.js';
import { ConfigError } from '../../src/config/errors.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** An implemented directive: a value to parse, and the test file that shows it working (naming it or its key). */
interface Implemented {
  sample: string;
  proof: string;
  /** What the proof file mentions: the directive itself unless given. */
  mentions?: string;
}

const CONF = 'src/config/mosquitto-conf.test.ts';
const IMPLEMENTED: Record<string, Implemented> = {
  acl_file: { sample: '/etc/midge/acl', proof: 'test/integration/auth-file.test.ts', mentions: 'aclFile' },
  allow_anonymous: { sample: 'true', proof: 'test/transport/listeners.test.ts', mentions: 'allowAnonymous' },
  allow_duplicate_messages: { sample: 'false', proof: 'test/mosquitto/general-directives.test.ts' },
  allow_zero_length_clientid: {
    sample: 'false',
    proof: 'test/conformance/connect.test.ts',
    mentions: 'allowZeroLengthClientId',
  },
  'auth_opt_*': { sample: 'x', proof: 'test/integration/auth-database.test.ts', mentions: 'authOptions' },
  'plugin_opt_*': { sample: 'x', proof: CONF, mentions: 'plugin_opt_' },
  auth_plugin: { sample: 'sqlite', proof: 'test/integration/auth-database.test.ts', mentions: 'authPlugin' },
  plugin: { sample: '/etc/midge/hooks.mjs', proof: 'test/api/plugin.test.ts', mentions: 'hookModules' },
  auto_id_prefix: { sample: 'dev-', proof: 'test/mosquitto/general-directives.test.ts' },
  autosave_interval: { sample: '60', proof: CONF },
  autosave_on_changes: { sample: 'true', proof: CONF },
  clientid_prefixes: { sample: 'dev-', proof: 'test/mosquitto/general-directives.test.ts' },
  connection_messages: { sample: 'false', proof: 'test/logging/connection-messages.test.ts' },
  include_dir: { sample: '', proof: CONF },
  log_dest: { sample: 'stdout', proof: 'test/logging/cli-log.test.ts' },
  log_timestamp: { sample: 'false', proof: 'src/observability/log.test.ts', mentions: 'timestamp: false' },
  log_timestamp_format: { sample: '%F', proof: 'test/logging/cli-log.test.ts' },
  log_type: { sample: 'all', proof: 'test/logging/connection-messages.test.ts' },
  max_inflight_bytes: {
    sample: '100',
    proof: 'test/mosquitto/directives-behaviour.test.ts',
    mentions: 'maxInflightBytes',
  },
  max_inflight_messages: {
    sample: '1',
    proof: 'test/conformance/session.test.ts',
    mentions: 'maxInflightMessages',
  },
  max_keepalive: { sample: '60', proof: 'test/conformance/connect.test.ts', mentions: 'maxKeepalive' },
  max_packet_size: { sample: '1000', proof: 'test/conformance/errors.test.ts', mentions: 'maxPacketSize' },
  max_queued_bytes: { sample: '1000', proof: 'test/persistence/queue-limits.test.ts' },
  memory_limit: { sample: '335544320', proof: 'test/overload/memory-limit.test.ts' },
  max_queued_messages: { sample: '10', proof: 'test/persistence/queue-limits.test.ts' },
  message_size_limit: {
    sample: '1000',
    proof: 'test/conformance/publish.test.ts',
    mentions: 'messageSizeLimit',
  },
  password_file: {
    sample: '/etc/midge/passwd',
    proof: 'test/integration/auth-file.test.ts',
    mentions: 'passwordFile',
  },
  per_listener_settings: { sample: 'true', proof: 'test/transport/listeners.test.ts' },
  persistence: { sample: 'true', proof: 'test/persistence/crash.test.ts' },
  persistence_file: { sample: 'm.db', proof: CONF },
  persistence_location: { sample: '/var/lib/midge', proof: 'test/persistence/crash.test.ts' },
  persistent_client_expiration: { sample: '1h', proof: CONF },
  pid_file: { sample: '/run/midge.pid', proof: 'test/mosquitto/general-directives.test.ts' },
  queue_qos0_messages: { sample: 'true', proof: 'test/mosquitto/general-directives.test.ts' },
  retain_available: { sample: 'false', proof: 'test/mosquitto/general-directives.test.ts' },
  set_tcp_nodelay: { sample: 'false', proof: 'test/mosquitto/directives-behaviour.test.ts' },
  sys_interval: { sample: '1', proof: 'test/interop/mqttjs.test.ts' },
  upgrade_outgoing_qos: { sample: 'true', proof: 'test/mosquitto/directives-behaviour.test.ts' },
  user: { sample: 'nobody', proof: 'test/mosquitto/general-directives.test.ts' },
  bind_address: { sample: '127.0.0.1', proof: CONF },
  http_dir: { sample: '/var/www', proof: 'test/browser/browser.test.ts' },
  listener: { sample: '1884', proof: 'test/transport/listeners.test.ts' },
  max_connections: { sample: '10', proof: 'test/transport/listeners.test.ts' },
  max_topic_alias: { sample: '5', proof: 'test/conformance/mqtt5-flow.test.ts' },
  port: { sample: '1884', proof: 'test/transport/listeners.test.ts' },
  protocol: { sample: 'websockets', proof: 'test/transport/websocket.test.ts' },
  socket_domain: { sample: 'ipv4', proof: CONF },
  use_identity_as_username: { sample: 'true', proof: 'test/transport/tls.test.ts' },
  cafile: { sample: '/etc/ca.crt', proof: 'test/transport/tls.test.ts' },
  capath: { sample: '/etc/ca.d', proof: CONF },
  certfile: { sample: '/etc/server.crt', proof: 'test/transport/tls.test.ts' },
  ciphers: { sample: 'ECDHE-RSA-AES128-GCM-SHA256', proof: CONF },
  keyfile: { sample: '/etc/server.key', proof: 'test/transport/tls.test.ts' },
  require_certificate: { sample: 'true', proof: 'test/transport/tls.test.ts' },
  tls_version: { sample: 'tlsv1.2', proof: 'test/transport/tls.test.ts' },
};

function fixture(): { section: string; name: string }[] {
  return readFileSync(join(root, 'test/fixtures/mosquitto-conf-2.0-directives.txt'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => {
      const [section = '', name = ''] = l.trim().split(/\s+/);
      return { section, name };
    });
}

/** The line that uses a directive: `auth_opt_*` stands for `auth_opt_NAME`. */
function lineFor(name: string, value: string): string {
  return `${name.replace('*', 'name')} ${value}`;
}

test('the fixture holds the whole 2.0 option list', () => {
  const names = fixture().map((d) => d.name);
  assert.ok(names.length >= 110, `only ${names.length} directives`);
  for (const name of ['listener', 'connection', 'log_dest', 'psk_hint', 'bridge_tls_version', 'plugin']) {
    assert.ok(names.includes(name), name);
  }
});

test('every mosquitto 2.0 directive is implemented with a test, or refused saying so and why', () => {
  for (const { name } of fixture()) {
    const implemented = IMPLEMENTED[name];
    if (implemented !== undefined) {
      if (name === 'include_dir') continue; // needs a directory: parsed in its own tests in the proof file
      const text = `listener 1883\n${lineFor(name, implemented.sample)}\n`;
      assert.doesNotThrow(() => parseMosquittoConf(text), `${name} should parse`);
      const proof = join(root, implemented.proof);
      assert.ok(existsSync(proof), `${name}: proof ${implemented.proof} is missing`);
      const mentions = implemented.mentions ?? name;
      assert.ok(
        readFileSync(proof, 'utf8').includes(mentions),
        `${implemented.proof} never mentions ${mentions}`,
      );
      continue;
    }
    assert.throws(
      () => parseMosquittoConf(`listener 1883\n${lineFor(name, 'x')}\n`),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError, `${name}: ${String(error)}`);
        assert.equal(error.code, 'MIDGE_CONFIG_UNSUPPORTED', `${name}: ${error.message}`);
        // The message names the directive and gives a reason after it.
        assert.match(error.detail, new RegExp(`^'${name.replace('.', '\\.')}' (is refused: |is not ).{20,}`));
        return true;
      },
    );
  }
});

test("the README's directive table lists every directive with the same status", () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const { name } of fixture()) {
    const row = new RegExp(`^\\| \`${name.replace(/[.*]/g, (c) => `\\${c}`)}\`\\s*\\| (\\w+)`, 'm').exec(
      readme,
    );
    assert.ok(row !== null, `README has no row for ${name}`);
    assert.equal(row[1], IMPLEMENTED[name] !== undefined ? 'yes' : 'refused', name);
  }
});
