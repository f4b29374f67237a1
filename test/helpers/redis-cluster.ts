// A private three-master Redis Cluster for one test file: three redis-server processes with
// `--cluster-enabled yes` on free loopback ports (client port and cluster bus port both chosen free, so the
// bus is never "port + 10000" past 65535), joined by `redis-cli --cluster create ... --cluster-yes`. Each node
// can be stopped, killed and started again on its port and data (nodes.conf keeps its identity and slots).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { freePort } from './midge-process.js';
import {
  redisArgs,
  serviceDir,
  startRedisProcess,
  type DatabaseService,
  type RedisOptions,
} from './db-services.js';

export interface RedisCluster {
  /** The masters, in the order their slots were assigned. */
  readonly nodes: DatabaseService[];
  /** `host:port` of every master, as `cluster_redis` takes them. */
  readonly addresses: string[];
  /** Waits until every running node reports cluster_state:ok (after a restart). */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** Stops every node and removes their directories. */
  destroy(): Promise<void>;
}

export interface RedisClusterOptions extends RedisOptions {
  /** How many masters (3 unless told). */
  masters?: number;
  /**
   * `cluster-require-full-coverage`: true (Redis's default) stops the whole cluster answering while any slot
   * has no master; false lets the other masters keep serving their slots.
   */
  requireFullCoverage?: boolean;
}

const CREATE_TIMEOUT_MS = 30_000;
const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

/** Runs redis-cli with a deadline; resolves with its stdout, rejects with its output on failure. */
export function redisCli(args: string[], timeoutMs = 10_000): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn('redis-cli', args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: timeoutMs });
    let output = '';
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', fail);
    child.once('exit', (code, signal) => {
      if (code === 0) ok(stdout);
      else fail(new Error(`redis-cli ${args.join(' ')} failed (${String(code ?? signal)}): ${output}`));
    });
  });
}

async function clusterOk(port: number): Promise<boolean> {
  try {
    return (await redisCli(['-p', String(port), 'cluster', 'info'], 2000)).includes('cluster_state:ok');
  } catch {
    return false;
  }
}

export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const count = options.masters ?? 3;
  const nodes: DatabaseService[] = [];
  const dirs: string[] = [];
  const destroy = async (): Promise<void> => {
    await Promise.all(nodes.map((node) => node.destroy()));
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < count; i++) {
      const dir = serviceDir('redis-cluster', undefined);
      dirs.push(dir);
      const port = await freePort();
      const busPort = await freePort();
      const args = redisArgs(port, dir, {
        ...options,
        args: [
          '--cluster-enabled',
          'yes',
          '--cluster-port',
          String(busPort),
          '--cluster-config-file',
          `${dir}/nodes.conf`,
          '--cluster-node-timeout',
          '2000',
          '--cluster-require-full-coverage',
          options.requireFullCoverage === false ? 'no' : 'yes',
          ...(options.args ?? []),
        ],
      });
      nodes.push(await startRedisProcess(port, dir, args));
    }
    const addresses = nodes.map((node) => `127.0.0.1:${node.port}`);
    await redisCli(
      ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'],
      CREATE_TIMEOUT_MS,
    );
    const waitHealthy = async (timeoutMs = CREATE_TIMEOUT_MS): Promise<void> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const states = await Promise.all(nodes.map((node) => clusterOk(node.port)));
        if (states.every(Boolean)) return;
        if (Date.now() > deadline)
          throw new Error(`Redis Cluster ${addresses.join(' ')} not ok within ${timeoutMs} ms`);
        await sleep(100);
      }
    };
    await waitHealthy();
    return { nodes, addresses, waitHealthy, destroy };
  } catch (error) {
    await destroy();
    throw error;
  }
}
