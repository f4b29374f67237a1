// Shared Subscriptions (MQTT 5.0 section 4.8.2): "$share/{ShareName}/{filter}". Each matching message goes to
// one member of each group, taken in turn (round-robin), preferring members that are connected.
import { TopicTree } from '../topic/tree.js';
import type { SubscriptionOptions } from './types.js';

/** One share name on one topic filter and the sessions subscribed to it. */
export class SharedGroup {
  readonly members = new Map<string, SubscriptionOptions>();
  #order: string[] = [];
  #next = 0;

  constructor(
    /** "{ShareName}/{filter}": what follows "$share/", unique per group. */
    readonly id: string,
  ) {}

  add(key: string, options: SubscriptionOptions): boolean {
    const isNew = !this.members.has(key);
    this.members.set(key, options);
    if (isNew) this.#order = [...this.members.keys()];
    return isNew;
  }

  remove(key: string): boolean {
    if (!this.members.delete(key)) return false;
    this.#order = [...this.members.keys()];
    return true;
  }

  /**
   * The next member in turn that `eligible` accepts, preferring one that is `online`; undefined when nobody is
   * eligible. Moves the turn past the chosen member.
   */
  pick(eligible: (key: string) => boolean, online: (key: string) => boolean): string | undefined {
    const order = this.#order;
    const n = order.length;
    let fallback = -1;
    for (let step = 0; step < n; step++) {
      const index = (this.#next + step) % n;
      const key = order[index] as string;
      if (!eligible(key)) continue;
      if (online(key)) return this.#take(index);
      if (fallback === -1) fallback = index;
    }
    return fallback === -1 ? undefined : this.#take(fallback);
  }

  #take(index: number): string {
    this.#next = (index + 1) % this.#order.length;
    return this.#order[index] as string;
  }
}

/** Every shared group, in a trie of their topic filters. */
export class SharedSubscriptions {
  readonly #tree = new TopicTree<SharedGroup>();
  readonly #groups = new Map<string, SharedGroup>();
  #members = 0;

  /** Member subscriptions over all groups. */
  get size(): number {
    return this.#members;
  }

  get(id: string): SharedGroup | undefined {
    return this.#groups.get(id);
  }

  /** Adds (or replaces the options of) `key` in the group; true when the membership is new. */
  add(share: string, filter: string, key: string, options: SubscriptionOptions): boolean {
    const id = `${share}/${filter}`;
    let group = this.#groups.get(id);
    if (group === undefined) {
      group = new SharedGroup(id);
      this.#groups.set(id, group);
      this.#tree.add(filter, share, group);
    }
    const isNew = group.add(key, options);
    if (isNew) this.#members++;
    return isNew;
  }

  remove(share: string, filter: string, key: string): boolean {
    const id = `${share}/${filter}`;
    const group = this.#groups.get(id);
    if (group === undefined || !group.remove(key)) return false;
    this.#members--;
    if (group.members.size === 0) {
      this.#groups.delete(id);
      this.#tree.remove(filter, share);
    }
    return true;
  }

  /** The groups whose filter matches `topic`. */
  match(topic: string): SharedGroup[] {
    const groups: SharedGroup[] = [];
    if (this.#members > 0) this.#tree.match(topic, (_share, group) => groups.push(group));
    return groups;
  }
}
