// ACL rows from a database (auth-plug / go-auth / EMQX 4 style) turned into grants, and the checks on them.
// A grant says which of read, write and subscribe one topic filter gives; what an `rw` number means depends
// on the convention of its source. In every convention that has "read", read also grants SUBSCRIBE: under
// mosquitto ≥ 1.5 auth-plug checked SUBSCRIBE as access 4, which `rw >= 4` never matched, so a plain
// read/write table refused every subscription. Midge treats subscribe as read.
import { topicMatches } from '../topic/match.js';
import { parseSharedSubscription } from '../topic/shared.js';
import { filtersIntersect, substitutePattern, type AclSubject } from './acl.js';
import type { Access } from './types.js';

/**
 * How a source's `rw` numbers read:
 * - 'auth-plug' (monotonic, the default): 1 read, 2 read and write; a row grants every access up to its rw.
 * - 'bitmask' (mosquitto-go-auth): 1 read, 2 write, 3 read and write, 4 subscribe; bits combine.
 * - 'emqx' (EMQX 4): 1 subscribe, 2 publish, 3 both; subscribing also lets messages through.
 */
export type RwConvention = 'auth-plug' | 'bitmask' | 'emqx';

export const RW_CONVENTIONS: readonly RwConvention[] = ['auth-plug', 'bitmask', 'emqx'];

export interface Permissions {
  readonly read: boolean;
  readonly write: boolean;
  readonly subscribe: boolean;
}

export interface AclGrant extends Permissions {
  /** An ACL topic filter; %u and %c are substituted per client. */
  readonly topic: string;
  /** The rule as its source shows it, for `explain`: "acls row (client, /p/client/download, rw 1)". */
  readonly source: string;
}

/** What `rw` grants in a convention; undefined for a value the convention does not define. */
export function permissionsOf(rw: number, convention: RwConvention): Permissions | undefined {
  if (!Number.isInteger(rw) || rw < 1) return undefined;
  switch (convention) {
    case 'auth-plug':
      return { read: rw >= 1, write: rw >= 2, subscribe: rw >= 1 };
    case 'bitmask':
      if (rw > 7) return undefined;
      return { read: (rw & 1) !== 0, write: (rw & 2) !== 0, subscribe: (rw & 5) !== 0 };
    case 'emqx':
      if (rw > 3) return undefined;
      return { read: (rw & 1) !== 0, write: (rw & 2) !== 0, subscribe: (rw & 1) !== 0 };
  }
}

/**
 * The access values a custom `aclquery` (`... rw >= $2`) is run with to find the rows that grant `access`.
 * Subscribe under the bitmask convention is asked both ways: a subscribe-only row (4) or a read row (1).
 */
export function accessCodes(access: Access, convention: RwConvention): readonly number[] {
  if (access === 'write') return [2];
  if (access === 'subscribe' && convention === 'bitmask') return [4, 1];
  return [1];
}

/** The grant that allows `access` to `topic` (a topic name, or a filter for subscribe), if any. */
export function findGrant(
  grants: readonly AclGrant[],
  who: AclSubject,
  topic: string,
  access: Access,
): AclGrant | undefined {
  let target = topic;
  if (access === 'subscribe') {
    const shared = parseSharedSubscription(topic);
    if (shared !== null) {
      if (!shared.ok) return undefined;
      target = shared.filter;
    }
  }
  for (const grant of grants) {
    if (!grant[access]) continue;
    const filter = substitutePattern(grant.topic, who);
    if (filter === undefined) continue;
    const matches = access === 'subscribe' ? filtersIntersect(filter, target) : topicMatches(filter, target);
    if (matches) return grant;
  }
  return undefined;
}

/** auth-plug's `auth_opt_superusers`: comma-separated fnmatch globs ('*' any run, '?' one character). */
export function compileGlobs(list: string | undefined): (username: string) => string | undefined {
  const globs = (list ?? '')
    .split(',')
    .map((g) => g.trim())
    .filter((g) => g !== '');
  const patterns = globs.map((glob) => {
    const body = glob
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.');
    return { glob, regex: new RegExp(`^${body}$`, 's') };
  });
  return (username) => patterns.find((p) => p.regex.test(username))?.glob;
}
