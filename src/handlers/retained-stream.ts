import { topicMatches } from '../topic/match.js';
import type { BrokerContext, Outgoing, OutgoingSource, Session } from './context.js';

/**
 * The retained messages of a new subscription, pulled by the session as its connection takes them
 * [MQTT-3.3.1-6]: a snapshot of the matching topics is taken at SUBSCRIBE, and each topic's message is read
 * from the retained store only when it is its turn. So a set of any size is sent completely without being
 * copied into the session's queue, and the client gets each topic's latest value:
 * - a topic cleared (or expired) before its turn is skipped; one set again gets its newest message;
 * - topics retained after the SUBSCRIBE are not in the snapshot: their messages arrive as live messages;
 * - a live message that reaches the session before its topic's turn replaces it (the topic is skipped), so the
 *   client never gets an older retained message after a newer live one. Live messages do not wait for the
 *   stream: they may arrive before the retained messages of other topics.
 * The READ ACL is checked for each message as it goes out, with the session's identity at that time.
 */
class RetainedStream implements OutgoingSource {
  readonly key: string;
  readonly #ctx: BrokerContext;
  readonly #session: Session;
  readonly #qos: 0 | 1 | 2;
  readonly #subscriptionIds: number[] | undefined;
  #topics: string[];
  #at = 0;
  /** Topics a live message reached first. */
  #superseded: Set<string> | undefined;

  constructor(
    ctx: BrokerContext,
    session: Session,
    filter: string,
    qos: 0 | 1 | 2,
    subscriptionId: number | undefined,
  ) {
    this.key = filter;
    this.#ctx = ctx;
    this.#session = session;
    this.#qos = qos;
    this.#subscriptionIds = subscriptionId === undefined ? undefined : [subscriptionId];
    this.#topics = ctx.router.retainedTopics(filter);
  }

  next(): Outgoing | undefined {
    const topics = this.#topics;
    while (this.#at < topics.length) {
      const topic = topics[this.#at++] as string;
      if (this.#superseded?.delete(topic) === true) continue;
      const message = this.#ctx.router.retainedMessage(topic);
      if (message === undefined) continue;
      const identity = this.#session.identity;
      if (identity === undefined || !this.#ctx.auth.authorizeRead(identity, topic)) continue;
      return {
        message,
        // [MQTT-3.8.4-6] at most the granted QoS; upgrade_outgoing_qos: always the granted QoS (mosquitto).
        qos:
          this.#ctx.settings.upgradeOutgoingQos === true || this.#qos < message.qos ? this.#qos : message.qos,
        retain: true, // [MQTT-3.3.1-8] sent because of a new subscription
        subscriptionIds: this.#subscriptionIds,
      };
    }
    this.#topics = [];
    this.#superseded = undefined;
    return undefined;
  }

  superseded(topic: string): void {
    if (this.#at < this.#topics.length && topicMatches(this.key, topic))
      (this.#superseded ??= new Set()).add(topic);
  }
}

/** Streams the retained messages matching `filter` to the session (see RetainedStream). */
export function streamRetained(
  ctx: BrokerContext,
  session: Session,
  filter: string,
  qos: 0 | 1 | 2,
  subscriptionId: number | undefined,
): void {
  session.stream(new RetainedStream(ctx, session, filter, qos, subscriptionId));
}
