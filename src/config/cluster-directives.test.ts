import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMosquittoConf } from './mosquitto-conf.js';
import { ConfigError } from './errors.js';

const parse = (text: string) => parseMosquittoConf(text, { file: 'midge.conf' });

function refused(text: string, code: string, line: number): void {
  assert.throws(
    () => parse(text),
    (error: unknown) => error instanceof ConfigError && error.code === code && error.line === line,
  );
}

test('no cluster_* line: no cluster (a single node that never loads a Redis client)', () => {
  assert.equal(parse('listener 1883\n').cluster, undefined);
});

test('cluster_redis with a URL, node id, session store and lease', () => {
  const config = parse(
    'cluster_redis redis://127.0.0.1:6379/0\ncluster_node_id node-a\ncluster_session_store local\ncluster_lease_seconds 5\n',
  );
  assert.deepEqual(config.cluster, {
    redis: ['redis://127.0.0.1:6379/0'],
    nodeId: 'node-a',
    sessionStore: 'local',
    leaseSeconds: 5,
  });
});

test('cluster_redis with host:port seeds of a Redis Cluster; the lease defaults to 10 s', () => {
  const config = parse('cluster_redis 127.0.0.1:7000 127.0.0.1:7001 [::1]:7002\n');
  assert.deepEqual(config.cluster?.redis, ['127.0.0.1:7000', '127.0.0.1:7001', '[::1]:7002']);
  assert.equal(config.cluster?.leaseSeconds, 10);
  assert.equal(config.cluster?.sessionStore, 'local');
});

test('bad cluster values are refused with MIDGE_CONFIG_BAD_VALUE and the line', () => {
  refused('cluster_redis http://x\n', 'MIDGE_CONFIG_BAD_VALUE', 1);
  refused('cluster_redis host-without-port\n', 'MIDGE_CONFIG_BAD_VALUE', 1);
  refused('cluster_redis redis://a:1\ncluster_node_id has space\n', 'MIDGE_CONFIG_BAD_VALUE', 2);
  refused('cluster_redis redis://a:1\ncluster_session_store disk\n', 'MIDGE_CONFIG_BAD_VALUE', 2);
  refused('cluster_redis redis://a:1\ncluster_lease_seconds 1\n', 'MIDGE_CONFIG_BAD_VALUE', 2);
});

test('a cluster_* directive without cluster_redis is refused', () => {
  assert.throws(() => parse('cluster_node_id a\n'), /MIDGE_CONFIG_BAD_VALUE.*cluster_redis/);
});
