// The subscription trie: one node per filter level, '+' and '#' children kept apart from the literal ones so
// matching a topic is one Map lookup per level plus the wildcard branches. Entries are keyed by subscriber
// (client id), so a subscriber holds at most one entry per filter and re-subscribing replaces it [MQTT-3.8.4-3].
// Filters are assumed valid (see validate.ts): the tree does not check them.

const DOLLAR = 0x24;
/** Below this many entries a node finds a key by scanning; above it, it keeps a key → slot Map. */
const INDEX_THRESHOLD = 8;
/** Topics whose matches are remembered, and array slots they may fill (about 2 MiB); past either the cache
 * starts over: bounded, without LRU bookkeeping on the hot path. */
const MATCH_CACHE_TOPICS = 4096;
const MATCH_CACHE_SLOTS = 1 << 18;

class TopicNode<V> {
  readonly parent: TopicNode<V> | undefined;
  readonly level: string;
  children: Map<string, TopicNode<V>> | undefined;
  plus: TopicNode<V> | undefined;
  hash: TopicNode<V> | undefined;
  /** The filter whose last level this node is; set with the first entry. */
  filter = '';
  /** Parallel arrays so matching iterates without allocating an iterator. */
  keys: string[] | undefined;
  values: V[] | undefined;
  index: Map<string, number> | undefined;

  constructor(parent: TopicNode<V> | undefined, level: string) {
    this.parent = parent;
    this.level = level;
  }

  slotOf(key: string): number {
    if (this.index !== undefined) return this.index.get(key) ?? -1;
    return this.keys === undefined ? -1 : this.keys.indexOf(key);
  }

  isEmpty(): boolean {
    return (
      (this.keys === undefined || this.keys.length === 0) &&
      this.children === undefined &&
      this.plus === undefined &&
      this.hash === undefined
    );
  }
}

/** Called once per matching (subscriber, filter) entry, as the tree stood when the match began. */
export type TopicVisitor<V> = (key: string, value: V, filter: string) => void;

export interface MatchSnapshot {
  readonly entries: readonly unknown[];
  readonly uniqueKeys: boolean;
}

export interface TopicMatch<V> {
  key: string;
  value: V;
  filter: string;
}

export class TopicTree<V> {
  readonly #root = new TopicNode<V>(undefined, '');
  /** subscriber key → filter → the node holding its entry: for remove, filters() and removeKey(). */
  readonly #byKey = new Map<string, Map<string, TopicNode<V>>>();
  #size = 0;
  /** Scratch stack reused by match(); a match() started from inside a visitor gets its own. */
  readonly #stackNodes: (TopicNode<V> | undefined)[] = [];
  readonly #stackDepths: number[] = [];
  #matching = false;
  /**
   * topic → its matching entries as flat [key, value, filter, ...] triples, dropped whenever an entry changes.
   * Publishers repeat topics: a hit is one Map lookup instead of a split and a walk per message (the walk was
   * 11% of Midge's CPU in the QoS 0 one-to-one benchmark).
   */
  readonly #cache = new Map<string, MatchSnapshot>();
  #cachedSlots = 0;
  get size(): number {
    return this.#size;
  }

  /** Number of subscribers holding at least one entry. */
  get keyCount(): number {
    return this.#byKey.size;
  }

