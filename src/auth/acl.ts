// mosquitto acl_file semantics. Rules come from three places: `topic` lines before any `user` line (clients
// without a username), the `topic` lines of the client's `user` section, and every `pattern` line with %u / %c
// substituted. A matching `deny` wins over any grant; no matching grant denies.
// PUBLISH is checked as write, each delivered message as read (authoritative), SUBSCRIBE as read: a filter is
// allowed when some read rule could grant part of it (auth-plug / go-auth behaviour) and no deny rule covers
// all of it; the read check on every delivered message keeps out what the rules do not grant.
import { topicMatches } from '../topic/match.js';
import { parseSharedSubscription } from '../topic/shared.js';
import type { Identity } from './types.js';
import { parseAclFile, type AclRule, type AclRules } from './acl-parse.js';

export { parseAclFile, type AclAccess, type AclRule, type AclRules } from './acl-parse.js';

/** What an ACL looks at: the client id and the username (undefined for an anonymous client). */
export type AclSubject = Pick<Identity, 'clientId' | 'username'>;

/** The rules that apply to one client, substituted and split by what they say. */
interface SubjectRules {
  readonly deny: readonly string[];
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/**
 * Does the ACL filter `outer` match every topic the subscription filter `inner` can match? Levels compare
 * as filters: '#' covers the rest, parent level included; '+' covers one level ('+' or a name) but not '#';
 * a name covers only the same name. A subscription whose first level starts with '$' is covered only by an
 * ACL that names that level: a wildcard first level never matches $-topics [MQTT-4.7.2-1].
 */
export function filterCovers(outer: string, inner: string): boolean {
  const o = outer.split('/');
  const i = inner.split('/');
  if ((i[0] as string).startsWith('$') && (o[0] === '+' || o[0] === '#')) return false; // [MQTT-4.7.2-1]
  for (let k = 0; k < o.length; k++) {
    const level = o[k] as string;
    if (level === '#') return true;
    if (k >= i.length) return false;
    const other = i[k] as string;
    if (other === '#') return false;
    if (level !== '+' && other !== level) return false;
  }
  return o.length === i.length;
}

/**
 * Can some topic match both filters? Used for SUBSCRIBE: a wildcard subscription is allowed when an ACL could
 * grant part of it, and the read check on every delivered message keeps the rest out. A wildcard first level
 * never reaches a '$' topic [MQTT-4.7.2-1], so '#' does not intersect '$SYS/#'.
 */
export function filtersIntersect(a: string, b: string): boolean {
  const x = a.split('/');
  const y = b.split('/');
  const x0 = x[0] as string;
  const y0 = y[0] as string;
  if (
    (x0.startsWith('$') && (y0 === '+' || y0 === '#')) ||
    (y0.startsWith('$') && (x0 === '+' || x0 === '#'))
  )
    return false;
  for (let k = 0; k < Math.max(x.length, y.length); k++) {
    const p = x[k];
    const q = y[k];
    if (p === '#' || q === '#') return true;
    if (p === undefined || q === undefined) return false;
    if (p !== '+' && q !== '+' && p !== q) return false;
  }
  return true;
}

/** A value fit to go into a topic level: non-empty, and no '+', '#' or '/' that would widen or shift the rule. */
function isSafeValue(value: string | undefined): value is string {
  if (value === undefined || value === '') return false;
  return !(value.includes('+') || value.includes('#') || value.includes('/'));
}

/**
 * Substitutes %u (username) and %c (client id) in a pattern, level by level (mosquitto's documented form is a
 * whole level, 'sensors/%u/data'; 2.0 also substitutes inside one, 'dev-%c', and so do we). Undefined when the
 * client can't fill the pattern safely, and the pattern then does not apply to it: no username for %u, a
 * value with '+', '#' or '/', or a value that would start the first level with '$' where the pattern did not
 * (`%u/#` must not reach $SYS for a user called '$SYS').
 */
export function substitutePattern(pattern: string, who: AclSubject): string | undefined {
  if (!pattern.includes('%u') && !pattern.includes('%c')) return pattern;
  const levels = pattern.split('/');
  for (let index = 0; index < levels.length; index++) {
    const level = levels[index] as string;
    if (!level.includes('%u') && !level.includes('%c')) continue;
    let unsafe = false;
    const filled = level.replace(/%[uc]/g, (placeholder) => {
      const value = placeholder === '%u' ? who.username : who.clientId;
      if (!isSafeValue(value)) {
        unsafe = true;
        return '';
      }
      return value;
    });
    if (unsafe) return undefined;
    if (index === 0 && filled.startsWith('$') && !level.startsWith('$')) return undefined;
    levels[index] = filled;
  }
  return levels.join('/');
}

export class Acl {
  readonly #rules: AclRules;
  /** Identities are fixed at CONNECT, so each client's substituted rules are worked out once. */
  readonly #bySubject = new WeakMap<AclSubject, SubjectRules>();

  constructor(rules: AclRules) {
    this.#rules = rules;
  }

  /** Parses the text of an acl_file; `source` names it in errors. */
  static parse(text: string, source?: string): Acl {
    return new Acl(parseAclFile(text, source));
  }

  get rules(): AclRules {
    return this.#rules;
  }

  /** PUBLISH to a topic name: needs write. */
  allowsPublish(who: AclSubject, topic: string): boolean {
    const rules = this.#rulesFor(who);
    if (rules.deny.some((filter) => topicMatches(filter, topic))) return false;
    return rules.write.some((filter) => topicMatches(filter, topic));
  }

  /** Delivery of one message: needs read. Authoritative whatever the subscription was allowed. */
  allowsRead(who: AclSubject, topic: string): boolean {
    const rules = this.#rulesFor(who);
    if (rules.deny.some((filter) => topicMatches(filter, topic))) return false;
    return rules.read.some((filter) => topicMatches(filter, topic));
  }

  /**
   * SUBSCRIBE: needs a read rule that could grant some topic of the filter, and no deny rule covering all of it
   * (a deny that covers only part of the filter is left to the per-message read check). A shared subscription
   * is checked by its topic filter, without `$share/<group>/`.
   */
  allowsSubscribe(who: AclSubject, filter: string): boolean {
    const shared = parseSharedSubscription(filter);
    if (shared !== null && !shared.ok) return false;
    const topicFilter = shared === null ? filter : shared.filter;
    const rules = this.#rulesFor(who);
    if (rules.deny.some((rule) => filterCovers(rule, topicFilter))) return false;
    return rules.read.some((rule) => filtersIntersect(rule, topicFilter));
  }

  #rulesFor(who: AclSubject): SubjectRules {
    let rules = this.#bySubject.get(who);
    if (rules === undefined) {
      rules = this.#compile(who);
      this.#bySubject.set(who, rules);
    }
    return rules;
  }

  #compile(who: AclSubject): SubjectRules {
    const deny: string[] = [];
    const read: string[] = [];
    const write: string[] = [];
    const add = (rule: AclRule, topic: string): void => {
      if (rule.access === 'deny') deny.push(topic);
      if (rule.access === 'read' || rule.access === 'readwrite') read.push(topic);
      if (rule.access === 'write' || rule.access === 'readwrite') write.push(topic);
    };
    const own =
      who.username === undefined ? this.#rules.anonymous : (this.#rules.users.get(who.username) ?? []);
    for (const rule of own) add(rule, rule.topic);
    for (const rule of this.#rules.patterns) {
      const topic = substitutePattern(rule.topic, who);
      if (topic !== undefined) add(rule, topic);
    }
    return { deny, read, write };
  }
}
