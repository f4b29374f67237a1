// Private database servers for one test file: PostgreSQL, MariaDB and Redis, each in its own temp directory
// on a free loopback port, so test files (and other people's test runs on the same machine) never share one.
// When the tests run as root (CI), PostgreSQL and MariaDB run as their Debian system users (spawned with that
// uid/gid, so signals reach the server itself). Each can be stopped and started again on the same port and
// data (the "database restart" tests). The Debian packages come from scripts/install-test-deps.sh.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { canConnect, freePort } from './midge-process.js';

export interface DatabaseService {
  readonly kind: 'postgres' | 'mariadb' | 'redis';
  readonly host: string;
  readonly port: number;
  /** A user that may create tables (PostgreSQL: postgres, MariaDB: root); no password. */
  readonly user: string;
  /** Stops the server (SIGTERM, then SIGKILL) keeping its data. */
  stop(): Promise<void>;
  /** Kills the server with SIGKILL (a crash: nothing flushed on the way out), keeping its data. */
  kill(): Promise<void>;
  /** Starts it again on the same port and data. */
  start(): Promise<void>;
  /** Stops it and removes its directory. */
  destroy(): Promise<void>;
}

const isRoot = userInfo().uid === 0;
const START_TIMEOUT_MS = 30_000;
const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

interface Ids {
  uid: number;
  gid: number;
}

/** The uid/gid to run as: a system user's when we are root, ours otherwise (undefined). */
function idsOf(user: string | undefined): Ids | undefined {
  if (!isRoot || user === undefined) return undefined;
  const uid = Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
  const gid = Number(spawnSync('id', ['-g', user], { encoding: 'utf8' }).stdout.trim());
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`no system user '${user}'`);
  return { uid, gid };
}

function run(user: string | undefined, command: string, args: string[]): void {
  const result = spawnSync(command, args, { ...idsOf(user), encoding: 'utf8', timeout: 120_000, cwd: '/' });
  if (result.status !== 0) {
    throw new Error(`${command} failed (${String(result.status)}): ${result.stderr || result.stdout}`);
  }
}

/** A temp directory the service's system user may write (it is created by us, maybe as root). */
export function serviceDir(kind: string, owner: string | undefined): string {
  const dir = mkdtempSync(join(tmpdir(), `midge-${kind}-`));
  const ids = idsOf(owner);
  if (ids !== undefined) chownSync(dir, ids.uid, ids.gid);
  chmodSync(dir, 0o755);
  return dir;
}

export interface ServerSpec {
  kind: DatabaseService['kind'];
  user: string;
  port: number;
  dir: string;
  runAs: string | undefined;
  command: string;
  args: string[];
  /** PostgreSQL shuts down at once on SIGINT; on SIGTERM it would wait for the pool's idle sessions. */
  stopSignal: NodeJS.Signals;
  /** What the server writes to stderr once it accepts queries (an open port can still mean "starting up"). */
  readyText?: RegExp;
}