  /** Nodes below the root, counted by walking the tree (for tests and metrics, not hot paths). */
  get nodeCount(): number {
    let count = 0;
    const pending: TopicNode<V>[] = [this.#root];
    for (let node = pending.pop(); node !== undefined; node = pending.pop()) {
      if (node.children) for (const child of node.children.values()) pending.push(child);
      if (node.plus) pending.push(node.plus);
      if (node.hash) pending.push(node.hash);
      if (node !== this.#root) count++;
    }
    return count;
  }

  /** Adds the entry of `key` for `filter`, or replaces its value [MQTT-3.8.4-3]. True when it is new. */
  add(filter: string, key: string, value: V): boolean {
    this.#clearCache();
    let node = this.#root;
    for (const level of filter.split('/')) node = childFor(node, level);
    const slot = node.slotOf(key);
    if (slot !== -1) {
      (node.values as V[])[slot] = value;
      return false;
    }
    node.filter = filter;
    const keys = (node.keys ??= []);
    const values = (node.values ??= []);
    keys.push(key);
    values.push(value);
    if (node.index !== undefined) node.index.set(key, keys.length - 1);
    else if (keys.length > INDEX_THRESHOLD) node.index = new Map(keys.map((k, i) => [k, i]));
    let filters = this.#byKey.get(key);
    if (filters === undefined) this.#byKey.set(key, (filters = new Map()));
    filters.set(filter, node);
    this.#size++;
    return true;
  }

  /** Removes the entry of `key` for `filter` and prunes nodes left empty. True when there was one. */
  remove(filter: string, key: string): boolean {
    const filters = this.#byKey.get(key);
    const node = filters?.get(filter);
    if (filters === undefined || node === undefined) return false;
    this.#clearCache();
    filters.delete(filter);
    if (filters.size === 0) this.#byKey.delete(key);
    this.#removeEntry(node, key);
    return true;
  }

  /** Removes every entry of `key` (a session that ends). Returns how many there were. */
  removeKey(key: string): number {
    const filters = this.#byKey.get(key);
    if (filters === undefined) return 0;
    this.#clearCache();
    this.#byKey.delete(key);
    for (const node of filters.values()) this.#removeEntry(node, key);
    return filters.size;
  }

  get(filter: string, key: string): V | undefined {
    const node = this.#byKey.get(key)?.get(filter);
    if (node === undefined) return undefined;
    return (node.values as V[])[node.slotOf(key)];
  }

  has(filter: string, key: string): boolean {
    return this.#byKey.get(key)?.has(filter) ?? false;
  }

  /** The filters `key` holds entries for, in the order they were first added. */
  filters(key: string): string[] {
    const filters = this.#byKey.get(key);
    return filters === undefined ? [] : [...filters.keys()];
  }

  /**
   * Calls `visit` for every entry whose filter matches `topic`. A subscriber with overlapping subscriptions
   * is visited once per matching filter, so the caller can combine them (highest QoS, every subscription id).
   * Splits the topic once; otherwise allocates nothing. Filters starting with '+' or '#' never match a topic
   * starting with '$' [MQTT-4.7.2-1].
   */
  match(topic: string, visit: TopicVisitor<V>): void {
    const { entries } = this.snapshot(topic);
    // A snapshot: a visitor whose delivery ends a session (and so changes the tree) does not disturb it.
    for (let i = 0; i < entries.length; i += 3) {
      visit(entries[i] as string, entries[i + 1] as V, entries[i + 2] as string);
    }
  }

  /**
   * The entries matching `topic` as flat [key, value, filter, ...] triples, shared and read-only, and whether
   * every key occurs once (then a caller needs no per-subscriber merging of overlapping subscriptions).
   */
  snapshot(topic: string): MatchSnapshot {
    let hits = this.#cache.get(topic);
    if (hits === undefined) {
      const entries: unknown[] = [];
      const keys = new Set<string>();
      this.#walk(topic, (key, value, filter) => {
        entries.push(key, value, filter);
        keys.add(key);
      });
      if (this.#cache.size >= MATCH_CACHE_TOPICS || this.#cachedSlots + entries.length > MATCH_CACHE_SLOTS) {
        this.#clearCache();
      }
      this.#cachedSlots += entries.length;
      hits = { entries, uniqueKeys: keys.size * 3 === entries.length };
      this.#cache.set(topic, hits);
    }
    return hits;
  }

