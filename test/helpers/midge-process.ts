// Starts the built `midge` CLI (dist/cli/main.js) as a child process on a free loopback port, for tests that
// talk to it with real clients (MQTT.js, mosquitto_pub/sub, Python paho). `npm run build` must have run.
//
// MIDGE_INTEROP_BROKER=/usr/sbin/mosquitto runs the same tests against a reference broker with the same
// command line (`-c FILE` / `-p PORT`), which shows whether a failure lies in the test or in Midge.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface MidgeProcess {
  port: number;
  proc: ChildProcess;
  /** SIGTERM, wait for the exit (SIGKILL after 5 s) and throw unless the exit code was 0. */
  stop(): Promise<void>;
  /** SIGKILL (a crash: nothing saved on the way out), wait for the exit and clean up; a later stop() is a no-op. */
  kill(): Promise<void>;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
}

export interface StartMidgeOptions {
  /** mosquitto.conf text, appended after `listener PORT 127.0.0.1` and `allow_anonymous true`. */
  conf?: string;
  /** Extra command-line arguments. */
  args?: string[];
  /** Another broker executable taking the same `-c FILE` / `-p PORT` (e.g. /usr/sbin/mosquitto); overrides the env. */
  broker?: string;
  /** Extra environment variables for the process. */
  env?: Record<string, string>;
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const cliPath = join(repoRoot, 'dist', 'cli', 'main.js');
const startTimeoutMs = 10_000;
const stopGraceMs = 5_000;

/** Binds a server on port 0, reads the port the kernel chose, and releases it. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', ok);
  });
  const address = server.address();
  await new Promise<void>((ok) => server.close(() => ok()));
  if (address === null || typeof address === 'string') throw new Error('could not read a free port');
  return address.port;
}

export function canConnect(port: number): Promise<boolean> {
  return new Promise((ok) => {
    const socket = connect({ port, host: '127.0.0.1' });
    const done = (result: boolean): void => {
      socket.destroy();
      ok(result);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

export async function startMidge(options: StartMidgeOptions = {}): Promise<MidgeProcess> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), 'midge-interop-'));
  const args: string[] = [];
  const reference = options.broker ?? process.env.MIDGE_INTEROP_BROKER;
  if (options.conf === undefined) {
    args.push('-p', String(port));
    // Local only mode also opens WebSocket 9001: a free port instead, so parallel runs never collide.
    if (reference === undefined || reference === '') args.push('--ws-port', '0');
  } else {
    const file = join(dir, 'midge.conf');
    await writeFile(file, `listener ${port} 127.0.0.1\nallow_anonymous true\n${options.conf}\n`);
    args.push('-c', file);
  }
  args.push(...(options.args ?? []));

  const command = reference !== undefined && reference !== '' ? reference : process.execPath;
  const commandArgs = command === process.execPath ? [cliPath, ...args] : args;
  const proc = spawn(command, commandArgs, {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let captured = '';
  proc.stdout?.on('data', (chunk: Buffer) => (captured += chunk.toString('utf8')));
  proc.stderr?.on('data', (chunk: Buffer) => (captured += chunk.toString('utf8')));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    proc.once('exit', (code, signal) => ok({ code, signal })),
  );
  let exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((status) => (exitStatus = status));
  let spawnError: Error | undefined;
  proc.once('error', (err) => (spawnError = err));
  // A test process that dies without calling stop() must not leave a broker behind.
  const killOnExit = (): void => {
    proc.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const cleanup = async (): Promise<void> => {
    process.removeListener('exit', killOnExit);
    await rm(dir, { recursive: true, force: true });
  };

  const killAndWait = async (): Promise<{ code: number | null; signal: NodeJS.Signals | null }> => {
    if (exitStatus !== undefined) return exitStatus;
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), stopGraceMs);
    try {
      return await exited;
    } finally {
      clearTimeout(timer);
    }
  };

  const deadline = Date.now() + startTimeoutMs;
  while (!(await canConnect(port))) {
    if (spawnError !== undefined || exitStatus !== undefined || Date.now() > deadline) {
      const status = await killAndWait();
      await cleanup();
      const why =
        spawnError !== undefined
          ? `could not spawn: ${spawnError.message}`
          : exitStatus !== undefined
            ? `exited early (code ${String(status.code)}, signal ${String(status.signal)})`
            : `did not accept connections on 127.0.0.1:${port} within ${startTimeoutMs} ms`;
      throw new Error(`midge ${why}\ncommand: ${command} ${commandArgs.join(' ')}\noutput:\n${captured}`);
    }
    await sleep(50);
  }

  let stopped: Promise<void> | undefined;
  return {
    port,
    proc,
    output: () => captured,
    kill: async () => {
      if (exitStatus === undefined) {
        proc.kill('SIGKILL');
        await exited;
      }
      stopped ??= cleanup();
      await stopped;
    },
    stop: () =>
      (stopped ??= (async () => {
        const alreadyExited = exitStatus !== undefined;
        const status = await killAndWait();
        await cleanup();
        if (alreadyExited || status.code !== 0) {
          throw new Error(
            `midge ${alreadyExited ? 'had exited before stop()' : 'did not exit cleanly on SIGTERM'}` +
              ` (code ${String(status.code)}, signal ${String(status.signal)})\noutput:\n${captured}`,
          );
        }
      })()),
  };
}
