import type { Database } from 'better-sqlite3';

export interface GroupCommitOptions {
  /** Longest a write waits for its commit when writes are few. */
  delayMs: number;
  /** A batch this large commits on the next turn of the event loop instead of waiting for the delay. */
  maxWrites: number;
  /** Called once, when a write or commit fails: the storage is failed from then on. */
  onFailure(error: Error): void;
  /** Told after each commit how long it took (seconds) and how many writes it carried (metrics). */
  onCommit?(seconds: number, writes: number): void;
}

/** Writes a store holds back until the commit (so that a row added and removed in one batch costs nothing). */
export interface DeferredWrites {
  /** Runs inside the transaction, just before COMMIT. */
  beforeCommit(): void;
}

/**
 * Group commit: the first write opens a transaction, later writes join it, and it commits a few milliseconds
 * later (or sooner when large), so one fsync covers many messages. A commit never happens inside a write:
 * everything one PUBLISH stores (inbound QoS 2 id, every queue row, the retained row) lands in one
 * transaction, so a crash keeps all of it or none of it.
 */
const noop = (): void => undefined;

export class GroupCommit {
  readonly #db: Database;
  readonly #options: GroupCommitOptions;
  readonly #begin;
  readonly #commit;
  #writes = 0;
  #timer: NodeJS.Timeout | undefined;
  #immediate: NodeJS.Immediate | undefined;
  #failure: Error | undefined;
  readonly #deferred: DeferredWrites[] = [];
  /** The promise of the open batch, made only when someone waits for it. */
  #batch: { promise: Promise<void>; resolve(): void; reject(error: Error): void } | undefined;

  constructor(db: Database, options: GroupCommitOptions) {
    this.#db = db;
    this.#options = options;
    this.#begin = db.prepare('BEGIN');
    this.#commit = db.prepare('COMMIT');
  }

  /** Also true once failed: a failed storage never lets an acknowledgement through. */
  get pending(): boolean {
    return this.#writes > 0 || this.#failure !== undefined;
  }

  defer(writes: DeferredWrites): void {
    this.#deferred.push(writes);
  }

  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /**
   * Runs one write inside the open batch. A failed storage refuses writes (the caller's state is then ahead
   * of the disk, which is why nothing is acknowledged any more).
   */
  write(run: () => unknown): void {
    if (this.#failure !== undefined) return;
    try {
      if (this.#writes === 0) {
        this.#begin.run();
        this.#timer = setTimeout(this.#commitNow, this.#options.delayMs);
      }
      this.#writes++;
      run();
    } catch (error) {
      this.#fail(error);
      return;
    }
    if (this.#writes === this.#options.maxWrites) this.#immediate = setImmediate(this.#commitNow);
  }

  /** Joins the open batch (opening one) for a write that a DeferredWrites will make at commit time. */
  touch(): void {
    this.write(noop);
  }

  flush(): Promise<void> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    if (this.#writes === 0) return Promise.resolve();
    if (this.#batch === undefined) {
      let resolve!: () => void;
      let reject!: (error: Error) => void;
      const promise = new Promise<void>((ok, fail) => {
        resolve = ok;
        reject = fail;
      });
      this.#batch = { promise, resolve, reject };
    }
    return this.#batch.promise;
  }

  /** Commits now (shutdown). */
  commit(): void {
    this.#commitNow();
  }

  readonly #commitNow = (): void => {
    clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    this.#timer = undefined;
    this.#immediate = undefined;
    if (this.#writes === 0 || this.#failure !== undefined) return;
    const batch = this.#batch;
    const writes = this.#writes;
    this.#batch = undefined;
    this.#writes = 0;
    const started = performance.now();
    try {
      for (const deferred of this.#deferred) deferred.beforeCommit();
      this.#commit.run();
    } catch (error) {
      this.#fail(error, batch);
      return;
    }
    this.#options.onCommit?.((performance.now() - started) / 1000, writes);
    batch?.resolve();
  };

  #fail(error: unknown, batch = this.#batch): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.#failure = failure;
    this.#batch = undefined;
    clearTimeout(this.#timer);
    if (this.#immediate !== undefined) clearImmediate(this.#immediate);
    try {
      if (this.#db.inTransaction) this.#db.exec('ROLLBACK');
    } catch {
      // The write already failed; the rollback's own error adds nothing the first one did not say.
    }
    batch?.reject(failure);
    this.#options.onFailure(failure);
  }
}
