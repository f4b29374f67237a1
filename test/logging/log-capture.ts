// A logger whose JSON lines a test can wait for: the broker logs through the real pino engine into memory.
import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../../src/observability/log.js';
import type { LoggerOptions } from '../../src/observability/log.js';

export interface LogLine {
  level: number;
  msg: string;
  logType?: string;
  time?: unknown;
}

export class LogCapture {
  readonly lines: LogLine[] = [];
  readonly logger: Logger;
  #waiters: (() => void)[] = [];

  constructor(options: Omit<LoggerOptions, 'destination' | 'json'> = {}) {
    const stream = new Writable({
      write: (chunk: Buffer | string, _encoding, done) => {
        for (const text of chunk.toString().split('\n')) {
          if (text.trim() !== '') this.lines.push(JSON.parse(text) as LogLine);
        }
        for (const wake of this.#waiters.splice(0)) wake();
        done();
      },
    });
    this.logger = createLogger({ ...options, destination: stream, json: true });
  }

  messages(): string[] {
    return this.lines.map((l) => l.msg);
  }

  /** The first line whose message matches, waiting up to `timeoutMs` for it to be written. */
  async waitFor(pattern: RegExp, timeoutMs = 3000): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.lines.find((l) => pattern.test(l.msg));
      if (found !== undefined) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(`no log line matching ${pattern} in:\n${this.messages().join('\n')}`);
      }
      await new Promise<void>((ok) => {
        const timer = setTimeout(ok, left);
        this.#waiters.push(() => {
          clearTimeout(timer);
          ok();
        });
      });
    }
  }
}
