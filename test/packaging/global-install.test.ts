// What a user does: `npm pack`, `npm install -g` of the tarball (here into a temporary prefix), then `midge` from
// the PATH in an unrelated directory, on its embedded defaults and with `-c FILE`, with real MQTT clients.
// Needs a built dist/ (npm test builds first) and the npm registry or a warm npm cache for the dependencies.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { closeClient, connectClient, subscribe } from '../helpers/mqttjs.js';
import { freePort } from '../helpers/midge-process.js';
import { serveBetterSqliteBinding } from '../helpers/prebuilt-binding.js';
import { runCommand } from '../helpers/run-command.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { version } = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { version: string };
const work = mkdtempSync(join(tmpdir(), 'midge-global-'));
const prefix = join(work, 'prefix');
const elsewhere = join(work, 'elsewhere');
// The installed `midge` first on the PATH, and the Node running this test before any other (npm runs the
// install scripts with the `node` it finds there).
const env = {
  ...process.env,
  PATH: [join(prefix, 'bin'), dirname(process.execPath), process.env.PATH ?? ''].join(delimiter),
};

function run(command: string, args: string[], options: { cwd: string; extraEnv?: Record<string, string> }) {
  return runCommand(command, args, { cwd: options.cwd, env: { ...env, ...options.extraEnv } });
}

interface Running {
  child: ChildProcess;
  logs(): string;
  /** SIGTERM and the exit code. */
  stop(): Promise<number | null>;
}

/** Starts the installed `midge` by name and waits until its log matches `ready`. */
async function startMidge(args: string[], ready: RegExp): Promise<Running & { match: RegExpExecArray }> {
  const child = spawn('midge', args, { cwd: elsewhere, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let logs = '';
  const exited = new Promise<number | null>((ok) => child.once('exit', (code) => ok(code)));
  const match = await new Promise<RegExpExecArray>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`midge did not get ready within 15 s:\n${logs}`)), 15_000);
    const onData = (chunk: Buffer): void => {
      logs += chunk.toString();
      const found = ready.exec(logs);
      if (found !== null) {
        clearTimeout(timer);
        ok(found);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => fail(new Error(`midge exited early with ${String(code)}:\n${logs}`)));
  });
  return {
    child,
    match,
    logs: () => logs,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Publishes on one connection and receives on another through the broker on `port`. */
async function roundTrip(
  port: number,
  credentials: { username?: string; password?: string } = {},
): Promise<void> {
  const subscriber = await connectClient(port, credentials);
  const publisher = await connectClient(port, credentials);
  try {
    await subscribe(subscriber.client, 'install/check', 1);
    await publisher.client.publishAsync('install/check', 'hello from the global install', { qos: 1 });
    const [message] = await subscriber.inbox.waitFor(1);
    assert.equal(message?.payload.toString(), 'hello from the global install');
  } finally {
    await closeClient(subscriber.client);
    await closeClient(publisher.client);
  }
}

before(
  async () => {
    mkdirSync(prefix);
    mkdirSync(elsewhere);
    // The dist/ of `npm run build`; --ignore-scripts keeps `prepare` from building again under running tests.
    const packed = await run('npm', ['pack', '--ignore-scripts', '--pack-destination', work], {
      cwd: repoRoot,
    });
    assert.equal(packed.code, 0, packed.output);
    const binding = await serveBetterSqliteBinding(repoRoot, work);
    try {
      const installed = await run(
        'npm',
        ['install', '--global', '--prefix', prefix, '--prefer-offline', join(work, `midge-${version}.tgz`)],
        { cwd: elsewhere, extraEnv: binding.env },
      );
      assert.equal(installed.code, 0, installed.output);
      assert.equal(
        binding.downloads(),
        1,
        'better-sqlite3 took its prebuilt binding, as from its release host',
      );
    } finally {
      await binding.close();
    }
  },
  { timeout: 600_000 },
);

after(() => rmSync(work, { recursive: true, force: true }));

test('the globally installed `midge --version` prints the package version from any directory', async () => {
  const result = await run('midge', ['--version'], { cwd: elsewhere });
  assert.equal(result.code, 0, result.output);
  assert.equal(result.output, `${version}\n`);
});

test('the installed midge runs on its embedded defaults (ports overridden) and carries messages', async () => {
  const midge = await startMidge(['-p', '0', '--ws-port', '0'], /listening on 127\.0\.0\.1:(\d+) \(mqtt\)/);
  try {
    assert.match(midge.logs(), /Using default config/);
    await roundTrip(Number(midge.match[1]));
  } finally {
    assert.equal(await midge.stop(), 0, midge.logs());
  }
});

test('the installed midge runs with -c FILE: password file, SQLite persistence and an HTTP API reporting the version', async () => {
  const [mqttPort, apiPort] = [await freePort(), await freePort()];
  const passwd = await run('midge', ['passwd', '-c', '-b', 'passwd', 'alice', 'alice secret'], {
    cwd: elsewhere,
  });
  assert.equal(passwd.code, 0, passwd.output);
  const conf = join(elsewhere, 'midge.conf');
  writeFileSync(
    conf,
    [
      `listener ${mqttPort} 127.0.0.1`,
      `listener ${apiPort} 127.0.0.1`,
      'protocol http_api',
      'allow_anonymous false',
      `password_file ${join(elsewhere, 'passwd')}`,
      'persistence true',
      `persistence_location ${join(elsewhere, 'state')}/`,
      '',
    ].join('\n'),
  );
  const midge = await startMidge(['-c', conf], /HTTP API listening on/);
  try {
    await roundTrip(mqttPort, { username: 'alice', password: 'alice secret' });
    await assert.rejects(connectClient(mqttPort, { username: 'alice', password: 'wrong' }));
    const health = await fetch(`http://127.0.0.1:${apiPort}/healthz`);
    assert.equal(health.status, 200);
    const openapi = (await (await fetch(`http://127.0.0.1:${apiPort}/api/v1/openapi.json`)).json()) as {
      info: { version: string };
    };
    assert.equal(openapi.info.version, version, 'the HTTP API reports the version `midge --version` prints');
  } finally {
    assert.equal(await midge.stop(), 0, midge.logs());
  }
});
