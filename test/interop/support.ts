// Small tools the interop tests share: a message inbox that can be awaited with a deadline, and child
// processes (mosquitto_pub/sub, python3) whose output can be awaited line by line, always bounded in time.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';

export const sleep = (ms: number): Promise<void> => new Promise((ok) => setTimeout(ok, ms));

/** A topic prefix no other test (or earlier run against the same broker) uses. */
export function uniquePrefix(name: string): string {
  return `interop/${name}/${randomBytes(4).toString('hex')}`;
}

export interface Received {
  topic: string;
  payload: Buffer;
  qos: number;
  retain: boolean;
}

/** Collects messages; `waitFor(n)` resolves once n have arrived, or rejects after the deadline. */
export class Inbox {
  readonly messages: Received[] = [];
  #wake: (() => void) | undefined;

  push(message: Received): void {
    this.messages.push(message);
    this.#wake?.();
  }

  /** Waits until `count` messages (only those `filter` accepts, when given) have arrived; returns them. */
  async waitFor(count: number, timeoutMs = 5000, filter?: (m: Received) => boolean): Promise<Received[]> {
    const deadline = Date.now() + timeoutMs;
    const matching = (): Received[] => (filter === undefined ? this.messages : this.messages.filter(filter));
    while (matching().length < count) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `expected ${count} message(s) within ${timeoutMs} ms, got ${matching().length}: ` +
            JSON.stringify(this.summary()),
        );
      }
      await new Promise<void>((ok) => {
        const timer = setTimeout(ok, left);
        this.#wake = () => {
          clearTimeout(timer);
          ok();
        };
      });
      this.#wake = undefined;
    }
    return matching().slice(0, count);
  }

  summary(): { topic: string; payload: string; qos: number; retain: boolean }[] {
    return this.messages.map((m) => ({
      topic: m.topic,
      payload: m.payload.toString('utf8'),
      qos: m.qos,
      retain: m.retain,
    }));
  }
}

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Running {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves with the first stdout line matching, rejects on exit or after the deadline. */
  waitForLine(match: RegExp, timeoutMs?: number): Promise<string>;
  exit: Promise<Exit>;
}

/** Spawns a command that is SIGKILLed after timeoutMs whatever happens. */
export function startProcess(
  command: string,
  args: string[],
  options: { timeoutMs: number; input?: string; env?: NodeJS.ProcessEnv },
): Running {
  const proc = spawn(command, args, {
    stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    env: options.env ?? process.env,
  });
  let out = '';
  let err = '';
  let timedOut = false;
  const listeners = new Set<() => void>();
  const notify = (): void => listeners.forEach((listener) => listener());
  proc.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString('utf8');
    notify();
  });
  proc.stderr?.on('data', (chunk: Buffer) => (err += chunk.toString('utf8')));
  if (options.input !== undefined) proc.stdin?.end(options.input);
  const timer = setTimeout(() => {
    timedOut = true;
    proc.kill('SIGKILL');
  }, options.timeoutMs);
  let exited = false;
  const exit = new Promise<Exit>((ok) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(timer);
      exited = true;
      notify();
      ok({ code, signal, stdout: out, stderr: err, timedOut });
    };
    proc.once('error', (error) => {
      err += String(error);
      finish(null, null);
    });
    proc.once('close', finish);
  });

  const waitForLine = (match: RegExp, timeoutMs = 5000): Promise<string> =>
    new Promise((ok, fail) => {
      const check = (): void => {
        const line = out.split('\n').find((l) => match.test(l));
        if (line !== undefined) {
          done();
          ok(line);
        } else if (exited) {
          done();
          fail(
            new Error(`${command} exited before printing ${String(match)}\nstdout:\n${out}\nstderr:\n${err}`),
          );
        }
      };
      const deadline = setTimeout(() => {
        done();
        fail(
          new Error(
            `${command} printed no ${String(match)} within ${timeoutMs} ms\nstdout:\n${out}\nstderr:\n${err}`,
          ),
        );
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(deadline);
        listeners.delete(check);
      };
      listeners.add(check);
      check();
    });

  return { proc, stdout: () => out, stderr: () => err, waitForLine, exit };
}

export function runProcess(
  command: string,
  args: string[],
  options: { timeoutMs: number; input?: string; env?: NodeJS.ProcessEnv },
): Promise<Exit> {
  return startProcess(command, args, options).exit;
}

/** Describes a finished process for assertion messages. */
export function describeExit(what: string, exit: Exit): string {
  return `${what}: code ${String(exit.code)}, signal ${String(exit.signal)}${exit.timedOut ? ' (timed out)' : ''}\nstdout:\n${exit.stdout}\nstderr:\n${exit.stderr}`;
}
