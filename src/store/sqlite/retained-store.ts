import type { Database, Statement } from 'better-sqlite3';
import type { Message } from '../../router/types.js';
import type { RetainedStore } from '../types.js';
import { MemoryRetainedStore } from '../memory/retained.js';
import { expiresAt, pack, rowToMessage, type MessageRow } from './codec.js';
import type { GroupCommit } from './group-commit.js';

/**
 * Retained messages: matched from memory (the same index the memory store uses), written through to SQLite
 * in the group commit of the PUBLISH that set them, so the publisher's acknowledgement covers them.
 */
export class SqliteRetainedStore implements RetainedStore {
  readonly #index = new MemoryRetainedStore();
  readonly #commit: GroupCommit;
  readonly #put: Statement;
  readonly #delete: Statement;

  constructor(db: Database, commit: GroupCommit, now: number) {
    this.#commit = commit;
    this.#put = db.prepare(
      'INSERT OR REPLACE INTO retained (topic, payload, qos, properties, origin, received_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#delete = db.prepare('DELETE FROM retained WHERE topic = ?');
    // [MQTT-3.3.2-5] a retained message whose expiry passed while the broker was down is gone.
    db.prepare('DELETE FROM retained WHERE expires_at IS NOT NULL AND expires_at <= ?').run(now);
    for (const row of db.prepare('SELECT * FROM retained').all() as MessageRow[]) {
      this.#index.set(row.topic, rowToMessage(row, true));
    }
  }

  get size(): number {
    return this.#index.size;
  }

  set(topic: string, message: Message | null): void {
    this.#index.set(topic, message);
    const stored = message === null || message.payload.length === 0 ? null : message;
    this.#commit.write(() => {
      if (stored === null) this.#delete.run(topic);
      else
        this.#put.run(
          topic,
          stored.payload,
          stored.qos,
          pack(stored.properties),
          stored.origin ?? null,
          stored.receivedAt,
          expiresAt(stored),
        );
    });
  }

  match(filter: string): Message[] {
    return this.#index.match(filter);
  }
}
