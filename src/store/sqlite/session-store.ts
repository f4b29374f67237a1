import type { Database, Statement } from 'better-sqlite3';
import type { QoS, Will } from '../../protocol/types.js';
import type { Message, SubscriptionOptions } from '../../router/types.js';
import type { SessionRecord, SessionStore, StoredOutgoing, StoredSession } from '../types.js';
import { expiresAt, pack, rowToMessage, unpack, type MessageRow } from './codec.js';
import type { DeferredWrites, GroupCommit } from './group-commit.js';

interface SessionRow {
  client_id: string;
  expiry_interval: number;
  expires_at: number | null;
  will: Buffer | null;
  will_at: number | null;
}

interface OutgoingRow extends MessageRow {
  seq: number;
  client_id: string;
  message_id: number;
  out_qos: number;
  out_retain: number;
  subscription_ids: Buffer | null;
  packet_id: number | null;
  released: number;
  expires_at: number | null;
}

interface MessageRef {
  count: number;
  readonly message: Message;
  /** The messages row exists (or is being written in the open batch). */
  written: boolean;
}

interface PendingOutgoing {
  readonly clientId: string;
  readonly messageId: number;
  readonly entry: Omit<StoredOutgoing, 'seq' | 'released'>;
  packetId: number | undefined;
  released: boolean;
}

/**
 * Sessions in SQLite. A message routed to many sessions is written once: the store remembers which row each
 * Message object became (while any session still holds it) and counts its references, so the row goes when
 * the last session is done with it. New outgoing rows wait for the commit: one acknowledged (or dropped)
 * within the same batch, as online subscribers' messages usually are, is never written at all.
 */
export class SqliteSessionStore implements SessionStore, DeferredWrites {
  readonly #db: Database;
  readonly #commit: GroupCommit;
  readonly #sql: Record<string, Statement>;
  readonly #rowOf = new WeakMap<Message, number>();
  readonly #refs = new Map<number, MessageRef>();
  /** Outgoing rows of the open batch, in seq order, written at commit. */
  readonly #pending = new Map<number, PendingOutgoing>();
  /** outgoing seq → message row id, and each session's seqs, for deletes without reading the disk. */
  readonly #messageOf = new Map<number, number>();
  readonly #seqsOf = new Map<string, Set<number>>();
  #nextSeq = 1;
  #nextMessageId = 1;

