import type { ProtocolVersion } from '../protocol/types.js';
import { malformed } from '../protocol/reason-codes.js';
import { isValidTopicFilter } from '../topic/validate.js';

const SHARED_PREFIX = '$share/';

/**
 * A malformed Topic Filter in SUBSCRIBE or UNSUBSCRIBE (empty, '#' not alone in the last level, '+' sharing its
 * level) is a protocol violation that closes the connection [MQTT-4.8.0-1], as mosquitto does for every
 * version, instead of a SUBACK failure code. MQTT 5 defines SUBACK 0x8F for a filter that "is correctly formed
 * but is not accepted", so a filter that is not correctly formed is a Malformed Packet: DISCONNECT 0x81.
 * A well-formed filter the broker refuses (ACL) still gets its SUBACK code, and so does a "$share/" filter:
 * the shared-subscription parser judges its ShareName and inner filter [MQTT-4.8.2-1][MQTT-4.8.2-2] (0x8F).
 */
export function assertWellFormedFilter(filter: string, version: ProtocolVersion | undefined): void {
  if (isValidTopicFilter(filter) || filter.startsWith(SHARED_PREFIX)) return;
  throw malformed(`malformed topic filter ${JSON.stringify(filter)}`, filterRule(filter, version));
}

/** The rule a malformed filter breaks, by its version's numbering (3.1.1 numbers the wildcard rules one up). */
function filterRule(filter: string, version: ProtocolVersion | undefined): string {
  if (filter.length === 0) return 'MQTT-4.7.3-1';
  const hash = filter.indexOf('#');
  const hashMisplaced =
    hash >= 0 && (hash !== filter.length - 1 || (hash > 0 && filter.charCodeAt(hash - 1) !== 0x2f));
  if (hashMisplaced) return version === 5 ? 'MQTT-4.7.1-1' : 'MQTT-4.7.1-2';
  return version === 5 ? 'MQTT-4.7.1-2' : 'MQTT-4.7.1-3';
}
