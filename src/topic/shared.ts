// Shared Subscriptions: "$share/{ShareName}/{filter}" (MQTT 5.0 section 4.8.2; mosquitto accepts it from
// 3.1.1 clients too, so the caller decides per protocol version whether to call this).
import { isValidTopicFilter } from './validate.js';

const PREFIX = '$share/';

export type SharedSubscriptionResult =
  | { readonly ok: true; readonly group: string; readonly filter: string }
  | { readonly ok: false; readonly reason: string; readonly rule: string };

/** True when the filter names a shared subscription, valid or not. */
export function isSharedFilter(filter: string): boolean {
  return filter.startsWith(PREFIX);
}

/**
 * Splits a shared subscription filter into its group and its topic filter. Returns null when the filter is
 * not a shared subscription at all, and `{ ok: false }` when it is one but malformed: the caller rejects it
 * (5.0: reason code 0x8F Topic Filter invalid, or a protocol error, as the handler decides).
 */
export function parseSharedSubscription(filter: string): SharedSubscriptionResult | null {
  if (!filter.startsWith(PREFIX)) return null;
  const slash = filter.indexOf('/', PREFIX.length);
  const group = filter.slice(PREFIX.length, slash === -1 ? filter.length : slash);
  if (group.length === 0) {
    return { ok: false, reason: 'the share name is empty', rule: 'MQTT-4.8.2-1' };
  }
  if (slash === -1) {
    return {
      ok: false,
      reason: `the share name '${group}' must be followed by '/' and a topic filter`,
      rule: 'MQTT-4.8.2-2',
    };
  }
  if (group.includes('\u0000')) {
    return { ok: false, reason: 'the share name contains U+0000', rule: 'MQTT-4.7.3-2' };
  }
  if (group.includes('+') || group.includes('#')) {
    return { ok: false, reason: `the share name '${group}' contains a wildcard`, rule: 'MQTT-4.8.2-2' };
  }
  const topicFilter = filter.slice(slash + 1);
  if (!isValidTopicFilter(topicFilter)) {
    return { ok: false, reason: `'${topicFilter}' is not a valid topic filter`, rule: 'MQTT-4.8.2-2' };
  }
  return { ok: true, group, filter: topicFilter };
}
