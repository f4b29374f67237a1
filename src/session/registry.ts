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

  constructor(
    readonly limits: SessionLimits,
    /** Called when a session ends for good, so its subscriptions leave the router. */
    readonly onSessionEnd: (session: Session) => void,
  ) {}

  get size(): number {
    return this.#sessions.size;
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
      return { session: existing, present: true };
    }
    if (existing !== undefined) this.end(existing);
    const session = new Session(clientId, expiryInterval, this.limits);
    this.#sessions.set(clientId, session);
    return { session, present: false };
  }

  /** The connection is gone: end the session now, later, or never, by its expiry interval. */
  release(session: Session): void {
    session.detach();
    if (this.#sessions.get(session.clientId) !== session) return;
    if (session.expiryInterval === 0) {
      this.end(session);
      return;
    }
    if (session.expiryInterval === NEVER_EXPIRES) return;
    this.#armExpiry(session, Date.now() + session.expiryInterval * 1000);
  }

  /** setTimeout holds at most ~24.8 days, so long expiries re-arm until the deadline. */
  #armExpiry(session: Session, deadline: number): void {
    const timer = setTimeout(
      () => {
        this.#expiryTimers.delete(session.clientId);
        if (session.online) return;
        if (Date.now() < deadline) this.#armExpiry(session, deadline);
        else this.end(session);
      },
      Math.min(deadline - Date.now(), MAX_TIMER_MS),
    );
    timer.unref();
    this.#expiryTimers.set(session.clientId, timer);
  }

  end(session: Session): void {
    if (this.#sessions.get(session.clientId) === session) this.#sessions.delete(session.clientId);
    this.#cancelExpiry(session.clientId);
    this.onSessionEnd(session);
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
