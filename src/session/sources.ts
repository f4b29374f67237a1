import type { Outgoing, OutgoingSource } from './types.js';

/**
 * The pulled sources of one session (see OutgoingSource), drained in the order they were added, with the one
 * message taken from the head source that is waiting for room in the connection.
 */
export class PulledSources {
  #sources: OutgoingSource[] = [];
  /** Taken from the head source, not sent yet: the connection had no room for it. */
  #waiting: Outgoing | undefined;

  get empty(): boolean {
    return this.#sources.length === 0 && this.#waiting === undefined;
  }

  /** Adds a source after the others; one with the same key is replaced (its unsent rest is dropped). */
  add(source: OutgoingSource): void {
    const at = this.#sources.findIndex((s) => s.key === source.key);
    if (at === 0) this.#waiting = undefined;
    if (at >= 0) this.#sources.splice(at, 1);
    this.#sources.push(source);
  }

  /** A live message on `topic` reached the session first: no source sends an older one for it afterwards. */
  supersede(topic: string): void {
    for (const source of this.#sources) source.superseded(topic);
    if (this.#waiting?.message.topic === topic) this.#waiting = undefined;
  }

  /** The next message to send, left in place until take(); undefined when every source is exhausted. */
  peek(): Outgoing | undefined {
    while (this.#waiting === undefined) {
      const source = this.#sources[0];
      if (source === undefined) return undefined;
      this.#waiting = source.next();
      if (this.#waiting === undefined) this.#sources.shift();
    }
    return this.#waiting;
  }

  take(): void {
    this.#waiting = undefined;
  }
}
