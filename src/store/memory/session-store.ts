import type { SubscriptionOptions } from '../../router/types.js';
import type { SessionRecord, SessionStore, StoredOutgoing, StoredSession } from '../types.js';

interface Entry {
  record: SessionRecord;
  subscriptions: Map<string, SubscriptionOptions>;
  outgoing: Map<number, StoredOutgoing>;
  inbound: Set<number>;
}

/**
 * Sessions kept in this process only. A broker without persistence needs no session store at all (its
 * Session objects are the state); this one serves embedding and tests: two brokers that share it in turn
 * see the first one's sessions as a restart would.
 */
export class MemorySessionStore implements SessionStore {
  readonly #sessions = new Map<string, Entry>();
  #nextSeq = 1;

  load(now: number): StoredSession[] {
    const loaded: StoredSession[] = [];
    for (const [clientId, entry] of this.#sessions) {
      const { expiresAt } = entry.record;
      if (expiresAt !== undefined && expiresAt <= now) {
        this.#sessions.delete(clientId);
        continue;
      }
      for (const [seq, outgoing] of entry.outgoing) {
        const interval = outgoing.message.properties?.messageExpiryInterval;
        if (interval !== undefined && outgoing.message.receivedAt + interval * 1000 <= now)
          entry.outgoing.delete(seq);
      }
      loaded.push({
        clientId,
        ...entry.record,
        subscriptions: new Map(entry.subscriptions),
        outgoing: [...entry.outgoing.values()].sort((a, b) => a.seq - b.seq),
        inboundQos2: [...entry.inbound],
      });
    }
    return loaded;
  }

  putSession(clientId: string, record: SessionRecord): void {
    const entry = this.#sessions.get(clientId);
    if (entry !== undefined) entry.record = { ...record };
    else
      this.#sessions.set(clientId, {
        record: { ...record },
        subscriptions: new Map(),
        outgoing: new Map(),
        inbound: new Set(),
      });
  }

  deleteSession(clientId: string): void {
    this.#sessions.delete(clientId);
  }

  putSubscription(clientId: string, filter: string, options: SubscriptionOptions): void {
    this.#sessions.get(clientId)?.subscriptions.set(filter, options);
  }

  deleteSubscription(clientId: string, filter: string): void {
    this.#sessions.get(clientId)?.subscriptions.delete(filter);
  }

  addOutgoing(clientId: string, entry: Omit<StoredOutgoing, 'seq' | 'released'>): number {
    const seq = this.#nextSeq++;
    this.#sessions.get(clientId)?.outgoing.set(seq, { ...entry, seq, released: false });
    return seq;
  }

  updateOutgoing(clientId: string, seq: number, packetId: number, released: boolean): void {
    const outgoing = this.#sessions.get(clientId)?.outgoing;
    const entry = outgoing?.get(seq);
    if (entry !== undefined) outgoing?.set(seq, { ...entry, packetId, released });
  }

  deleteOutgoing(clientId: string, seq: number): void {
    this.#sessions.get(clientId)?.outgoing.delete(seq);
  }

  addInbound(clientId: string, packetId: number): void {
    this.#sessions.get(clientId)?.inbound.add(packetId);
  }

  deleteInbound(clientId: string, packetId: number): void {
    this.#sessions.get(clientId)?.inbound.delete(packetId);
  }
}
