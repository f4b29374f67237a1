// The container image's build steps (packaging/build-image.sh, which the Dockerfile runs) executed here in a fresh
// directory, and the tree they produce run the way the image runs it: production dependencies only, the
// container's config (ports moved to free loopback ones), the HEALTHCHECK script, SIGTERM to PID 1's process.
// No container engine runs on this machine; the image itself is built and smoke-tested where one exists (README).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfigFile } from '../../src/index.js';
import { closeClient, connectClient, subscribe } from '../helpers/mqttjs.js';
import { freePort } from '../helpers/midge-process.js';
import { serveBetterSqliteBinding } from '../helpers/prebuilt-binding.js';
import { runCommand } from '../helpers/run-command.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  version: string;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const work = mkdtempSync(join(tmpdir(), 'midge-image-'));
const dest = join(work, 'opt-midge');
const state = join(work, 'var-lib-midge');

/** Every name the installed packages in `modules` (top level and scoped) list as their dependencies. */
function dependencyNamesIn(modules: string): Set<string> {
  const names = new Set<string>();
  const packageDirs = readdirSync(modules)
    .filter((entry) => !entry.startsWith('.'))
    .flatMap((entry) =>
      entry.startsWith('@')
        ? readdirSync(join(modules, entry)).map((n) => join(modules, entry, n))
        : [join(modules, entry)],
    );
  for (const dir of packageDirs) {
    const manifest = join(dir, 'package.json');
    if (!existsSync(manifest)) continue;
    const json = JSON.parse(readFileSync(manifest, 'utf8')) as Record<
      string,
      Record<string, string> | undefined
    >;
    for (const field of ['dependencies', 'optionalDependencies', 'peerDependencies']) {
      for (const name of Object.keys(json[field] ?? {})) names.add(name);
    }
  }
  return names;
}

function run(command: string, args: string[], env: Record<string, string> = {}) {
  return runCommand(command, args, { cwd: work, env: { ...process.env, ...env } });
}

before(
  async () => {
    const binding = await serveBetterSqliteBinding(repoRoot, work);
    try {
      // The Node running this test first on the PATH: npm and the install scripts run on it.
      const path = `${dirname(process.execPath)}:${process.env.PATH ?? ''}`;
      const built = await run('bash', [join(repoRoot, 'packaging', 'build-image.sh'), repoRoot, dest], {
        ...binding.env,
        PATH: path,
      });
      assert.equal(built.code, 0, built.output);
    } finally {
      await binding.close();
    }
  },
  { timeout: 900_000 },
);

after(() => rmSync(work, { recursive: true, force: true }));

test('the image tree has every production dependency and no dev dependency', () => {
  for (const name of Object.keys(pkg.dependencies)) {
    assert.ok(existsSync(join(dest, 'node_modules', name, 'package.json')), `${name} is installed`);
  }
  // A dev dependency may be there only as a production package's own dependency (mysql2 needs @types/node).
  const neededByProduction = dependencyNamesIn(join(dest, 'node_modules'));
  for (const name of Object.keys(pkg.devDependencies)) {
    if (neededByProduction.has(name)) continue;
    assert.ok(!existsSync(join(dest, 'node_modules', name)), `dev dependency ${name} is not in the image`);
  }
  assert.ok(!existsSync(join(dest, 'node_modules', 'typescript')), 'no compiler in the image');
  assert.ok(!existsSync(join(dest, 'src')), 'no TypeScript sources');
  assert.ok(existsSync(join(dest, 'dist', 'cli', 'main.js')));
});

test('bin/midge (the image links it as /usr/local/bin/midge) prints the package version', async () => {
  const result = await run(join(dest, 'bin', 'midge'), ['--version']);
  assert.equal(result.code, 0, result.output);
  assert.equal(result.output, `${pkg.version}\n`);
});

test('packaging/container.conf: MQTT, WebSocket and the HTTP API on every interface, no anonymous access, state in /var/lib/midge', () => {
  const config = loadConfigFile(join(repoRoot, 'packaging', 'container.conf'));
  assert.deepEqual(
    config.listeners.map((l) => `${l.protocol}:${l.host ?? '*'}:${l.port}`),
    ['mqtt:*:1883', 'websockets:*:9001', 'http_api:*:8080'],
  );
  assert.equal(config.allowAnonymous, false);
  assert.equal(config.persistenceLocation, '/var/lib/midge/');
});

