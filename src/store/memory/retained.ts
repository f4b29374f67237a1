import type { Message } from '../../router/types.js';
import type { RetainedStore } from '../types.js';
import { topicMatches } from '../../topic/match.js';
import { hasWildcard } from '../../topic/validate.js';

/** Retained messages in a Map: exact filters are one lookup, wildcard filters scan. */
export class MemoryRetainedStore implements RetainedStore {
  readonly #messages = new Map<string, Message>();

  get size(): number {
    return this.#messages.size;
  }

  set(topic: string, message: Message | null): void {
    // [MQTT-3.3.1-11] an empty retained payload is never stored; it clears the topic.
    if (message === null || message.payload.length === 0 || expired(message, Date.now()))
      this.#messages.delete(topic);
    else this.#messages.set(topic, ownPayload(message));
  }

  match(filter: string): Message[] {
    const now = Date.now();
    if (!hasWildcard(filter)) {
      const message = this.#messages.get(filter);
      if (message === undefined) return [];
      if (!expired(message, now)) return [message];
      this.#messages.delete(filter);
      return [];
    }
    const found: Message[] = [];
    for (const [topic, message] of this.#messages) {
      if (!topicMatches(filter, topic)) continue;
      if (expired(message, now)) this.#messages.delete(topic);
      else found.push(message);
    }
    return found;
  }
}

/** [MQTT-3.3.2-5] a retained message is not sent once its Message Expiry Interval has passed. */
function expired(message: Message, now: number): boolean {
  const interval = message.properties?.messageExpiryInterval;
  return interval !== undefined && message.receivedAt + interval * 1000 <= now;
}

/**
 * A decoded payload is a view into the socket's read buffer (up to 64 KiB). Kept for long, the view would pin
 * that whole buffer, so a stored message gets its own copy of the bytes.
 */
function ownPayload(message: Message): Message {
  const payload = message.payload;
  if (payload.byteOffset === 0 && payload.byteLength === payload.buffer.byteLength) return message;
  return { ...message, payload: Buffer.from(payload), frames: undefined };
}
