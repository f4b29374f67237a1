import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { VERSION, resolveConfig } from '../index.js';
import { parseArgs, withDefaultPort } from './args.js';
import type { ExitOptions, RunOptions } from './args.js';

function run(argv: string[]): RunOptions {
  const parsed = parseArgs(argv);
  assert.equal(parsed.action, 'run', JSON.stringify(parsed));
  return parsed as RunOptions;
}

function exit(argv: string[]): ExitOptions {
  const parsed = parseArgs(argv);
  assert.equal(parsed.action, 'exit');
  return parsed as ExitOptions;
}

function withConfigFile(text: string, fn: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'midge-cli-'));
  try {
    const path = join(dir, 'midge.conf');
    writeFileSync(path, text);
    fn(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('no arguments: local only mode on 127.0.0.1, MQTT on 1883 and WebSocket on 9001, anonymous access', () => {
  const { config, verbose, configFile } = run([]);
  assert.equal(config.localOnlyMode, true);
  assert.deepEqual(
    config.listeners.map((l) => [l.host, l.port, l.protocol]),
    [
      ['127.0.0.1', 1883, 'mqtt'],
      ['127.0.0.1', 9001, 'websockets'],
    ],
  );
  assert.equal(config.allowAnonymous, true);
  assert.equal(verbose, false);
  assert.equal(configFile, undefined);
});

test('-p / --port moves the local only TCP listener and keeps local only mode', () => {
  for (const argv of [['-p', '1884'], ['--port', '1884'], ['--port=1884']]) {
    const { config } = run(argv);
    assert.deepEqual(
      config.listeners.map((l) => [l.host, l.port]),
      [
        ['127.0.0.1', 1884],
        ['127.0.0.1', 9001],
      ],
    );
    assert.equal(config.localOnlyMode, true);
    assert.equal(config.allowAnonymous, true);
  }
  assert.equal(run(['-p', '0']).config.listeners[0]?.port, 0);
});

test('--ws-port moves the local only WebSocket listener; with a config it adds one', () => {
  assert.deepEqual(
    run(['-p', '0', '--ws-port', '0']).config.listeners.map((l) => [l.host, l.port, l.protocol]),
    [
      ['127.0.0.1', 0, 'mqtt'],
      ['127.0.0.1', 0, 'websockets'],
    ],
  );
  withConfigFile('listener 8883\n', (path) => {
    const { config } = run(['-c', path, '--ws-port', '9002']);
    assert.deepEqual(
      config.listeners.map((l) => [l.port, l.protocol]),
      [
        [8883, 'mqtt'],
        [9002, 'websockets'],
      ],
    );
  });
  assert.match(exit(['--ws-port', 'x']).stderr, /expects a port number from 0 to 65535/);
});

test('-p with a bad port is a usage error (exit 1)', () => {
  for (const port of ['abc', '70000', '-1', '1.5', '']) {
    const result = exit(['-p', port]);
    assert.equal(result.code, 1, port);
    assert.match(result.stderr, /expects a port number from 0 to 65535/);
  }
});

test('-v / --verbose', () => {
  for (const flag of ['-v', '--verbose']) {
    const { verbose, config } = run([flag]);
    assert.equal(verbose, true);
    assert.equal(config.log.verbose, true);
  }
});

test('--help prints usage with every option and exits 0', () => {
  for (const flag of ['--help', '-h']) {
    const result = exit([flag]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /Usage: midge \[options\]/);
    for (const option of [
      '-c, --config <file>',
      '-p, --port <port>',
      '--ws-port <port>',
      '-v, --verbose',
      '--version',
    ]) {
      assert.ok(result.stdout.includes(option), option);
    }
  }
});

test('--version prints the package version and exits 0', () => {
  const result = exit(['--version']);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, `${VERSION}\n`);
  assert.match(VERSION, /^\d+\.\d+\.\d+/);
});

test('unknown options and arguments are usage errors', () => {
  assert.equal(exit(['--bogus']).code, 1);
  assert.match(exit(['--bogus']).stderr, /unknown option '--bogus'/);
  assert.equal(exit(['extra']).code, 1);
  assert.equal(exit(['-c']).code, 1);
});

test('-c reads a mosquitto.conf file; -p then moves its default (port) listener', () => {
  withConfigFile('port 1884\nlistener 8883\nallow_anonymous true\n', (path) => {
    const { config, configFile } = run(['-c', path]);
    assert.equal(configFile, path);
    assert.equal(config.localOnlyMode, false);
    assert.deepEqual(
      config.listeners.map((l) => [l.host, l.port]),
      [
        [undefined, 1884],
        [undefined, 8883],
      ],
    );
    const moved = run(['--config', path, '-p', '1999']).config;
    assert.deepEqual(
      moved.listeners.map((l) => l.port),
      [1999, 8883],
    );
    assert.equal(moved.allowAnonymous, true);
  });
});

test('-p with a config of listener sections only adds a default listener on every address', () => {
  withConfigFile('listener 8883\n', (path) => {
    const { config } = run(['-c', path, '-p', '1999']);
    assert.deepEqual(
      config.listeners.map((l) => [l.host, l.port, l.defaultListener ?? false]),
      [
        [undefined, 1999, true],
        [undefined, 8883, false],
      ],
    );
    assert.equal(config.allowAnonymous, false);
  });
});

test('a config error is exit 1 with the coded message only (no stack)', () => {
  withConfigFile('port 1883\nlistner 1884\n', (path) => {
    const result = exit(['-c', path]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `MIDGE_CONFIG_UNKNOWN_DIRECTIVE at ${path}:2: 'listner' — did you mean 'listener'?\n`,
    );
    assert.equal(result.stdout, '');
  });
  const missing = exit(['-c', '/nonexistent/midge.conf']);
  assert.equal(missing.code, 1);
  assert.equal(
    missing.stderr,
    "MIDGE_CONFIG_UNREADABLE: cannot read config file '/nonexistent/midge.conf' (ENOENT)\n",
  );
});

test('withDefaultPort keeps every other setting', () => {
  const config = resolveConfig({
    listeners: [{ port: 1, protocol: 'mqtt', defaultListener: true }],
    maxQueuedMessages: 3,
  });
  const moved = withDefaultPort(config, 2);
  assert.equal(moved.listeners[0]?.port, 2);
  assert.equal(moved.maxQueuedMessages, 3);
  assert.equal(config.listeners[0]?.port, 1);
});