  constructor(db: Database, commit: GroupCommit) {
    this.#db = db;
    this.#commit = commit;
    commit.defer(this);
    const s = (sql: string): Statement => db.prepare(sql);
    this.#sql = {
      putSession: s(
        'INSERT OR REPLACE INTO sessions (client_id, expiry_interval, expires_at, will, will_at) VALUES (?, ?, ?, ?, ?)',
      ),
      deleteSession: s('DELETE FROM sessions WHERE client_id = ?'),
      deleteSubscriptions: s('DELETE FROM subscriptions WHERE client_id = ?'),
      deleteInboundOf: s('DELETE FROM inbound WHERE client_id = ?'),
      putSubscription: s(
        'INSERT OR REPLACE INTO subscriptions (client_id, filter, options) VALUES (?, ?, ?)',
      ),
      deleteSubscription: s('DELETE FROM subscriptions WHERE client_id = ? AND filter = ?'),
      addMessage: s(
        'INSERT INTO messages (id, topic, payload, qos, retain, properties, origin, received_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      deleteMessage: s('DELETE FROM messages WHERE id = ?'),
      addOutgoing: s(
        'INSERT INTO outgoing (seq, client_id, message_id, qos, retain, subscription_ids, packet_id) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ),
      updateOutgoing: s('UPDATE outgoing SET packet_id = ?, released = ? WHERE seq = ?'),
      deleteOutgoing: s('DELETE FROM outgoing WHERE seq = ?'),
      addInbound: s('INSERT OR IGNORE INTO inbound (client_id, packet_id) VALUES (?, ?)'),
      deleteInbound: s('DELETE FROM inbound WHERE client_id = ? AND packet_id = ?'),
    };
  }

  load(now: number): StoredSession[] {
    const db = this.#db;
    db.transaction(() => {
      const expired = db
        .prepare('SELECT client_id FROM sessions WHERE expires_at IS NOT NULL AND expires_at <= ?')
        .pluck()
        .all(now) as string[];
      // Their outgoing rows go with the sweep of rows without a session below.
      for (const clientId of expired) this.#deleteRows(clientId);
      db.prepare(
        'DELETE FROM outgoing WHERE message_id IN (SELECT id FROM messages WHERE expires_at IS NOT NULL AND expires_at <= ?)',
      ).run(now);
      db.prepare('DELETE FROM outgoing WHERE client_id NOT IN (SELECT client_id FROM sessions)').run();
      db.prepare('DELETE FROM messages WHERE id NOT IN (SELECT message_id FROM outgoing)').run();
    })();

    const sessions = new Map<string, StoredSession>();
    for (const row of db.prepare('SELECT * FROM sessions').all() as SessionRow[]) {
      const record: StoredSession = {
        clientId: row.client_id,
        expiryInterval: row.expiry_interval,
        expiresAt: row.expires_at ?? undefined,
        will: unpack<Will>(row.will),
        willAt: row.will_at ?? undefined,
        subscriptions: new Map(),
        outgoing: [],
        inboundQos2: [],
      };
      sessions.set(row.client_id, record);
    }
    const subscriptions = db.prepare('SELECT client_id, filter, options FROM subscriptions').all() as {
      client_id: string;
      filter: string;
      options: Buffer;
    }[];
    for (const row of subscriptions) {
      const session = sessions.get(row.client_id);
      const options = unpack<SubscriptionOptions>(row.options);
      if (session !== undefined && options !== undefined)
        (session.subscriptions as Map<string, SubscriptionOptions>).set(row.filter, options);
    }
    for (const row of db.prepare('SELECT client_id, packet_id FROM inbound').all() as {
      client_id: string;
      packet_id: number;
    }[]) {
      sessions.get(row.client_id)?.inboundQos2.push(row.packet_id);
    }
    this.#loadOutgoing(sessions);
    return [...sessions.values()];
  }

  #loadOutgoing(sessions: Map<string, StoredSession>): void {
    const rows = this.#db
      .prepare(
        `SELECT o.seq, o.client_id, o.message_id, o.qos AS out_qos, o.retain AS out_retain, o.subscription_ids,
           o.packet_id, o.released, m.topic, m.payload, m.qos, m.retain, m.properties, m.origin, m.received_at,
           m.expires_at
         FROM outgoing o JOIN messages m ON m.id = o.message_id ORDER BY o.seq`,
      )
      .all() as OutgoingRow[];
    for (const row of rows) {
      let ref = this.#refs.get(row.message_id);
      if (ref === undefined) {
        ref = { count: 0, message: rowToMessage(row, row.retain === 1), written: true };
        this.#refs.set(row.message_id, ref);
        this.#rowOf.set(ref.message, row.message_id);
      }
      ref.count++;
      this.#track(row.client_id, row.seq, row.message_id);
      sessions.get(row.client_id)?.outgoing.push({
        seq: row.seq,
        message: ref.message,
        qos: row.out_qos as QoS,
        retain: row.out_retain === 1,
        subscriptionIds: unpack<number[]>(row.subscription_ids),
        packetId: row.packet_id ?? undefined,
        released: row.released === 1,
      });
      if (row.seq >= this.#nextSeq) this.#nextSeq = row.seq + 1;
      if (row.message_id >= this.#nextMessageId) this.#nextMessageId = row.message_id + 1;
    }
  }

  putSession(clientId: string, record: SessionRecord): void {
    this.#commit.write(() =>
      this.#sql.putSession!.run(
        clientId,
        record.expiryInterval,
        record.expiresAt ?? null,
        pack(record.will),
        record.willAt ?? null,
      ),
    );
  }

