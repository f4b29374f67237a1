// A Midge cluster for one test file: a private redis-server on a free loopback port and N real `midge`
// processes (dist/cli/main.js) joined to it with short leases, so a killed node is noticed within seconds.
import type { MqttClient } from 'mqtt';
import { startRedis, type DatabaseService } from './db-services.js';
import { startMidge, type MidgeProcess } from './midge-process.js';
import type { Inbox } from '../interop/support.js';

export interface TestCluster {
  redis: DatabaseService;
  nodes: MidgeProcess[];
  /** Starts node i again (after a kill) with its configuration. */
  restart(index: number): Promise<MidgeProcess>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  size?: number;
  leaseSeconds?: number;
  /** Extra midge.conf lines for every node. */
  conf?: string;
  /** A Redis already running (a test that restarts it keeps it). */
  redis?: DatabaseService;
}

export function nodeConf(redisPort: number, index: number, options: ClusterOptions = {}): string {
  return [
    `cluster_redis redis://127.0.0.1:${redisPort}`,
    `cluster_node_id node-${index}`,
    `cluster_lease_seconds ${options.leaseSeconds ?? 2}`,
    options.conf ?? '',
  ].join('\n');
}

export async function startCluster(options: ClusterOptions = {}): Promise<TestCluster> {
  const redis = options.redis ?? (await startRedis());
  const nodes: MidgeProcess[] = [];
  const start = (index: number): Promise<MidgeProcess> =>
    startMidge({ conf: nodeConf(redis.port, index, options) });
  for (let i = 0; i < (options.size ?? 3); i++) nodes.push(await start(i));
  return {
    redis,
    nodes,
    async restart(index) {
      const node = await start(index);
      nodes[index] = node;
      return node;
    },
    async stop() {
      await Promise.all(nodes.map((node) => node.stop().catch(() => undefined)));
      if (options.redis === undefined) await redis.destroy();
    },
  };
}

/**
 * Routes spread through Redis within milliseconds, not before SUBACK: publishes `probeTopic` from `publisher`
 * every 50 ms until `inbox` has it, so the test starts once the route is known everywhere it matters.
 */
export async function waitForRoute(
  publisher: MqttClient,
  inbox: Inbox,
  probeTopic: string,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const seen = (): boolean => inbox.messages.some((m) => m.topic === probeTopic);
  while (!seen()) {
    if (Date.now() > deadline) throw new Error(`no route for ${probeTopic} within ${timeoutMs} ms`);
    publisher.publish(probeTopic, 'probe', { qos: 0 });
    await inbox.waitFor(1, 50, (m) => m.topic === probeTopic).catch(() => undefined);
  }
}
