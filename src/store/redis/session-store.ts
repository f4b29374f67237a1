// Persistent sessions in Redis (`cluster_session_store redis`). The node that holds a session keeps it in
// memory and writes every change through the batch writer; the session is recorded with its owner node, so
// after that node dies another one can read the whole session (loadSession) and resume it: subscriptions,
// queued and in-flight messages, inbound QoS 2 ids, will. Changes are recorded as "what changed" per
// session and written from the current state at collect time: a message queued and acknowledged within one
// batch is never written, repeated changes cost one write, and a failed batch is simply written again.
import type { Message, SubscriptionOptions } from '../../router/types.js';
import type { SessionRecord, SessionStore, StoredOutgoing, StoredSession } from '../types.js';
import type { RedisClient } from './connect.js';
import { expired, pack, packMessage, type RedisKeys } from './keys.js';
import { flightState, packRecord, readSession, type HeldSession } from './session-read.js';
import type { Batch, BatchSource, RedisWriter } from './writer.js';

/** What changed in one session since the last batch. */
interface Changes {
  /** Every key of the session is deleted first (then what exists now is written). */
  deleted: boolean;
  record: boolean;
  readonly subscriptions: Set<string>;
  /** Outgoing entries added or deleted. */
  readonly outgoing: Set<number>;
  /** Entries added in this batch: deleted again before it goes, they need no write at all. */
  readonly added: Set<number>;
  /** In-flight state changed (packet id, PUBREC). */
  readonly flight: Set<number>;
  readonly inbound: Set<number>;
}

const noChanges = (): Changes => ({
  deleted: false,
  record: false,
  subscriptions: new Set(),
  outgoing: new Set(),
  added: new Set(),
  flight: new Set(),
  inbound: new Set(),
});

export class RedisSessionStore implements SessionStore, BatchSource {
  readonly #client: RedisClient;
  readonly #keys: RedisKeys;
  readonly #writer: RedisWriter;
  readonly #nodeId: string;
  readonly #held = new Map<string, HeldSession>();
  /** Sessions handed to another node: their end here must not delete them from Redis. */
  readonly #released = new Set<string>();
  #changes = new Map<string, Changes>();
  #sent = new Map<string, Changes>();
  /**
   * Store-wide seq. Starting from the clock (µs) keeps seqs increasing across restarts and across nodes; a
   * session read from Redis also moves it past that session's highest seq [MQTT-4.6.0-1].
   */
  #nextSeq = Date.now() * 1000;

  private constructor(client: RedisClient, keys: RedisKeys, writer: RedisWriter, nodeId: string) {
    this.#client = client;
    this.#keys = keys;
    this.#writer = writer;
    this.#nodeId = nodeId;
    writer.register(this);
  }

  /** Reads the sessions this node held when it stopped (or died): what load() returns. */
  static async open(
    client: RedisClient,
    keys: RedisKeys,
    writer: RedisWriter,
    nodeId: string,
  ): Promise<RedisSessionStore> {
    const store = new RedisSessionStore(client, keys, writer, nodeId);
    for (const clientId of await client.smembers(keys.owned(nodeId))) await store.loadSession(clientId);
    return store;
  }

  get nodeId(): string {
    return this.#nodeId;
  }

  /** Client ids of the sessions a node holds, as recorded in Redis (a dead node's, to adopt them). */
  sessionsOf(nodeId: string): Promise<string[]> {
    return this.#client.smembers(this.#keys.owned(nodeId));
  }

