import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Storage } from '../types.js';
import { GroupCommit } from './group-commit.js';
import { SqliteRetainedStore } from './retained-store.js';
import { SCHEMA, SCHEMA_VERSION } from './schema.js';
import { SqliteSessionStore } from './session-store.js';

export interface SqliteStorageOptions {
  /** The database file; its directory is created when missing. */
  file: string;
  /**
   * 'full': every group commit is fsync'd before anything it covers is acknowledged; survives power loss.
   * 'normal': commits reach the OS but are not fsync'd each time; survives a crash of Midge (kill -9), but a
   * power loss or kernel crash can lose the last acknowledged messages. Faster.
   */
  sync: 'full' | 'normal';
  /** Longest a write waits for its group commit, ms. */
  commitDelayMs?: number;
  /** Writes that make a batch commit at once. */
  commitMaxWrites?: number;
  /** Told once when a write fails; the storage refuses to confirm anything afterwards. */
  onFailure(error: Error): void;
  /** Told after each group commit: its duration in seconds and its number of writes (metrics). */
  onCommit?(seconds: number, writes: number): void;
  now?: number;
}

/** Opens (or creates) the database. better-sqlite3 is loaded here, only when SQLite storage is configured. */
export async function openSqliteStorage(options: SqliteStorageOptions): Promise<Storage> {
  const { default: Database } = await import('better-sqlite3');
  mkdirSync(dirname(options.file), { recursive: true });
  // A lock held by another process makes a write wait this long, then fail (and the storage with it).
  const db = new Database(options.file, { timeout: 1000 });
  try {
    db.pragma('journal_mode = WAL');
    // FULL syncs the WAL on every commit; NORMAL only at checkpoints (safe against a process crash).
    db.pragma(`synchronous = ${options.sync === 'full' ? 'FULL' : 'NORMAL'}`);
    db.exec(SCHEMA);
    const version = db.prepare("SELECT value FROM meta WHERE key = 'schema'").pluck().get() as
      string | undefined;
    if (version === undefined) {
      db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
    } else if (Number(version) !== SCHEMA_VERSION) {
      throw new Error(
        `MIDGE_STORE_SCHEMA: ${options.file} has schema version ${version}; this Midge reads version ${SCHEMA_VERSION}`,
      );
    }
  } catch (error) {
    db.close();
    throw error;
  }
  const commit = new GroupCommit(db, {
    delayMs: options.commitDelayMs ?? 2,
    maxWrites: options.commitMaxWrites ?? 4000,
    onFailure: options.onFailure,
    onCommit: options.onCommit,
  });
  const now = options.now ?? Date.now();
  const sessions = new SqliteSessionStore(db, commit);
  const retained = new SqliteRetainedStore(db, commit, now);
  return {
    sessions,
    retained,
    description: `SQLite ${options.file} (WAL, synchronous=${options.sync === 'full' ? "FULL: every group commit fsync'd" : "NORMAL: not fsync'd per commit, survives a crash of Midge but not a power loss"})`,
    get pending() {
      return commit.pending;
    },
    flush: () => commit.flush(),
    close: async () => {
      commit.commit();
      db.close();
    },
  };
}
