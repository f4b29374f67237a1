// The acl_file syntax mosquitto reads:
//   # comment                               (first non-blank character; blank lines are skipped too)
//   topic [read|write|readwrite|deny] <topic>  (no access word: readwrite; a topic with spaces needs one;
//                                              a lone `topic read` is the topic 'read', as in mosquitto)
//   user <username>                         (the following `topic` lines are this user's)
//   pattern [read|write|readwrite|deny] <topic>  (every client; %u and %c substituted, see acl.ts)
import { isValidTopicFilter } from '../topic/validate.js';
import { AuthFileError, numberedLines } from './file-error.js';

export type AclAccess = 'read' | 'write' | 'readwrite' | 'deny';

export interface AclRule {
  readonly access: AclAccess;
  /** A topic filter; for a pattern, %u and %c levels are substituted per client. */
  readonly topic: string;
  /** Where the rule was written, for messages. */
  readonly line: number;
}

export interface AclRules {
  /** `topic` lines before the first `user` line: clients without a username. */
  readonly anonymous: readonly AclRule[];
  /** `topic` lines after `user <name>`; two sections for one name add up. */
  readonly users: ReadonlyMap<string, readonly AclRule[]>;
  /** `pattern` lines, wherever they are written: every client. */
  readonly patterns: readonly AclRule[];
}

const ACCESS: ReadonlySet<string> = new Set<AclAccess>(['read', 'write', 'readwrite', 'deny']);
const FIRST_WORD = /^(\S+)(?:\s+(.*))?$/;

/** Parses the text of an acl_file; throws an AuthFileError naming `source` and the line on the first mistake. */
export function parseAclFile(text: string, source = '<acl file>'): AclRules {
  const anonymous: AclRule[] = [];
  const users = new Map<string, AclRule[]>();
  const patterns: AclRule[] = [];
  let section = anonymous;

  for (const { line, text: raw } of numberedLines(text)) {
    const content = raw.trim();
    if (content === '' || content.startsWith('#')) continue;
    const fail = (detail: string): never => {
      throw new AuthFileError('MIDGE_AUTH_ACL_FILE_SYNTAX', detail, source, line);
    };
    const [, keyword, rest] = FIRST_WORD.exec(content) as RegExpExecArray;
    if (keyword === 'user') {
      if (rest === undefined) fail("'user' needs a username: user <username>");
      const name = rest as string;
      section = users.get(name) ?? [];
      users.set(name, section);
      continue;
    }
    if (keyword !== 'topic' && keyword !== 'pattern') {
      fail(`unknown keyword '${keyword}': expected 'topic', 'user' or 'pattern' (comments start with '#')`);
    }
    if (rest === undefined)
      fail(`'${keyword}' needs a topic: ${keyword} [read|write|readwrite|deny] <topic>`);
    const [, first, after] = FIRST_WORD.exec(rest as string) as RegExpExecArray;
    let access: AclAccess = 'readwrite';
    let topic = first as string;
    if (ACCESS.has(topic) && after !== undefined) {
      access = topic as AclAccess;
      topic = after;
    } else if (after !== undefined) {
      fail(
        `unknown access '${topic}': expected read, write, readwrite or deny (a topic with spaces needs one)`,
      );
    }
    if (!isValidTopicFilter(topic)) {
      fail(
        `'${topic}' is not a valid topic filter: '+' and '#' must fill a whole level, and '#' must be last`,
      );
    }
    (keyword === 'pattern' ? patterns : section).push({ access, topic, line });
  }
  return { anonymous, users, patterns };
}
