// Matching one Topic Filter against one Topic Name (section 4.7), walking both strings in place:
// no split, no substring, no allocation. The filter is assumed valid (see validate.ts).

const PLUS = 0x2b;
const HASH = 0x23;
const DOLLAR = 0x24;

/** End of the level starting at `start`: the index of the next '/' or the string's length. */
function levelEnd(text: string, start: number): number {
  const slash = text.indexOf('/', start);
  return slash === -1 ? text.length : slash;
}

/**
 * Does `filter` match `topic`? Levels compare exactly as received [MQTT-4.7.3-4]; a level may be empty
 * ('/a', 'a//b'); '+' matches one level, empty included; 'a/#' also matches 'a' (the parent level).
 */
export function topicMatches(filter: string, topic: string): boolean {
  if (topic.charCodeAt(0) === DOLLAR) {
    const first = filter.charCodeAt(0);
    if (first === PLUS || first === HASH) return false; // [MQTT-4.7.2-1]
  }
  const filterLength = filter.length;
  const topicLength = topic.length;
  // fi / ti: start of the current level; length + 1 once the last level has been consumed.
  let fi = 0;
  let ti = 0;
  for (;;) {
    if (fi > filterLength) return ti > topicLength;
    const fe = levelEnd(filter, fi);
    const levelLength = fe - fi;
    const first = filter.charCodeAt(fi);
    if (levelLength === 1 && first === HASH) return true; // the rest, and the parent level itself
    if (ti > topicLength) return false;
    const te = levelEnd(topic, ti);
    if (levelLength !== 1 || first !== PLUS) {
      if (te - ti !== levelLength) return false;
      for (let k = 0; k < levelLength; k++) {
        if (filter.charCodeAt(fi + k) !== topic.charCodeAt(ti + k)) return false;
      }
    }
    fi = fe === filterLength ? filterLength + 1 : fe + 1;
    ti = te === topicLength ? topicLength + 1 : te + 1;
  }
}