  deleteSession(clientId: string): void {
    const seqs = this.#seqsOf.get(clientId);
    this.#seqsOf.delete(clientId);
    this.#commit.write(() => {
      this.#deleteRows(clientId);
      // By primary key: the store knows the session's seqs, and no index by client costs every insert.
      if (seqs !== undefined)
        for (const seq of seqs) {
          if (!this.#pending.delete(seq)) this.#sql.deleteOutgoing!.run(seq);
          this.#release(seq);
        }
    });
  }

  #deleteRows(clientId: string): void {
    const sql = this.#sql;
    sql.deleteSession!.run(clientId);
    sql.deleteSubscriptions!.run(clientId);
    sql.deleteInboundOf!.run(clientId);
  }

  putSubscription(clientId: string, filter: string, options: SubscriptionOptions): void {
    this.#commit.write(() => this.#sql.putSubscription!.run(clientId, filter, pack(options)));
  }

  deleteSubscription(clientId: string, filter: string): void {
    this.#commit.write(() => this.#sql.deleteSubscription!.run(clientId, filter));
  }

  addOutgoing(clientId: string, entry: Omit<StoredOutgoing, 'seq' | 'released'>): number {
    const seq = this.#nextSeq++;
    const message = entry.message;
    let messageId = this.#rowOf.get(message);
    if (messageId === undefined) {
      messageId = this.#nextMessageId++;
      this.#rowOf.set(message, messageId);
      this.#refs.set(messageId, { count: 0, message, written: false });
    }
    (this.#refs.get(messageId) as MessageRef).count++;
    this.#track(clientId, seq, messageId);
    this.#pending.set(seq, { clientId, messageId, entry, packetId: entry.packetId, released: false });
    this.#commit.touch();
    return seq;
  }

  updateOutgoing(_clientId: string, seq: number, packetId: number, released: boolean): void {
    const pending = this.#pending.get(seq);
    if (pending !== undefined) {
      pending.packetId = packetId;
      pending.released = released;
      this.#commit.touch();
      return;
    }
    this.#commit.write(() => this.#sql.updateOutgoing!.run(packetId, released ? 1 : 0, seq));
  }

  deleteOutgoing(clientId: string, seq: number): void {
    this.#seqsOf.get(clientId)?.delete(seq);
    if (this.#pending.delete(seq)) {
      this.#release(seq);
      return;
    }
    this.#commit.write(() => {
      this.#sql.deleteOutgoing!.run(seq);
      this.#release(seq);
    });
  }

  /** Writes the outgoing rows (and their messages) that are still wanted at commit time. */
  beforeCommit(): void {
    const sql = this.#sql;
    for (const [seq, pending] of this.#pending) {
      const ref = this.#refs.get(pending.messageId) as MessageRef;
      if (!ref.written) {
        const message = ref.message;
        sql.addMessage!.run(
          pending.messageId,
          message.topic,
          message.payload,
          message.qos,
          message.retain ? 1 : 0,
          pack(message.properties),
          message.origin ?? null,
          message.receivedAt,
          expiresAt(message),
        );
        ref.written = true;
      }
      const { entry } = pending;
      sql.addOutgoing!.run(
        seq,
        pending.clientId,
        pending.messageId,
        entry.qos,
        entry.retain ? 1 : 0,
        pack(entry.subscriptionIds),
        pending.packetId ?? null,
      );
      if (pending.released) sql.updateOutgoing!.run(pending.packetId, 1, seq);
    }
    this.#pending.clear();
  }

  addInbound(clientId: string, packetId: number): void {
    this.#commit.write(() => this.#sql.addInbound!.run(clientId, packetId));
  }

  deleteInbound(clientId: string, packetId: number): void {
    this.#commit.write(() => this.#sql.deleteInbound!.run(clientId, packetId));
  }

  #track(clientId: string, seq: number, messageId: number): void {
    this.#messageOf.set(seq, messageId);
    let seqs = this.#seqsOf.get(clientId);
    if (seqs === undefined) this.#seqsOf.set(clientId, (seqs = new Set()));
    seqs.add(seq);
  }

  /** One reference fewer to the seq's message; the message row goes with the last one. */
  #release(seq: number): void {
    const id = this.#messageOf.get(seq);
    if (id === undefined) return;
    this.#messageOf.delete(seq);
    const ref = this.#refs.get(id);
    if (ref === undefined || --ref.count > 0) return;
    this.#refs.delete(id);
    this.#rowOf.delete(ref.message);
    if (ref.written) this.#commit.write(() => this.#sql.deleteMessage!.run(id));
  }
}
