// Batched writes to Redis: the Redis counterpart of the SQLite group commit. Stores record their changes
// synchronously; the writer collects them and sends one batch per turn of the event loop, and flush() settles
// once Redis has acknowledged every write made before it. One batch is in flight at a time, so batches apply
// in order and a batch grows while the previous one travels (under load: many messages per round trip).
import type { RedisClient } from './connect.js';

/** A Redis command: name, then its arguments (the first one a key whose hash tag places it). */
export type Command = [string, ...(string | Buffer | number)[]];

export interface Batch {
  /**
   * Adds a command to the group of `tag` (a hash tag: every key of one group lives in one Redis Cluster slot,
   * and one group's commands run as one MULTI). `last` commands go only after every other command of the
   * batch was acknowledged: a QoS 2 packet id must not be stored without the messages it stands for.
   */
  add(tag: string, command: Command, last?: boolean): void;
}

/** A store that writes through the writer: it adds its changes when a batch is collected. */
export interface BatchSource {
  collect(batch: Batch): void;
  /** The batch that carried what `collect` added is acknowledged (error undefined) or failed. */
  settled(error: Error | undefined): void;
}

interface Waiter {
  promise: Promise<void>;
  resolve(): void;
  reject(error: Error): void;
}

function waiter(): Waiter {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  // A batch nobody waits for may fail: its sources resynchronise, nothing is left unhandled.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

class CollectedBatch implements Batch {
  readonly groups = new Map<string, Command[]>();
  readonly last = new Map<string, Command[]>();
  count = 0;

  add(tag: string, command: Command, last = false): void {
    const groups = last ? this.last : this.groups;
    let group = groups.get(tag);
    if (group === undefined) groups.set(tag, (group = []));
    group.push(command);
    this.count++;
  }
}

export interface WriterOptions {
  /** Told once per failed batch (Redis unreachable, a command refused). */
  onFailure?(error: Error): void;
  /** Told after each acknowledged batch: seconds it took and its number of commands (metrics, benchmarks). */
  onCommit?(seconds: number, commands: number): void;
}

export class RedisWriter {
  readonly #client: RedisClient;
  readonly #options: WriterOptions;
  readonly #sources: BatchSource[] = [];
  /** Some source has changes for the next batch. */
  #dirty = false;
  #scheduled = false;
  #inFlight: Promise<void> | undefined;
  /** Settles with the next batch (the one being collected). */
  #next: Waiter | undefined;
  #closed = false;

  constructor(client: RedisClient, options: WriterOptions = {}) {
    this.#client = client;
    this.#options = options;
  }

  register(source: BatchSource): void {
    this.#sources.push(source);
  }

  /** A source has changes: a batch goes out on the next turn (or when the one in flight is back). */
  touch(): void {
    this.#dirty = true;
    if (this.#scheduled || this.#inFlight !== undefined || this.#closed) return;
    this.#scheduled = true;
    setImmediate(this.#send);
  }

  get pending(): boolean {
    return this.#dirty || this.#inFlight !== undefined;
  }

  flush(): Promise<void> {
    if (this.#dirty) return (this.#next ??= waiter()).promise;
    return this.#inFlight ?? Promise.resolve();
  }

  /**
   * Sends what is pending, waits for it, and refuses later writes. Bounded: once a batch fails here (Redis
   * away at shutdown) the rest is given up; it was never acknowledged to anyone.
   */
  async close(): Promise<void> {
    this.#closed = true;
    while (this.pending) {
      if (this.#inFlight === undefined) this.#send();
      const failed = await this.#inFlight?.then(
        () => false,
        () => true,
      );
      if (failed === true) return;
    }
  }

  readonly #send = (): void => {
    this.#scheduled = false;
    if (!this.#dirty || this.#inFlight !== undefined) return;
    this.#dirty = false;
    const batch = new CollectedBatch();
    for (const source of this.#sources) source.collect(batch);
    const done = this.#next ?? waiter();
    this.#next = undefined;
    const started = performance.now();
    this.#inFlight = done.promise;
    void this.#execute(batch).then(
      () => this.#finish(batch, done, undefined, started),
      (error: unknown) =>
        this.#finish(batch, done, error instanceof Error ? error : new Error(String(error)), started),
    );
  };

  #finish(batch: CollectedBatch, done: Waiter, error: Error | undefined, started: number): void {
    this.#inFlight = undefined;
    for (const source of this.#sources) source.settled(error);
    if (error === undefined) {
      this.#options.onCommit?.((performance.now() - started) / 1000, batch.count);
      done.resolve();
    } else {
      this.#options.onFailure?.(error);
      done.reject(error);
    }
    if (this.#dirty && !this.#closed) this.touch();
  }

  async #execute(batch: CollectedBatch): Promise<void> {
    if (!this.#client.isCluster) {
      // One MULTI holds both phases: all of it applies or none, so no second round trip is needed.
      for (const [tag, commands] of batch.last) {
        const group = batch.groups.get(tag);
        if (group === undefined) batch.groups.set(tag, commands);
        else group.push(...commands);
      }
      await this.#run(batch.groups);
      return;
    }
    await this.#run(batch.groups);
    await this.#run(batch.last);
  }

  /**
   * Standalone Redis: the whole phase is one MULTI (atomic: a crash of Midge keeps all of it or none).
   * Redis Cluster: one MULTI per hash tag, all sent at once; atomic per session, not across sessions.
   */
  async #run(groups: Map<string, Command[]>): Promise<void> {
    if (groups.size === 0) return;
    const client = this.#client;
    if (!client.isCluster) {
      await exec(client.multi([...groups.values()].flat()));
      return;
    }
    await Promise.all([...groups.values()].map((commands) => exec(client.multi(commands))));
  }
}

async function exec(transaction: ReturnType<RedisClient['multi']>): Promise<void> {
  const replies = await transaction.exec();
  if (replies === null) throw new Error('MIDGE_REDIS_WRITE: transaction aborted');
  for (const [error] of replies) if (error !== null) throw error;
}
