import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAclFile } from './acl-parse.js';
import { AuthFileError } from './file-error.js';

test('parseAclFile: sections, access words, comments, blank lines, CRLF and indentation', () => {
  const rules = parseAclFile(
    [
      '# comment',
      '',
      'topic read a/#',
      '  topic b',
      '\ttopic   deny   c/+  ',
      'user alice',
      '   # an indented comment',
      'topic write d',
      'pattern readwrite e/%u/#',
      'user bob smith',
      'topic readwrite f g/h',
      'topic read',
      'user alice',
      'topic read i',
    ].join('\r\n'),
  );
  assert.deepEqual(rules.anonymous, [
    { access: 'read', topic: 'a/#', line: 3 },
    { access: 'readwrite', topic: 'b', line: 4 },
    { access: 'deny', topic: 'c/+', line: 5 },
  ]);
  assert.deepEqual(rules.users.get('alice'), [
    { access: 'write', topic: 'd', line: 8 },
    { access: 'read', topic: 'i', line: 14 },
  ]);
  assert.deepEqual(rules.users.get('bob smith'), [
    { access: 'readwrite', topic: 'f g/h', line: 11 },
    // mosquitto reads a lone access word as the topic, with readwrite access.
    { access: 'readwrite', topic: 'read', line: 12 },
  ]);
  assert.deepEqual(rules.patterns, [{ access: 'readwrite', topic: 'e/%u/#', line: 9 }]);
});

test('parseAclFile: a pattern applies to everyone wherever it is written', () => {
  const rules = parseAclFile('user a\npattern read x/%c\ntopic read y\n');
  assert.deepEqual(rules.patterns, [{ access: 'read', topic: 'x/%c', line: 2 }]);
  assert.deepEqual(rules.users.get('a'), [{ access: 'read', topic: 'y', line: 3 }]);
  assert.deepEqual(rules.anonymous, []);
});

const errors: [string, string, RegExp][] = [
  ['unknown keyword', 'topic read a\nusr alice\n', /at acl:2: unknown keyword 'usr'/],
  ['user without a name', 'user\n', /at acl:1: 'user' needs a username/],
  ['topic without a topic', 'topic\n', /at acl:1: 'topic' needs a topic/],
  ['pattern without a topic', '\n\npattern\n', /at acl:3: 'pattern' needs a topic/],
  ['misspelt access', 'topic raed a/b\n', /at acl:1: unknown access 'raed'/],
  ['topic with a space and no access', 'topic foo bar\n', /at acl:1: unknown access 'foo'/],
  ['# not last', 'topic read a/#/b\n', /at acl:1: 'a\/#\/b' is not a valid topic filter/],
  ['+ sharing a level', 'pattern read a+/b\n', /at acl:1: 'a\+\/b' is not a valid topic filter/],
  ['# sharing a level', 'user u\ntopic read a/b#\n', /at acl:2: 'a\/b#' is not a valid topic filter/],
  ['keywords are case-sensitive', 'Topic read a\n', /at acl:1: unknown keyword 'Topic'/],
];
for (const [title, text, message] of errors) {
  test(`parseAclFile error: ${title} (code, file:line, message)`, () => {
    assert.throws(
      () => parseAclFile(text, 'acl'),
      (error: unknown) =>
        error instanceof AuthFileError &&
        error.code === 'MIDGE_AUTH_ACL_FILE_SYNTAX' &&
        error.file === 'acl' &&
        message.test(error.message),
    );
  });
}