  /**
   * Reads a session from Redis and holds it from now on (this node becomes its owner). For takeover and
   * failover: the previous owner must have stopped writing it (closed the connection, or died).
   */
  async loadSession(clientId: string, now = Date.now()): Promise<StoredSession | undefined> {
    const read = await readSession(this.#client, this.#keys, clientId);
    if (read === undefined) return undefined;
    const { held, owner } = read;
    if (owner !== undefined && owner !== this.#nodeId)
      await this.#client.srem(this.#keys.owned(owner), clientId);
    for (const seq of held.outgoing.keys()) if (seq >= this.#nextSeq) this.#nextSeq = seq + 1;
    this.#released.delete(clientId);
    this.#held.set(clientId, held);
    this.#change(clientId).record = true;
    return this.#loaded(clientId, held, now);
  }

  /**
   * Stops holding a session another node took over, leaving it in Redis: call it before the session ends
   * here. Its end (deleteSession) and any later write for it from this node are then ignored, until this
   * node loads it again or starts a new session under that client id (putSession).
   */
  release(clientId: string): void {
    this.#held.delete(clientId);
    this.#changes.delete(clientId);
    this.#released.add(clientId);
  }

  load(now: number): StoredSession[] {
    const loaded: StoredSession[] = [];
    for (const [clientId, held] of this.#held) {
      const session = this.#loaded(clientId, held, now);
      if (session !== undefined) loaded.push(session);
    }
    return loaded;
  }

  /** [MQTT-3.1.2-23][MQTT-3.3.2-5] an expired session, or expired messages, are deleted instead. */
  #loaded(clientId: string, held: HeldSession, now: number): StoredSession | undefined {
    const { expiresAt } = held.record;
    if (expiresAt !== undefined && expiresAt <= now) {
      this.deleteSession(clientId);
      return undefined;
    }
    for (const [seq, entry] of held.outgoing)
      if (expired(entry.message, now)) this.deleteOutgoing(clientId, seq);
    return {
      clientId,
      ...held.record,
      subscriptions: new Map(held.subscriptions),
      outgoing: [...held.outgoing.values()],
      inboundQos2: [...held.inbound],
    };
  }

  putSession(clientId: string, record: SessionRecord): void {
    const held = this.#held.get(clientId);
    if (held !== undefined) {
      held.record = { ...record };
      this.#change(clientId).record = true;
      return;
    }
    this.#released.delete(clientId);
    this.#held.set(clientId, {
      record: { ...record },
      subscriptions: new Map(),
      outgoing: new Map(),
      inbound: new Set(),
    });
    // A new session: whatever Redis still has under this id (another node's, an old one) goes first.
    const changes = this.#change(clientId);
    changes.deleted = true;
    changes.record = true;
  }

