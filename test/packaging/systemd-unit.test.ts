// packaging/midge.service checked by systemd itself. `systemd-analyze verify` works offline (no running
// systemd, as in a container or CI): it loads the unit with the host's unit tree and reports every problem,
// an unknown key included, as output. scripts/install-test-deps.sh installs it (Debian package `systemd`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../../src/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const unitPath = join(repoRoot, 'packaging', 'midge.service');
const cliPath = join(repoRoot, 'dist', 'cli', 'main.js');

function analyze(args: string[]): { status: number | null; output: string } {
  const result = spawnSync('systemd-analyze', args, { encoding: 'utf8', timeout: 60_000 });
  if (result.error !== undefined)
    throw new Error(`systemd-analyze: ${result.error.message} (run scripts/install-test-deps.sh)`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/**
 * The shipped unit with only ExecStart's command changed: verify also checks that the command exists on this
 * machine, and `midge` is not installed system-wide here, so the copy names the built CLI instead.
 */
function unitWithBuiltCli(dir: string): string {
  const text = readFileSync(unitPath, 'utf8');
  const shipped = 'ExecStart=midge -c /etc/midge/midge.conf';
  assert.ok(text.includes(`\n${shipped}\n`), `the unit starts midge with ${shipped}`);
  const path = join(dir, 'midge.service');
  writeFileSync(
    path,
    text.replace(shipped, `ExecStart=${process.execPath} ${cliPath} -c /etc/midge/midge.conf`),
  );
  return path;
}

function withTempDir<T>(body: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'midge-unit-'));
  try {
    return body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('systemd-analyze verify finds no problem in packaging/midge.service', () => {
  withTempDir((dir) => {
    const { status, output } = analyze(['verify', unitWithBuiltCli(dir)]);
    assert.equal(output, '', 'verify reports nothing');
    assert.equal(status, 0);
  });
});

test('systemd-analyze verify reports an unknown key, so the check above can fail', () => {
  withTempDir((dir) => {
    const path = unitWithBuiltCli(dir);
    writeFileSync(path, readFileSync(path, 'utf8').replace('PrivateTmp=true', 'PrivateTemp=true'));
    assert.match(analyze(['verify', path]).output, /Unknown key 'PrivateTemp'/);
  });
});

test('the unit runs unprivileged, reloads with SIGHUP, restarts on failure and keeps state in /var/lib/midge', () => {
  const lines = new Set(readFileSync(unitPath, 'utf8').split('\n'));
  for (const line of [
    'User=midge',
    'ExecReload=/bin/kill -HUP $MAINPID',
    'Restart=on-failure',
    'StateDirectory=midge',
    'WorkingDirectory=/var/lib/midge',
    'NoNewPrivileges=true',
    'ProtectSystem=strict',
    'ProtectHome=true',
    'PrivateTmp=true',
  ]) {
    assert.ok(lines.has(line), `midge.service has ${line}`);
  }
});

test("systemd's offline security review rates the unit's exposure below 4 (OK)", () => {
  withTempDir((dir) => {
    const { output } = analyze(['security', '--offline=true', unitWithBuiltCli(dir)]);
    const match = /Overall exposure level for midge\.service: (\d+\.\d+)/.exec(output);
    assert.ok(match, output);
    assert.ok(Number(match[1]) < 4, `exposure ${match[1]}`);
  });
});

test('packaging/midge.conf is a valid config: MQTT, WebSocket and a loopback HTTP API, no anonymous access, state in /var/lib/midge', () => {
  const config = loadConfigFile(join(repoRoot, 'packaging', 'midge.conf'));
  assert.deepEqual(
    config.listeners.map((l) => `${l.protocol}:${l.port}`),
    ['mqtt:1883', 'websockets:9001', 'http_api:8080'],
  );
  assert.equal(config.listeners[2]?.host, '127.0.0.1');
  assert.equal(config.allowAnonymous, false);
  assert.equal(config.persistence, true);
  assert.equal(config.persistenceLocation, '/var/lib/midge/');
});
