// The midge executable end to end: a child process running src/cli/main.ts through tsx.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { VERSION } from '../index.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const NODE_ARGS = ['--import', 'tsx', MAIN];

function runSync(args: string[]) {
  return spawnSync(process.execPath, [...NODE_ARGS, ...args], { encoding: 'utf8', timeout: 20_000 });
}

test('midge --version prints the version', () => {
  const result = runSync(['--version']);
  assert.equal(result.status, 0);
  assert.equal(result.stdout, `${VERSION}\n`);
});

test('midge with a config error prints one coded line to stderr and exits 1', () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-main-'));
  try {
    const path = join(dir, 'bad.conf');
    writeFileSync(path, 'max_inflight_messages abc\n');
    const result = runSync(['-c', path]);
    assert.equal(result.status, 1);
    assert.equal(
      result.stderr,
      `MIDGE_CONFIG_BAD_VALUE at ${path}:1: 'max_inflight_messages' expects a whole number from 0 to 65535, got 'abc'\n`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('midge starts in local only mode with TCP and WebSocket listeners on loopback, and stops with exit 0 on SIGTERM', async () => {
  const child = spawn(process.execPath, [...NODE_ARGS, '-p', '0', '--ws-port', '0', '-v'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    // Logs go to stderr by default (mosquitto's log_dest); wait for the listener and the local only notice.
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`midge did not start within 15 s; logs:\n${logs}`)),
        15_000,
      );
      const onData = (chunk: Buffer): void => {
        logs += chunk.toString();
        const match = /listening on 127\.0\.0\.1:(\d+) \(mqtt\)/.exec(logs);
        if (match && /local only mode/.test(logs)) {
          clearTimeout(timer);
          resolve(Number(match[1]));
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      void exited.then((code) => reject(new Error(`midge exited early (${code}); logs:\n${logs}`)));
    });
    assert.match(logs, /Using default config\./);
    const ws = /listening on 127\.0\.0\.1:(\d+) \(ws\)/.exec(logs);
    assert.ok(ws, `no WebSocket listener in the logs:\n${logs}`);
    // Plain HTTP on the WebSocket listener without http_dir: 426 Upgrade Required.
    assert.equal((await fetch(`http://127.0.0.1:${ws[1]}/`)).status, 426);
    await new Promise<void>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => {
        socket.destroy();
        resolve();
      });
      socket.on('error', reject);
    });
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(logs, /SIGTERM received/);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
});