  deleteSession(clientId: string): void {
    if (this.#released.has(clientId)) return;
    this.#held.delete(clientId);
    const changes = noChanges();
    changes.deleted = true;
    this.#changes.set(clientId, changes);
    this.#writer.touch();
  }

  putSubscription(clientId: string, filter: string, options: SubscriptionOptions): void {
    const held = this.#held.get(clientId);
    if (held === undefined) return;
    held.subscriptions.set(filter, options);
    this.#change(clientId).subscriptions.add(filter);
  }

  deleteSubscription(clientId: string, filter: string): void {
    if (this.#held.get(clientId)?.subscriptions.delete(filter) === true)
      this.#change(clientId).subscriptions.add(filter);
  }

  addOutgoing(clientId: string, entry: Omit<StoredOutgoing, 'seq' | 'released'>): number {
    const seq = this.#nextSeq++;
    const held = this.#held.get(clientId);
    if (held === undefined) return seq;
    held.outgoing.set(seq, { ...entry, seq, released: false });
    const changes = this.#change(clientId);
    changes.outgoing.add(seq);
    changes.added.add(seq);
    if (entry.packetId !== undefined) changes.flight.add(seq);
    return seq;
  }

  updateOutgoing(clientId: string, seq: number, packetId: number, released: boolean): void {
    const held = this.#held.get(clientId);
    const entry = held?.outgoing.get(seq);
    if (held === undefined || entry === undefined) return;
    held.outgoing.set(seq, { ...entry, packetId, released });
    this.#change(clientId).flight.add(seq);
  }

  deleteOutgoing(clientId: string, seq: number): void {
    if (this.#held.get(clientId)?.outgoing.delete(seq) !== true) return;
    const changes = this.#change(clientId);
    if (changes.added.delete(seq)) {
      changes.outgoing.delete(seq);
      changes.flight.delete(seq);
      return;
    }
    changes.outgoing.add(seq);
    changes.flight.add(seq);
  }

  addInbound(clientId: string, packetId: number): void {
    this.#held.get(clientId)?.inbound.add(packetId);
    this.#change(clientId).inbound.add(packetId);
  }

  deleteInbound(clientId: string, packetId: number): void {
    this.#held.get(clientId)?.inbound.delete(packetId);
    this.#change(clientId).inbound.add(packetId);
  }

  #change(clientId: string): Changes {
    let changes = this.#changes.get(clientId);
    if (changes === undefined) this.#changes.set(clientId, (changes = noChanges()));
    this.#writer.touch();
    return changes;
  }

  collect(batch: Batch): void {
    for (const [clientId, changes] of this.#changes) this.#write(batch, clientId, changes);
    this.#sent = this.#changes;
    this.#changes = new Map();
  }

  /** A failed batch: what it carried is written again (from the state then current) with the next one. */
  settled(error: Error | undefined): void {
    if (error !== undefined) {
      for (const [clientId, sent] of this.#sent) {
        if (this.#released.has(clientId)) continue;
        const changes = this.#changes.get(clientId);
        if (changes === undefined) {
          sent.added.clear();
          this.#changes.set(clientId, sent);
          continue;
        }
        changes.deleted ||= sent.deleted;
        changes.record ||= sent.record;
        for (const field of ['subscriptions', 'outgoing', 'flight', 'inbound'] as const)
          for (const value of sent[field] as Set<string | number>)
            (changes[field] as Set<string | number>).add(value);
      }
      if (this.#changes.size > 0) this.#writer.touch();
    }
    this.#sent = new Map();
  }

  #write(batch: Batch, clientId: string, changes: Changes): void {
    const keys = this.#keys;
    const tag = keys.sessionTag(clientId);
    const held = this.#held.get(clientId);
    if (changes.deleted) {
      batch.add(tag, ['del', ...keys.sessionKeys(clientId)] as [string, ...string[]]);
      if (held === undefined)
        batch.add(keys.ownerTag(this.#nodeId), ['srem', keys.owned(this.#nodeId), clientId]);
    }
    if (held === undefined) return;
    if (changes.record || changes.deleted) {
      batch.add(tag, [
        'hset',
        keys.session(clientId),
        'record',
        pack(packRecord(held.record)),
        'owner',
        this.#nodeId,
      ]);
      batch.add(keys.ownerTag(this.#nodeId), ['sadd', keys.owned(this.#nodeId), clientId]);
    }
    for (const filter of changes.subscriptions) {
      const options = held.subscriptions.get(filter);
      if (options === undefined) batch.add(tag, ['hdel', keys.subscriptions(clientId), filter]);
      else batch.add(tag, ['hset', keys.subscriptions(clientId), filter, pack(options)]);
    }
    for (const seq of changes.outgoing) {
      const entry = held.outgoing.get(seq);
      if (entry === undefined) batch.add(tag, ['hdel', keys.outgoing(clientId), seq]);
      else batch.add(tag, ['hset', keys.outgoing(clientId), seq, packOutgoing(entry.message, entry)]);
    }
    for (const seq of changes.flight) {
      const entry = held.outgoing.get(seq);
      if (entry?.packetId === undefined) batch.add(tag, ['hdel', keys.inflight(clientId), seq]);
      else
        batch.add(tag, ['hset', keys.inflight(clientId), seq, flightState(entry.packetId, entry.released)]);
    }
    for (const packetId of changes.inbound) {
      // Last: a stored QoS 2 id makes a resent PUBLISH a duplicate, so it must not land before the messages
      // that PUBLISH queued for other sessions (Redis Cluster: other slots, other MULTIs).
      if (held.inbound.has(packetId)) batch.add(tag, ['sadd', keys.inbound(clientId), packetId], true);
      else batch.add(tag, ['srem', keys.inbound(clientId), packetId]);
    }
  }
}

function packOutgoing(message: Message, entry: Omit<StoredOutgoing, 'message'>): Buffer {
  const extra: Record<string, unknown> = { qos: entry.qos, retain: entry.retain };
  if (entry.subscriptionIds !== undefined) extra.subscriptionIds = entry.subscriptionIds;
  return packMessage(message, extra);
}
