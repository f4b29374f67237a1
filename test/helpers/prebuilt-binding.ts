// Serves better-sqlite3's native binding, as built in this checkout's node_modules, the way its prebuilt
// binaries are published, so a test's `npm install` of Midge takes the download path a user with internet access
// takes (prebuild-install) instead of compiling SQLite for minutes. prebuild-install asks
// `$npm_config_better_sqlite3_binary_host/v{version}/better-sqlite3-v{version}-node-v{abi}-{platform}-{arch}.tar.gz`.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';

export interface BindingHost {
  /** The environment that points prebuild-install at this host. */
  env: Record<string, string>;
  /** How many times the binding was downloaded. */
  downloads(): number;
  close(): Promise<void>;
}

/** Packs node_modules/better-sqlite3/build/Release/better_sqlite3.node of `repoRoot` and serves it on loopback. */
export async function serveBetterSqliteBinding(repoRoot: string, workDir: string): Promise<BindingHost> {
  const moduleDir = join(repoRoot, 'node_modules', 'better-sqlite3');
  const { version } = JSON.parse(readFileSync(join(moduleDir, 'package.json'), 'utf8')) as {
    version: string;
  };
  const tarball = join(workDir, 'binding.tar.gz');
  const packed = spawnSync('tar', ['czf', tarball, '-C', moduleDir, 'build/Release/better_sqlite3.node']);
  if (packed.status !== 0) throw new Error(`tar failed: ${packed.stderr.toString()}`);
  const body = readFileSync(tarball);
  // Only the binding for the Node that runs the test: another ABI would load nowhere.
  const name = `better-sqlite3-v${version}-node-v${process.versions.modules}-${process.platform}-${process.arch}.tar.gz`;
  let downloads = 0;
  const server = createServer((request, response) => {
    if (request.url === `/v${version}/${name}`) {
      downloads += 1;
      response.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
      response.end(body);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  return {
    env: { npm_config_better_sqlite3_binary_host: `http://127.0.0.1:${address.port}` },
    downloads: () => downloads,
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
