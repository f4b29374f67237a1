// A private HAProxy (Debian `haproxy`) in TCP mode in front of N brokers on loopback, round robin, so clients
// do not choose their node. Health checks every 250 ms mark a killed broker down quickly, and a connection
// that fails to reach a server is redispatched to another one. The runtime API on a unix socket in the temp
// directory tells the test which servers HAProxy considers up.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canConnect, freePort } from './midge-process.js';

export interface Haproxy {
  /** The loopback port clients connect to. */
  readonly port: number;
  /** Server name (`n0`, `n1`, … in the order of the backend ports) → whether HAProxy sees it up. */
  serverStates(): Promise<Map<string, boolean>>;
  /** Waits until HAProxy sees exactly the given servers up (bounded). */
  waitForServers(up: string[], timeoutMs?: number): Promise<void>;
  /** Stops HAProxy and removes its directory. */
  stop(): Promise<void>;
}

const START_TIMEOUT_MS = 10_000;
const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

function config(port: number, socket: string, backends: number[]): string {
  const servers = backends.map(
    (backend, i) => `  server n${i} 127.0.0.1:${backend} check inter 250ms fall 1 rise 1`,
  );
  return [
    'global',
    `  stats socket ${socket} mode 600 level admin`,
    '  maxconn 4000',
    'defaults',
    '  mode tcp',
    '  timeout connect 2s',
    '  timeout client 1h',
    '  timeout server 1h',
    '  retries 2',
    '  option redispatch',
    'frontend mqtt',
    `  bind 127.0.0.1:${port}`,
    '  default_backend midge',
    'backend midge',
    '  balance roundrobin',
    ...servers,
    '',
  ].join('\n');
}

/** One command on HAProxy's runtime API; resolves with its answer. */
function runtimeCommand(socket: string, command: string): Promise<string> {
  return new Promise((ok, fail) => {
    const conn = connect(socket);
    let answer = '';
    conn.setTimeout(2000, () => conn.destroy(new Error(`haproxy runtime API timed out on '${command}'`)));
    conn.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    conn.once('error', fail);
    conn.once('close', () => ok(answer));
    conn.end(`${command}\n`);
  });
}

export async function startHaproxy(backends: number[]): Promise<Haproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'midge-haproxy-'));
  const port = await freePort();
  const socket = join(dir, 'admin.sock');
  const file = join(dir, 'haproxy.cfg');
  writeFileSync(file, config(port, socket, backends));
  // -db: stay in the foreground, so the child is HAProxy itself and a signal reaches it.
  const child: ChildProcess = spawn('haproxy', ['-db', '-f', file], {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let output = '';
  child.stderr?.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
  let exited = false;
  const gone = new Promise<void>((ok) =>
    child.once('exit', () => {
      exited = true;
      ok();
    }),
  );
  child.once('error', (error) => (output += String(error)));
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    process.removeListener('exit', killOnExit);
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!(await canConnect(port))) {
    if (exited || Date.now() > deadline) {
      await stop();
      throw new Error(`haproxy did not listen on 127.0.0.1:${port}: ${output}`);
    }
    await sleep(50);
  }

  const serverStates = async (): Promise<Map<string, boolean>> => {
    // `show servers state` has one line per server: … srv_name … srv_op_state (2 = running) …
    const answer = await runtimeCommand(socket, 'show servers state midge');
    const states = new Map<string, boolean>();
    for (const line of answer.split('\n')) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 6 || !/^\d+$/.test(fields[0] ?? '')) continue;
      states.set(fields[3] ?? '', fields[5] === '2');
    }
    return states;
  };

  return {
    port,
    serverStates,
    async waitForServers(up, timeoutMs = 10_000) {
      const wanted = [...up].sort().join(',');
      const until = Date.now() + timeoutMs;
      let seen = '';
      for (;;) {
        const states = await serverStates();
        seen = [...states]
          .filter(([, isUp]) => isUp)
          .map(([name]) => name)
          .sort()
          .join(',');
        if (seen === wanted) return;
        if (Date.now() > until) throw new Error(`haproxy servers up: [${seen}], wanted [${wanted}]`);
        await sleep(100);
      }
    },
    stop,
  };
}
