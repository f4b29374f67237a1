// Argon2 off the event loop. hash-wasm computes Argon2 in WebAssembly synchronously once it starts: a 64 MiB,
// 3-pass hash holds the thread for tens to hundreds of milliseconds, and on the broker's thread that would stall
// every client for each CONNECT checked against an Argon2 row. Derivations run in worker threads instead:
// at most `size` workers, made on first use, unref'd (they never keep the process alive) and ended after
// IDLE_MS without work; at most `maxQueued` derivations wait, more fail at once (the CONNECT is then refused
// as "server unavailable") rather than piling up memory under a login flood.
// One pool serves every broker in the process, like libuv's own thread pool: it holds no broker state.
import { createRequire } from 'node:module';
import os from 'node:os';
import { Worker } from 'node:worker_threads';

export interface Argon2Job {
  readonly variant: 'argon2id' | 'argon2i' | 'argon2d';
  readonly password: Uint8Array;
  readonly salt: Uint8Array;
  readonly parallelism: number;
  readonly iterations: number;
  readonly memorySize: number;
  readonly hashLength: number;
}

export class Argon2BusyError extends Error {
  readonly code = 'MIDGE_AUTH_HASH_BUSY';
}

// A CommonJS script (eval: true), so the same code runs from dist/ and from the TypeScript sources in tests;
// hash-wasm is loaded by the path resolved here, not from the worker's working directory.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const wasm = require(workerData.hashWasm);
parentPort.on('message', async ({ job }) => {
  try {
    const hash = await wasm[job.variant]({ ...job, outputType: 'binary' });
    parentPort.postMessage({ hash });
  } catch (error) {
    parentPort.postMessage({ error: String((error && error.message) || error) });
  }
});
`;

const IDLE_MS = 30_000;

interface Pending {
  readonly job: Argon2Job;
  resolve(hash: Buffer): void;
  reject(error: Error): void;
}

interface Slot {
  readonly worker: Worker;
  current?: Pending;
  idle?: NodeJS.Timeout;
}

export class Argon2Pool {
  readonly #size: number;
  readonly #maxQueued: number;
  readonly #slots = new Set<Slot>();
  readonly #queue: Pending[] = [];
  #hashWasm: string | undefined;

  constructor(size = Math.max(1, Math.min(2, os.availableParallelism() - 1)), maxQueued = 256) {
    this.#size = size;
    this.#maxQueued = maxQueued;
  }

  /** The raw Argon2 output for `job`, computed in a worker thread. */
  derive(job: Argon2Job): Promise<Buffer> {
    if (this.#queue.length >= this.#maxQueued) {
      return Promise.reject(
        new Argon2BusyError(`MIDGE_AUTH_HASH_BUSY: ${this.#maxQueued} Argon2 checks are already waiting`),
      );
    }
    return new Promise<Buffer>((resolve, reject) => {
      this.#queue.push({ job, resolve, reject });
      this.#dispatch();
    });
  }

  /** Ends every worker (tests; the workers are unref'd, so a process exits without this). */
  async close(): Promise<void> {
    const slots = [...this.#slots];
    this.#slots.clear();
    await Promise.all(slots.map((slot) => slot.worker.terminate()));
  }

  #dispatch(): void {
    while (this.#queue.length > 0) {
      const slot = [...this.#slots].find((s) => s.current === undefined) ?? this.#spawn();
      if (slot === undefined) return;
      const pending = this.#queue.shift() as Pending;
      clearTimeout(slot.idle);
      slot.current = pending;
      slot.worker.postMessage({ job: pending.job });
    }
  }

  #spawn(): Slot | undefined {
    if (this.#slots.size >= this.#size) return undefined;
    this.#hashWasm ??= createRequire(import.meta.url).resolve('hash-wasm');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { hashWasm: this.#hashWasm } });
    worker.unref();
    const slot: Slot = { worker };
    worker.on('message', (reply: { hash?: Uint8Array; error?: string }) => {
      const pending = slot.current;
      slot.current = undefined;
      if (reply.hash !== undefined) pending?.resolve(Buffer.from(reply.hash));
      else pending?.reject(new Error(`argon2: ${reply.error ?? 'no result'}`));
      slot.idle = setTimeout(() => this.#retire(slot), IDLE_MS).unref();
      this.#dispatch();
    });
    // A worker that dies takes only its own job with it; the next job gets a fresh worker.
    const fail = (error: Error): void => {
      this.#slots.delete(slot);
      clearTimeout(slot.idle);
      slot.current?.reject(error);
      slot.current = undefined;
      this.#dispatch();
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`argon2 worker exited (${code})`)));
    this.#slots.add(slot);
    return slot;
  }

  #retire(slot: Slot): void {
    if (slot.current !== undefined || !this.#slots.delete(slot)) return;
    void slot.worker.terminate();
  }
}
