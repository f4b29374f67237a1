// Each node's copy of the cluster route table (`filter → nodes`), kept in a topic trie so finding the nodes a
// message must go to is one walk of the tree, cached per topic like the router's own. Plain filters and shared
// groups are kept apart: a plain match sends one copy to each node; a shared group sends one copy to one node.
import { TopicTree } from '../topic/tree.js';
import { parseSharedSubscription } from '../topic/shared.js';

/** Separates a shared group's id from the node name in a shared-tree key (neither can hold a NUL). */
const SEP = '\u0000';

export class RouteMirror {
  readonly #plain = new TopicTree<true>();
  /** Keyed by `groupId SEP node`, filed under the group's topic filter. */
  readonly #shared = new TopicTree<true>();
  /** Per node, the route filters it announced, so a node that goes away is removed in one call. */
  readonly #byNode = new Map<string, Set<string>>();
  /** Round-robin position per shared group. */
  readonly #turn = new Map<string, number>();

  add(node: string, filter: string): void {
    let filters = this.#byNode.get(node);
    if (filters === undefined) this.#byNode.set(node, (filters = new Set()));
    if (filters.has(filter)) return;
    filters.add(filter);
    const shared = parseSharedSubscription(filter);
    if (shared === null) this.#plain.add(filter, node, true);
    else if (shared.ok)
      this.#shared.add(shared.filter, `${shared.group}/${shared.filter}${SEP}${node}`, true);
  }

  remove(node: string, filter: string): void {
    const filters = this.#byNode.get(node);
    if (filters === undefined || !filters.delete(filter)) return;
    const shared = parseSharedSubscription(filter);
    if (shared === null) this.#plain.remove(filter, node);
    else if (shared.ok) this.#shared.remove(shared.filter, `${shared.group}/${shared.filter}${SEP}${node}`);
  }

  /** Forgets every route of `node` (it left, or its lease expired). */
  removeNode(node: string): void {
    const filters = this.#byNode.get(node);
    if (filters === undefined) return;
    for (const filter of [...filters]) this.remove(node, filter);
    this.#byNode.delete(node);
  }

  /** Replaces everything `node` announced with `filters` (a resync read from Redis). */
  replaceNode(node: string, filters: readonly string[]): void {
    this.removeNode(node);
    for (const filter of filters) this.add(node, filter);
  }

  get nodes(): string[] {
    return [...this.#byNode.keys()];
  }

  filtersOf(node: string): string[] {
    return [...(this.#byNode.get(node) ?? [])];
  }

  /** Calls `visit` once per node other than `self` with a plain subscription matching `topic`. */
  plainNodes(topic: string, self: string, visit: (node: string) => void): void {
    const { entries, uniqueKeys } = this.#plain.snapshot(topic);
    if (entries.length === 0) return;
    if (uniqueKeys) {
      for (let i = 0; i < entries.length; i += 3) {
        const node = entries[i] as string;
        if (node !== self) visit(node);
      }
      return;
    }
    const seen = new Set<string>();
    for (let i = 0; i < entries.length; i += 3) {
      const node = entries[i] as string;
      if (node !== self && !seen.has(node)) {
        seen.add(node);
        visit(node);
      }
    }
  }

  /**
   * For each shared group matching `topic`, the node whose turn it is among the nodes with members
   * [MQTT-4.8.2-3]: one copy per group cluster-wide.
   */
  sharedTargets(topic: string, visit: (groupId: string, node: string) => void): void {
    const { entries } = this.#shared.snapshot(topic);
    if (entries.length === 0) return;
    const groups = new Map<string, string[]>();
    for (let i = 0; i < entries.length; i += 3) {
      const key = entries[i] as string;
      const cut = key.lastIndexOf(SEP);
      const groupId = key.slice(0, cut);
      const members = groups.get(groupId);
      if (members === undefined) groups.set(groupId, [key.slice(cut + 1)]);
      else members.push(key.slice(cut + 1));
    }
    for (const [groupId, members] of groups) {
      members.sort();
      const turn = this.#turn.get(groupId) ?? 0;
      this.#turn.set(groupId, turn + 1);
      visit(groupId, members[turn % members.length] as string);
    }
  }
}
