// Topic Name and Topic Filter validation (MQTT 3.1.1 and 5.0 section 4.7). Pure: no I/O, no allocation on the
// common path. Ids in comments use the 5.0 list; the 3.1.1 id follows in parentheses where it differs.

const SLASH = 0x2f;
const PLUS = 0x2b;
const HASH = 0x23;
const NUL = 0x00;

/** The largest UTF-8 encoded string MQTT can carry: a two-byte length prefix [MQTT-4.7.3-3]. */
export const MAX_TOPIC_BYTES = 65535;

/** UTF-8 length without encoding: a JS string of n UTF-16 units encodes to at most 3n bytes. */
function fitsInTopicBytes(text: string): boolean {
  if (text.length * 3 <= MAX_TOPIC_BYTES) return true;
  if (text.length > MAX_TOPIC_BYTES) return false;
  return Buffer.byteLength(text, 'utf8') <= MAX_TOPIC_BYTES;
}

/**
 * A Topic Name a PUBLISH may carry: at least one character [MQTT-4.7.3-1], no wildcard
 * [MQTT-4.7.0-1] (3.1.1: [MQTT-4.7.1-1]), no U+0000 [MQTT-4.7.3-2], at most 65535 bytes [MQTT-4.7.3-3].
 */
export function isValidTopicName(topic: string): boolean {
  if (topic.length === 0) return false; // [MQTT-4.7.3-1]
  for (let i = 0; i < topic.length; i++) {
    const c = topic.charCodeAt(i);
    if (c === PLUS || c === HASH) return false; // [MQTT-4.7.0-1]
    if (c === NUL) return false; // [MQTT-4.7.3-2]
  }
  return fitsInTopicBytes(topic); // [MQTT-4.7.3-3]
}

/**
 * A Topic Filter a SUBSCRIBE or UNSUBSCRIBE may carry: at least one character [MQTT-4.7.3-1], no U+0000
 * [MQTT-4.7.3-2], at most 65535 bytes [MQTT-4.7.3-3]; '#' alone in the last level [MQTT-4.7.1-1]
 * (3.1.1: [MQTT-4.7.1-2]); '+' alone in its level [MQTT-4.7.1-2] (3.1.1: [MQTT-4.7.1-3]).
 */
export function isValidTopicFilter(filter: string): boolean {
  const length = filter.length;
  if (length === 0) return false; // [MQTT-4.7.3-1]
  for (let i = 0; i < length; i++) {
    const c = filter.charCodeAt(i);
    if (c === NUL) return false; // [MQTT-4.7.3-2]
    if (c === PLUS || c === HASH) {
      // The wildcard must fill its level: a '/' (or the start) before it, a '/' (or the end) after it.
      if (i > 0 && filter.charCodeAt(i - 1) !== SLASH) return false;
      if (c === HASH) {
        if (i !== length - 1) return false; // [MQTT-4.7.1-1] '#' is the last character
      } else if (i + 1 < length && filter.charCodeAt(i + 1) !== SLASH) {
        return false; // [MQTT-4.7.1-2] '+' fills the whole level
      }
    }
  }
  return fitsInTopicBytes(filter); // [MQTT-4.7.3-3]
}

/** True when the filter has a '+' or '#' anywhere (for a valid filter: a wildcard level). */
export function hasWildcard(filter: string): boolean {
  for (let i = 0; i < filter.length; i++) {
    const c = filter.charCodeAt(i);
    if (c === PLUS || c === HASH) return true;
  }
  return false;
}