async function startProcess(spec: ServerSpec): Promise<ChildProcess> {
  const child = spawn(spec.command, spec.args, {
    ...idsOf(spec.runAs),
    cwd: '/',
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  let ready = spec.readyText === undefined;
  child.stderr?.on('data', (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
    if (spec.readyText?.test(output) === true) ready = true;
  });
  let exited = false;
  child.once('exit', () => (exited = true));
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!ready || !(await canConnect(spec.port))) {
    if (exited || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${spec.kind} did not start on 127.0.0.1:${spec.port}: ${output}`);
    }
    await sleep(100);
  }
  return child;
}

async function stopProcess(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((ok) => child.once('exit', () => ok()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Starts a server process and waits until it accepts connections (and wrote readyText, if given). */
export async function startService(spec: ServerSpec): Promise<DatabaseService> {
  let child: ChildProcess | undefined = await startProcess(spec);
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  return {
    kind: spec.kind,
    host: '127.0.0.1',
    port: spec.port,
    user: spec.user,
    async stop() {
      await stopProcess(child, spec.stopSignal);
      child = undefined;
    },
    async kill() {
      await stopProcess(child, 'SIGKILL');
      child = undefined;
    },
    async start() {
      if (child === undefined) child = await startProcess(spec);
    },
    async destroy() {
      await stopProcess(child, spec.stopSignal);
      child = undefined;
      process.removeListener('exit', killOnExit);
      rmSync(spec.dir, { recursive: true, force: true });
    },
  };
}

function postgresBin(name: string): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const path = join(root, version, 'bin', name);
    if (existsSync(path)) return path;
  }
  return name;
}

/** PostgreSQL: initdb (trust on loopback) and postgres, as the postgres user when we are root. */
export async function startPostgres(): Promise<DatabaseService> {
  const runAs = isRoot ? 'postgres' : undefined;
  const dir = serviceDir('postgres', runAs);
  const data = join(dir, 'data');
  run(runAs, postgresBin('initdb'), [
    '-D',
    data,
    '-U',
    'postgres',
    '--auth=trust',
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const port = await freePort();
  const args = ['-D', data, '-p', String(port), '-h', '127.0.0.1', '-k', dir, '-F'];
  const command = postgresBin('postgres');
  return startService({
    kind: 'postgres',
    user: 'postgres',
    port,
    dir,
    runAs,
    command,
    args,
    stopSignal: 'SIGINT',
    readyText: /ready to accept connections/,
  });
}

/** MariaDB: mariadb-install-db and mariadbd with root allowed in without a password on loopback. */
export async function startMariadb(): Promise<DatabaseService> {
  const runAs = isRoot ? 'mysql' : undefined;
  const dir = serviceDir('mariadb', runAs);
  const data = join(dir, 'data');
  // mariadbd refuses to run as root unless --user names an account; our uid is already that account's.
  const userArgs = runAs === undefined ? [] : [`--user=${runAs}`];
  run(runAs, 'mariadb-install-db', [
    '--no-defaults',
    `--datadir=${data}`,
    '--auth-root-authentication-method=normal',
    '--skip-test-db',
    ...userArgs,
  ]);
  const port = await freePort();
  const args = [
    '--no-defaults',
    `--datadir=${data}`,
    `--port=${port}`,
    '--bind-address=127.0.0.1',
    `--socket=${join(dir, 'mysqld.sock')}`,
    `--pid-file=${join(dir, 'mysqld.pid')}`,
    '--skip-log-bin',
    '--innodb-buffer-pool-size=16M',
    '--skip-name-resolve',
    ...userArgs,
  ];
  return startService({
    kind: 'mariadb',
    user: 'root',
    port,
    dir,
    runAs,
    command: existsSync('/usr/sbin/mariadbd') ? '/usr/sbin/mariadbd' : 'mariadbd',
    args,
    stopSignal: 'SIGTERM',
    readyText: /ready for connections/,
  });
}

export interface RedisOptions {
  /** Saves its dataset (RDB) on shutdown so a clean restart keeps it. */
  persistent?: boolean;
  /**
   * Turns the append-only file on with this fsync policy: 'always' makes every acknowledged write survive a
   * SIGKILL of Redis (and a power loss); 'everysec' and 'no' may lose the last writes of a crash.
   */
  appendfsync?: 'always' | 'everysec' | 'no';
  /** More redis-server arguments (`--name value` pairs). */
  args?: string[];
}

/** The redis-server arguments for a private instance in `dir` on `port`. */
export function redisArgs(port: number, dir: string, options: RedisOptions): string[] {
  const aof =
    options.appendfsync === undefined
      ? ['--appendonly', 'no']
      : ['--appendonly', 'yes', '--appendfsync', options.appendfsync];
  return [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    options.persistent === true ? '3600 1' : '',
    ...aof,
    '--dir',
    dir,
    ...(options.args ?? []),
  ];
}

/** Redis without persistence, with RDB saved at shutdown (persistent), or with the append-only file. */
export async function startRedis(options: RedisOptions = {}): Promise<DatabaseService> {
  const dir = serviceDir('redis', undefined);
  const port = await freePort();
  return startRedisProcess(port, dir, redisArgs(port, dir, options));
}

/** A redis-server on `port` with its data in `dir` (ours: Redis runs as the test's own user). */
export function startRedisProcess(port: number, dir: string, args: string[]): Promise<DatabaseService> {
  return startService({
    kind: 'redis',
    user: 'default',
    port,
    dir,
    runAs: undefined,
    command: 'redis-server',
    args,
    stopSignal: 'SIGTERM',
  });
}
