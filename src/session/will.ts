// Will messages of MQTT 5 may wait: the Will Delay Interval (section 3.1.3.2.2) holds a will back after the
// connection ends, and a new connection to the same session within that time cancels it.
import type { Properties, Will } from '../protocol/types.js';
import type { Message } from '../router/types.js';

const MAX_TIMER_MS = 2 ** 31 - 1;

/** Told when a will starts waiting and when it stops (published or cancelled), so it can be stored. */
export interface WillJournal {
  held(clientId: string, will: Will, publishAt: number): void;
  released(clientId: string): void;
}

interface Pending {
  readonly will: Will;
  readonly timer: NodeJS.Timeout;
}

/**
 * Wills waiting for their delay, by client id. One per broker (no global state). A will goes out when its
 * delay passes or its session ends, whichever comes first [MQTT-3.1.3-9]; a new connection to the session
 * discards it [MQTT-3.1.3-9].
 */
export class WillScheduler {
  readonly #pending = new Map<string, Pending>();
  readonly #publish: (message: Message) => void;

  readonly #journal: WillJournal | undefined;

  constructor(publish: (message: Message) => void, journal?: WillJournal) {
    this.#publish = publish;
    this.#journal = journal;
  }

  get size(): number {
    return this.#pending.size;
  }

  /** The connection of `clientId` ended without DISCONNECT (or with 0x04): publish now or after the delay. */
  schedule(clientId: string, will: Will, delaySeconds: number): void {
    this.sessionEnded(clientId); // an older will still waiting goes first, never lost
    if (delaySeconds <= 0) {
      this.#publish(willMessage(clientId, will));
      return;
    }
    const timer = setTimeout(() => this.sessionEnded(clientId), Math.min(delaySeconds * 1000, MAX_TIMER_MS));
    timer.unref();
    this.#pending.set(clientId, { will, timer });
    this.#journal?.held(clientId, will, Date.now() + delaySeconds * 1000);
  }

  /** The session ended (expired, or replaced by a clean start): its waiting will goes out now. */
  sessionEnded(clientId: string): void {
    const pending = this.#take(clientId);
    if (pending !== undefined) this.#publish(willMessage(clientId, pending.will));
  }

  /** A new connection resumed the session before the delay passed: the will is not sent [MQTT-3.1.3-9]. */
  cancel(clientId: string): boolean {
    return this.#take(clientId) !== undefined;
  }

  /** Broker shutdown: waiting wills are dropped with their timers. */
  close(): void {
    for (const pending of this.#pending.values()) clearTimeout(pending.timer);
    this.#pending.clear();
  }

  #take(clientId: string): Pending | undefined {
    const pending = this.#pending.get(clientId);
    if (pending === undefined) return undefined;
    clearTimeout(pending.timer);
    this.#pending.delete(clientId);
    this.#journal?.released(clientId);
    return pending;
  }
}

/**
 * The application message a will becomes. Its properties travel on as PUBLISH properties, except the Will
 * Delay Interval, which belongs to the will alone and is not a PUBLISH property (section 3.1.3.2).
 */
export function willMessage(clientId: string, will: Will): Message {
  return {
    topic: will.topic,
    payload: will.payload,
    qos: will.qos,
    // [MQTT-3.1.2-16][MQTT-3.1.2-17] the will's retain flag decides.
    retain: will.retain,
    properties: publishProperties(will.properties),
    origin: clientId,
    // Message expiry counts from publication, not from CONNECT.
    receivedAt: Date.now(),
  };
}

function publishProperties(properties: Properties | undefined): Properties | undefined {
  if (properties === undefined) return undefined;
  const { willDelayInterval: _delay, ...rest } = properties;
  return Object.keys(rest).length === 0 ? undefined : rest;
}
