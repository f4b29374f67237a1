// Retained messages shared by every node through Redis. Each node matches from its own copy in memory (the
// index the memory store uses), so SUBSCRIBE never waits for Redis; writes go through the batch of the
// PUBLISH that made them (the publisher's acknowledgement covers them), and a change notification on a
// pub/sub channel makes every node's copy follow: a topic set or cleared on one node is set or cleared on all.
import type { Message } from '../../router/types.js';
import type { RetainedStore } from '../types.js';
import { MemoryRetainedStore } from '../memory/retained.js';
import type { RedisClient } from './connect.js';
import { expired, packMessage, RETAINED_BUCKETS, unpackMessage, type RedisKeys } from './keys.js';
import type { Batch, BatchSource, RedisWriter } from './writer.js';

/**
 * A notification: node id, then the topic and the packed message (or nothing: cleared). Each node applies
 * every notification in the order Redis delivers it, its own included, so concurrent sets of one topic on
 * two nodes end the same everywhere: as Redis ordered them (one topic is one hash, so one Redis master).
 */
interface Change {
  topic: string;
  message: Buffer | null;
}

export class RedisRetainedStore implements RetainedStore, BatchSource {
  #index = new MemoryRetainedStore();
  readonly #keys: RedisKeys;
  readonly #writer: RedisWriter;
  /** Changes for the next batch, last one per topic. */
  #pending = new Map<string, Buffer | null>();
  /** Changes in the batch in flight: written again if it fails (unless changed since). */
  #sent = new Map<string, Buffer | null>();

  private constructor(keys: RedisKeys, writer: RedisWriter) {
    this.#keys = keys;
    this.#writer = writer;
    writer.register(this);
  }

  /** Loads every retained message and follows the changes other nodes make from then on. */
  static async open(
    client: RedisClient,
    subscriber: RedisClient,
    keys: RedisKeys,
    writer: RedisWriter,
  ): Promise<RedisRetainedStore> {
    const store = new RedisRetainedStore(keys, writer);
    const channel = keys.retainedChannel();
    subscriber.on('messageBuffer', (from: Buffer, body: Buffer) => {
      if (from.toString() === channel) store.#apply(body);
    });
    await subscriber.subscribe(channel);
    // The subscriber is connected already: a later 'ready' is a reconnection. Changes missed while it was down
    // (Redis restarted, network) are read again in full.
    subscriber.on('ready', () => {
      void store.reload(client).catch(() => undefined);
    });
    await store.reload(client);
    return store;
  }

  /** Replaces the copy in memory with what Redis holds now; drops (and deletes) expired messages. */
  async reload(client: RedisClient): Promise<void> {
    const now = Date.now();
    const index = new MemoryRetainedStore();
    for (let bucket = 0; bucket < RETAINED_BUCKETS; bucket++) {
      const key = this.#keys.retained(bucket);
      const stored = await client.hgetallBuffer(key);
      const gone: string[] = [];
      for (const [topic, value] of Object.entries(stored)) {
        const { message } = unpackMessage(value);
        if (expired(message, now)) gone.push(topic);
        else index.set(topic, { ...message, retain: true });
      }
      if (gone.length > 0) await client.hdel(key, ...gone);
    }
    // What this node set meanwhile and has not yet written stays as set.
    for (const [topic, value] of [...this.#sent, ...this.#pending])
      index.set(topic, value === null ? null : unpackMessage(value).message);
    this.#index = index;
  }

  get size(): number {
    return this.#index.size;
  }

  set(topic: string, message: Message | null): void {
    this.#index.set(topic, message);
    // [MQTT-3.3.1-10][MQTT-3.3.1-11] null and an empty payload clear the topic. Packed now: the payload may
    // be a view into a socket buffer that is reused after this call.
    const clear = message === null || message.payload.length === 0 || expired(message, Date.now());
    this.#pending.set(topic, clear ? null : packMessage({ ...message, retain: true }));
    this.#writer.touch();
  }

  match(filter: string): Message[] {
    return this.#index.match(filter);
  }

  collect(batch: Batch): void {
    const channel = this.#keys.retainedChannel();
    for (const [topic, value] of this.#pending) {
      const tag = this.#keys.retainedTag(topic);
      const key = this.#keys.retainedOf(topic);
      if (value === null) batch.add(tag, ['hdel', key, topic]);
      else batch.add(tag, ['hset', key, topic, value]);
      batch.add(tag, ['publish', channel, encodeChange({ topic, message: value })]);
    }
    this.#sent = this.#pending;
    this.#pending = new Map();
  }

  settled(error: Error | undefined): void {
    if (error !== undefined) {
      for (const [topic, value] of this.#sent) if (!this.#pending.has(topic)) this.#pending.set(topic, value);
      if (this.#pending.size > 0) this.#writer.touch();
    }
    this.#sent = new Map();
  }

  #apply(body: Buffer): void {
    const change = decodeChange(body);
    if (change === undefined) return;
    // A change this node has not yet sent is newer than anything Redis reports now. One in flight is not
    // skipped: its own notification comes after every change Redis ordered before it, and settles the topic.
    if (this.#pending.has(change.topic)) return;
    this.#index.set(change.topic, change.message === null ? null : unpackMessage(change.message).message);
  }
}

/** topic length (4 bytes), topic, packed message (absent: cleared). */
function encodeChange(change: Change): Buffer {
  const topic = Buffer.from(change.topic);
  const head = Buffer.allocUnsafe(4);
  head.writeUInt32BE(topic.length, 0);
  return Buffer.concat(change.message === null ? [head, topic] : [head, topic, change.message]);
}

function decodeChange(body: Buffer): Change | undefined {
  if (body.length < 4) return undefined;
  const length = body.readUInt32BE(0);
  if (body.length < 4 + length) return undefined;
  const topic = body.toString('utf8', 4, 4 + length);
  const rest = body.subarray(4 + length);
  return { topic, message: rest.length === 0 ? null : rest };
}
