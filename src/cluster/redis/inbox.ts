// The receiving side: one blocking XREAD loop on this node's own stream, many entries (batches) per read.
// Batches carry their writer's instance and sequence number: a batch seen already (a write that was retried
// after it had in fact landed) is skipped, so a message crosses at most once (QoS 2 stays exactly once).
import { decodeBatch, type Batch } from '../wire.js';
import type { RedisConnection } from './connection.js';

const ENTRIES_PER_READ = '256';
const BLOCK_MS = '2000';
const RETRY_MS = 200;
/** Read entries are trimmed away every this many reads (the writers' MAXLEN bounds the stream too). */
const TRIM_EVERY = 64;

export interface InboxEvents {
  batch(batch: Batch): void;
  duplicate(batch: Batch): void;
  failed(error: Error): void;
}

type XReadReply = Array<[Buffer, Array<[Buffer, Buffer[]]>]> | null;

export class Inbox {
  readonly #redis: RedisConnection;
  readonly #key: string;
  readonly #events: InboxEvents;
  /** Highest sequence number read from each writer instance. */
  readonly #seen = new Map<string, number>();
  #lastId = '0-0';
  #reads = 0;
  #stopped = false;
  #loop: Promise<void> | undefined;

  constructor(redis: RedisConnection, key: string, events: InboxEvents) {
    this.#redis = redis;
    this.#key = key;
    this.#events = events;
  }

  start(): void {
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#redis.disconnect();
    await this.#loop;
  }

  async #run(): Promise<void> {
    while (!this.#stopped) {
      let reply: XReadReply;
      try {
        reply = (await this.#redis.xreadBuffer(
          'COUNT',
          ENTRIES_PER_READ,
          'BLOCK',
          BLOCK_MS,
          'STREAMS',
          this.#key,
          this.#lastId,
        )) as XReadReply;
      } catch (error) {
        if (this.#stopped) return;
        this.#events.failed(error as Error);
        await new Promise((ok) => setTimeout(ok, RETRY_MS));
        continue;
      }
      if (reply === null) continue;
      for (const [, entries] of reply) {
        for (const [id, fields] of entries) {
          this.#lastId = id.toString();
          const value = fields[1];
          if (value !== undefined) this.#take(value);
        }
      }
      if (++this.#reads % TRIM_EVERY === 0) {
        this.#redis.xtrim(this.#key, 'MINID', this.#lastId).catch(() => undefined);
      }
    }
  }

  #take(bytes: Buffer): void {
    let batch: Batch;
    try {
      batch = decodeBatch(bytes);
    } catch (error) {
      this.#events.failed(error as Error);
      return;
    }
    const last = this.#seen.get(batch.instance) ?? 0;
    if (batch.seq <= last) {
      this.#events.duplicate(batch);
      return;
    }
    this.#seen.set(batch.instance, batch.seq);
    this.#events.batch(batch);
  }
}
