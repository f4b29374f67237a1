// Starts the brokers under test as child processes on their own loopback ports, each with the same limits:
// TCP_NODELAY on, 1,000 messages in flight and 100,000 queued per client, no $SYS, no persistence, quiet logs.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';

export const MOSQUITTO = '/usr/sbin/mosquitto';
const HERE = new URL('.', import.meta.url).pathname;
export const ROOT = join(HERE, '..', '..');
const MIDGE_CLI = join(ROOT, 'dist', 'cli', 'main.js');

const COMMON_CONF = [
  'allow_anonymous true',
  'max_inflight_messages 1000',
  'max_queued_messages 100000',
  'set_tcp_nodelay true',
  'sys_interval 0',
  'persistence false',
  'log_type error',
  'connection_messages false',
];

/** Which brokers can run here; a missing one carries the reason it is skipped. */
export function availableBrokers() {
  const out = [{ name: 'midge' }, { name: 'mosquitto' }, { name: 'aedes' }];
  if (!existsSync(MIDGE_CLI)) out[0].skip = `${MIDGE_CLI} missing: run npm run build first`;
  if (!existsSync(MOSQUITTO)) out[1].skip = `${MOSQUITTO} missing: apt-get install mosquitto`;
  if (!existsSync(join(ROOT, 'node_modules', 'aedes'))) out[2].skip = 'aedes missing: npm install';
  return out;
}

/** Installs the Debian mosquitto package when it is missing and we may (root, apt-get present). */
export function ensureMosquitto(log) {
  if (existsSync(MOSQUITTO)) return;
  if (process.getuid?.() !== 0 || spawnSync('which', ['apt-get']).status !== 0) return;
  log('mosquitto missing: apt-get install -y mosquitto');
  spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'mosquitto'], { stdio: 'inherit' });
  // The package starts a system service on 1883; the benchmark runs its own instance and leaves that alone.
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts `name` ('midge' | 'baseline' | 'mosquitto' | 'aedes' | 'sink'; baseline is another Midge build) and resolves once its port accepts connections.
 * `cpuProfileDir` runs Midge under `node --cpu-prof`. `persistence` turns each broker's persistence on (Midge:
 * fsync'd group commits; mosquitto: its snapshots) with unlimited queues, except for 'midge-volatile', which
 * is Midge without persistence for comparison.
 */
export async function startBroker(
  name,
  { dir, cpuProfileDir, baseline, websocket = false, persistence = false, httpApi = false } = {},
) {
  if (name === 'midge-volatile') {
    const volatile = persistence ? 'volatile' : false;
    const broker = await startBroker('midge', {
      dir,
      cpuProfileDir,
      baseline,
      websocket,
      persistence: volatile,
    });
    return { ...broker, name };
  }
  const port = await freePort();
  // WebSocket runs add a second listener; the plain one stays (mosquitto 2.0.11 will not start on a
  // WebSocket listener alone) and tells when the broker is up.
  const wsPort = websocket ? await freePort() : undefined;
  const listeners = [`listener ${port} 127.0.0.1`];
  if (websocket) listeners.push(`listener ${wsPort} 127.0.0.1`, 'protocol websockets');
  // The console scenarios: an HTTP API the poller may use without credentials (loopback only).
  const apiPort = httpApi ? await freePort() : undefined;
  if (apiPort !== undefined) {
    listeners.push('http_api_allow_anonymous true', `listener ${apiPort} 127.0.0.1`, 'protocol http_api');
  }
  const logFile = join(dir, `${name}-${port}.log`);
  const stdio = ['ignore', openSync(logFile, 'a'), openSync(logFile, 'a')];
  let child;
  if (name === 'midge' || name === 'baseline' || name === 'mosquitto') {
    const conf = join(dir, `${name}-${port}.conf`);
    writeFileSync(
      conf,
      [...brokerConf(persistence, join(dir, `${name}-${port}-data`)), ...listeners, ''].join('\n'),
    );
    if (name !== 'mosquitto') {
      const prof = cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`];
      const cli = name === 'baseline' ? join(baseline, 'cli', 'main.js') : MIDGE_CLI;
      child = spawn(process.execPath, [...prof, cli, '-c', conf], { stdio });
    } else {
      child = spawn(MOSQUITTO, ['-c', conf], { stdio });
    }
  } else {
    const script = join(HERE, name === 'aedes' ? 'aedes-server.mjs' : 'sink-server.mjs');
    const args = wsPort === undefined ? [String(port)] : [String(port), String(wsPort)];
    child = spawn(process.execPath, [script, ...args], { stdio, cwd: ROOT });
  }
  const exited = new Promise((resolve) => child.once('exit', resolve));
  await waitForPort(port, child, logFile);
  if (wsPort !== undefined) await waitForPort(wsPort, child, logFile);
  if (apiPort !== undefined) await waitForPort(apiPort, child, logFile);
  return {
    name,
    /** Where the generator connects: the WebSocket listener in WebSocket runs. */
    port: wsPort ?? port,
    apiPort,
    pid: child.pid,
    rssKiB: () => readRssKiB(child.pid),
    cpuSeconds: () => readCpuSeconds(child.pid),
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** `persistence`: false, true, or 'volatile' (the queues of a persistence run, kept in memory only). */
function brokerConf(persistence, location) {
  if (persistence === false) return COMMON_CONF;
  // Unlimited queues: a queue limit that drops messages would make durable runs cheaper than they are.
  const swap = { 'max_queued_messages 100000': 'max_queued_messages 0' };
  if (persistence === 'volatile') return COMMON_CONF.map((line) => swap[line] ?? line);
  mkdirSync(location, { recursive: true });
  swap['persistence false'] = 'persistence true';
  return [...COMMON_CONF.map((line) => swap[line] ?? line), `persistence_location ${location}/`];
}

async function waitForPort(port, child, logFile) {
  const deadline = Date.now() + 15000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`broker exited with ${child.exitCode}: ${readFileSync(logFile, 'utf8').slice(-500)}`);
    }
    const ok = await new Promise((resolve) => {
      const socket = connect({ port, host: '127.0.0.1' });
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  child.kill('SIGKILL');
  throw new Error(`broker on port ${port} did not start in time`);
}

export function readRssKiB(pid) {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match === null ? NaN : Number(match[1]);
}

export function readCpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // utime and stime are fields 14 and 15 of /proc/PID/stat (here offset by the two before the ')').
  return (Number(fields[11]) + Number(fields[12])) / 100;
}
