// MQTT 5 Topic Aliases (section 3.3.2.3.4): a per-connection map between small integers and topic names, one for
// each direction. Never part of the session: a new connection starts with empty maps [MQTT-3.3.2-7].
import { ProtocolError, ReasonCode } from '../protocol/reason-codes.js';

/** Aliases the client sets on its PUBLISH packets, up to the Topic Alias Maximum of our CONNACK. */
export class InboundTopicAliases {
  readonly #topics: (string | undefined)[];

  constructor(readonly maximum: number) {
    this.#topics = new Array<string | undefined>(maximum + 1);
  }

  /**
   * The topic a PUBLISH is for: a non-empty topic (re)defines the alias, an empty one uses it. Alias 0 or one
   * above the maximum is 0x94 Topic Alias invalid [MQTT-3.3.2-12]; an empty topic with an alias never set is a
   * Protocol Error (section 3.3.2.3.4).
   */
  resolve(topic: string, alias: number): string {
    if (alias === 0 || alias > this.maximum) {
      throw new ProtocolError(
        ReasonCode.TopicAliasInvalid,
        `topic alias ${alias} outside 1..${this.maximum}`,
        'MQTT-3.3.2-12',
      );
    }
    if (topic.length > 0) {
      this.#topics[alias] = topic;
      return topic;
    }
    const known = this.#topics[alias];
    if (known === undefined) {
      throw new ProtocolError(ReasonCode.ProtocolError, `topic alias ${alias} was never set`);
    }
    return known;
  }
}

/**
 * Aliases the server assigns on PUBLISH packets it sends, up to the client's Topic Alias Maximum
 * [MQTT-3.1.2-26][MQTT-3.3.2-11]. The first topics seen take the aliases; later topics go out in full.
 */
export class OutboundTopicAliases {
  readonly #aliases = new Map<string, number>();

  constructor(readonly maximum: number) {}

  /** The alias for `topic` and whether the client knows it yet; undefined when every alias is taken. */
  lookup(topic: string): { alias: number; known: boolean } | undefined {
    const alias = this.#aliases.get(topic);
    if (alias !== undefined) return { alias, known: true };
    if (this.#aliases.size >= this.maximum) return undefined;
    // Alias 0 is never sent [MQTT-3.3.2-8]: numbering starts at 1.
    return { alias: this.#aliases.size + 1, known: false };
  }

  /** The PUBLISH that defines the alias went out: from now on the topic travels as its alias. */
  commit(topic: string, alias: number): void {
    this.#aliases.set(topic, alias);
  }
}