test('the image tree runs the container config: a user from `midge user add`, MQTT, the HEALTHCHECK, SIGTERM', async () => {
  const [mqtt, ws, api] = [await freePort(), await freePort(), await freePort()];
  const conf = join(work, 'midge.conf');
  // The container's config with loopback ports and a temporary state directory instead of the volume.
  writeFileSync(
    conf,
    readFileSync(join(repoRoot, 'packaging', 'container.conf'), 'utf8')
      .replace(/^listener 1883$/m, `listener ${mqtt} 127.0.0.1`)
      .replace(/^listener 9001$/m, `listener ${ws} 127.0.0.1`)
      .replace(/^listener 8080$/m, `listener ${api} 127.0.0.1`)
      .replace('/var/lib/midge/', `${state}/`),
  );
  const midgeBin = join(dest, 'bin', 'midge');
  const added = await run(midgeBin, ['user', 'add', 'alice', '--password', 'alice secret', '-c', conf]);
  assert.equal(added.code, 0, added.output);
  const granted = await run(midgeBin, ['acl', 'add', 'alice', 'image/#', '--rw', '2', '-c', conf]);
  assert.equal(granted.code, 0, granted.output);

  const healthUrl = { MIDGE_HEALTHCHECK_URL: `http://127.0.0.1:${api}/healthz` };
  const healthcheck = join(dest, 'healthcheck.mjs');
  assert.equal((await run(process.execPath, [healthcheck], healthUrl)).code, 1, 'unhealthy before the start');

  const broker = spawn(process.execPath, [join(dest, 'dist', 'cli', 'main.js'), '-c', conf], { cwd: work });
  let logs = '';
  broker.stdout.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  broker.stderr.on('data', (chunk: Buffer) => (logs += chunk.toString()));
  const exited = new Promise<number | null>((ok) => broker.once('exit', (code) => ok(code)));
  try {
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`not ready within 15 s:\n${logs}`)), 15_000);
      const check = (): void => {
        if (/HTTP API listening on/.test(logs)) {
          clearTimeout(timer);
          ok();
        }
      };
      broker.stdout.on('data', check);
      broker.stderr.on('data', check);
      void exited.then((code) => fail(new Error(`exited with ${String(code)}:\n${logs}`)));
    });
    assert.equal((await run(process.execPath, [healthcheck], healthUrl)).code, 0, 'healthy once started');

    const credentials = { username: 'alice', password: 'alice secret' };
    const subscriber = await connectClient(mqtt, credentials);
    const publisher = await connectClient(mqtt, credentials);
    try {
      await subscribe(subscriber.client, 'image/check', 1);
      await publisher.client.publishAsync('image/check', 'from the image tree', { qos: 1 });
      const [message] = await subscriber.inbox.waitFor(1);
      assert.equal(message?.payload.toString(), 'from the image tree');
    } finally {
      await closeClient(subscriber.client);
      await closeClient(publisher.client);
    }
    await assert.rejects(connectClient(mqtt), 'anonymous clients are refused');
  } finally {
    broker.kill('SIGTERM');
    assert.equal(await exited, 0, `exit code 0 on SIGTERM:\n${logs}`);
  }
  assert.equal((await run(process.execPath, [healthcheck], healthUrl)).code, 1, 'unhealthy once stopped');
});

test('the Dockerfile runs build-image.sh and declares the user, volumes, ports, health check and entry point', () => {
  const lines = new Set(readFileSync(join(repoRoot, 'Dockerfile'), 'utf8').split('\n'));
  for (const line of [
    'FROM node:24-bookworm AS build',
    'RUN bash packaging/build-image.sh /src /opt/midge',
    'FROM node:24-bookworm-slim',
    'COPY --from=build /opt/midge /opt/midge',
    'COPY packaging/container.conf /etc/midge/midge.conf',
    'USER midge',
    'VOLUME ["/var/lib/midge", "/etc/midge"]',
    'EXPOSE 1883 8883 9001 8080',
    'HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 CMD ["node", "/opt/midge/healthcheck.mjs"]',
    'ENTRYPOINT ["node", "/opt/midge/dist/cli/main.js"]',
    'CMD ["-c", "/etc/midge/midge.conf"]',
  ]) {
    assert.ok(lines.has(line), `Dockerfile has: ${line}`);
  }
});
