import type { DurabilityBarrier, SessionStore, StoredSession } from '../store/types.js';
import type { Will } from '../protocol/types.js';
import { NEVER_EXPIRES, Session } from './session.js';
import type { SessionLimits } from './types.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * clientId → Session, and the expiry of sessions whose client is gone. Takeover of a live connection is the
 * client layer's job; this only decides which session state a new connection gets.
 */
export class SessionRegistry {
  readonly #sessions = new Map<string, Session>();
  readonly #expiryTimers = new Map<string, NodeJS.Timeout>();
  /** Where persistent sessions (expiry > 0) are kept when the broker has storage. */
  store: SessionStore | undefined;
  /** The store's durability barrier: QoS 2 deliveries to persistent sessions wait on it. */
  barrier: DurabilityBarrier | undefined;

  /** Sessions ended by their expiry interval ($SYS/broker/clients/expired). */
  expired = 0;

  constructor(
    readonly limits: SessionLimits,
    /** Called when a session ends for good, so its subscriptions leave the router. */
    readonly onSessionEnd: (session: Session) => void,
  ) {}

  get size(): number {
    return this.#sessions.size;
  }

  /** Every session held, connected or not (admin listings). */
  all(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  get(clientId: string): Session | undefined {
    return this.#sessions.get(clientId);
  }

  /**
   * The session for a connecting client: with clean start any old state is discarded [MQTT-3.1.2-6], else
   * the stored session resumes or a new one begins [MQTT-3.1.2-4]. `present` feeds CONNACK's Session Present.
   */
  open(
    clientId: string,
    cleanStart: boolean,
    expiryInterval: number,
  ): { session: Session; present: boolean } {
    this.#cancelExpiry(clientId);
    const existing = this.#sessions.get(clientId);
    if (existing !== undefined && !cleanStart) {
      existing.expiryInterval = expiryInterval;
      existing.expiresAt = undefined;
      this.#record(existing);
      return { session: existing, present: true };
    }
    if (existing !== undefined) this.end(existing);
    // Only a session that can outlive its connection is stored [MQTT-3.1.2-23]; clean ones cost nothing.
    const store = expiryInterval > 0 ? this.store : undefined;
    const session = new Session(clientId, expiryInterval, this.limits, store, store && this.barrier);
    this.#record(session);
    this.#sessions.set(clientId, session);
    return { session, present: false };
  }

  /**
   * Sessions loaded from the store at start-up. One whose client was connected when the broker stopped
   * starts its expiry now: its connection ended with the broker.
   */
  restore(stored: StoredSession[], now = Date.now()): Session[] {
    const store = this.store as SessionStore;
    return stored.map((record) => {
      const session = Session.restore(record, this.limits, store, this.barrier);
      this.#sessions.set(session.clientId, session);
      if (record.expiryInterval === NEVER_EXPIRES) return session;
      if (record.expiresAt === undefined) {
        session.expiresAt = now + record.expiryInterval * 1000;
        this.#record(session);
      }
      this.#armExpiry(session, session.expiresAt as number);
      return session;
    });
  }

  /** The connection is gone: end the session now, later, or never, by its expiry interval. */
  release(session: Session): void {
    session.detach();
    if (this.#sessions.get(session.clientId) !== session) return;
    if (session.expiryInterval === 0) {
      this.end(session);
      return;
    }
    const expiresAt =
      session.expiryInterval === NEVER_EXPIRES ? undefined : Date.now() + session.expiryInterval * 1000;
    session.expiresAt = expiresAt;
    // The connection's will is published or held by the will scheduler now, which says so through keepWill.
    session.will = undefined;
    session.willAt = undefined;
    this.#record(session);
    if (expiresAt !== undefined) this.#armExpiry(session, expiresAt);
  }

  /**
   * The will of the session's connection (willAt undefined), or one held back by its Will Delay Interval
   * until willAt, or none: stored with a persistent session, so a restart publishes it.
   */
  keepWill(clientId: string, will: Will | undefined, willAt?: number): void {
    const session = this.#sessions.get(clientId);
    if (session === undefined) return;
    session.will = will;
    session.willAt = willAt;
    this.#record(session);
  }

  #record(session: Session): void {
    if (!session.persistent) return;
    this.store?.putSession(session.clientId, {
      expiryInterval: session.expiryInterval,
      expiresAt: session.expiresAt,
      will: session.will,
      willAt: session.willAt,
    });
  }

  /** setTimeout holds at most ~24.8 days, so long expiries re-arm until the deadline. */
  #armExpiry(session: Session, deadline: number): void {
    const timer = setTimeout(
      () => {
        this.#expiryTimers.delete(session.clientId);
        if (session.online) return;
        if (Date.now() < deadline) this.#armExpiry(session, deadline);
        else {
          this.expired++;
          this.end(session);
        }
      },
      Math.min(deadline - Date.now(), MAX_TIMER_MS),
    );
    timer.unref();
    this.#expiryTimers.set(session.clientId, timer);
  }

  end(session: Session): void {
    const current = this.#sessions.get(session.clientId) === session;
    if (current) this.#sessions.delete(session.clientId);
    this.#cancelExpiry(session.clientId);
    this.onSessionEnd(session);
    if (current && session.persistent) this.store?.deleteSession(session.clientId);
    session.clear();
  }

  close(): void {
    for (const timer of this.#expiryTimers.values()) clearTimeout(timer);
    this.#expiryTimers.clear();
  }

  #cancelExpiry(clientId: string): void {
    const timer = this.#expiryTimers.get(clientId);
    if (timer !== undefined) {
      clearTimeout(timer);
      this.#expiryTimers.delete(clientId);
    }
  }
}