  #clearCache(): void {
    this.#cache.clear();
    this.#cachedSlots = 0;
  }

  #walk(topic: string, visit: TopicVisitor<V>): void {
    if (this.#size === 0) return;
    const levels = topic.split('/');
    const depthMax = levels.length;
    const reuse = !this.#matching;
    const nodes = reuse ? this.#stackNodes : [];
    const depths = reuse ? this.#stackDepths : [];
    this.#matching = true;
    let top = 0;
    const root = this.#root;
    try {
      if (topic.charCodeAt(0) !== DOLLAR) {
        if (root.hash !== undefined) visitEntries(root.hash, visit);
        if (root.plus !== undefined) {
          nodes[top] = root.plus;
          depths[top++] = 1;
        }
      }
      const first = root.children?.get(levels[0] as string);
      if (first !== undefined) {
        nodes[top] = first;
        depths[top++] = 1;
      }
      while (top > 0) {
        top--;
        const node = nodes[top] as TopicNode<V>;
        const depth = depths[top] as number;
        nodes[top] = undefined;
        // 'a/#' matches 'a' as well as everything below it.
        if (node.hash !== undefined) visitEntries(node.hash, visit);
        if (depth === depthMax) {
          visitEntries(node, visit);
          continue;
        }
        const child = node.children?.get(levels[depth] as string);
        if (child !== undefined) {
          nodes[top] = child;
          depths[top++] = depth + 1;
        }
        if (node.plus !== undefined) {
          nodes[top] = node.plus;
          depths[top++] = depth + 1;
        }
      }
    } finally {
      // A visitor that threw leaves nodes behind: drop them so pruned nodes can be collected.
      for (let i = 0; i < top; i++) nodes[i] = undefined;
      if (reuse) this.#matching = false;
    }
  }

  /** Every matching entry as an array: convenient where the visitor's allocation-free path is not needed. */
  collect(topic: string): TopicMatch<V>[] {
    const found: TopicMatch<V>[] = [];
    this.match(topic, (key, value, filter) => found.push({ key, value, filter }));
    return found;
  }

  clear(): void {
    this.#clearCache();
    const root = this.#root;
    root.children = undefined;
    root.plus = undefined;
    root.hash = undefined;
    this.#byKey.clear();
    this.#size = 0;
  }

  #removeEntry(node: TopicNode<V>, key: string): void {
    const keys = node.keys as string[];
    const values = node.values as V[];
    const slot = node.slotOf(key);
    const last = keys.length - 1;
    // Swap the last entry into the freed slot: O(1), order within a node does not matter.
    if (slot !== last) {
      const movedKey = keys[last] as string;
      keys[slot] = movedKey;
      values[slot] = values[last] as V;
      node.index?.set(movedKey, slot);
    }
    keys.pop();
    values.pop();
    node.index?.delete(key);
    if (node.index !== undefined && keys.length <= INDEX_THRESHOLD / 2) node.index = undefined;
    if (keys.length === 0) {
      node.keys = undefined;
      node.values = undefined;
    }
    this.#size--;
    prune(node);
  }
}

function childFor<V>(node: TopicNode<V>, level: string): TopicNode<V> {
  if (level === '+') return (node.plus ??= new TopicNode(node, level));
  if (level === '#') return (node.hash ??= new TopicNode(node, level));
  const children = (node.children ??= new Map());
  let child = children.get(level);
  if (child === undefined) children.set(level, (child = new TopicNode(node, level)));
  return child;
}

/** Detaches empty nodes from the leaf upwards, so memory follows the live subscriptions, not the churn. */
function prune<V>(start: TopicNode<V>): void {
  let node = start;
  for (let parent = node.parent; parent !== undefined && node.isEmpty(); parent = node.parent) {
    if (node.level === '+') parent.plus = undefined;
    else if (node.level === '#') parent.hash = undefined;
    else {
      parent.children?.delete(node.level);
      if (parent.children?.size === 0) parent.children = undefined;
    }
    node = parent;
  }
}

function visitEntries<V>(node: TopicNode<V>, visit: TopicVisitor<V>): void {
  const keys = node.keys;
  if (keys === undefined) return;
  const values = node.values as V[];
  const filter = node.filter;
  for (let i = 0; i < keys.length; i++) visit(keys[i] as string, values[i] as V, filter);
}
