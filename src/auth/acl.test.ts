import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Acl, filterCovers, substitutePattern, type AclSubject } from './acl.js';

const ACL_TEXT = `
# Anonymous clients (no username): the lines before any 'user'.
topic read public/#
topic write inbox/anon
topic readwrite anon/rw
topic anon/default
topic read $SYS/broker/uptime

user alice
topic readwrite alice/#
topic deny alice/secret
topic read wide/#
topic write ingest/+/data
topic read exact/b
topic read plus/+

user bob
topic read #
topic deny private/#

user sys
topic read $SYS/#

# A second section for alice adds to the first.
user alice
topic read later/#

pattern readwrite users/%u/#
pattern read devices/%c/#
pattern write devices/%c/state
pattern deny users/%u/locked
pattern read dev-%c/status
`;

const acl = Acl.parse(ACL_TEXT, 'acl');
const anon: AclSubject = { clientId: 'anon-1', username: undefined };
const alice: AclSubject = { clientId: 'alice-phone', username: 'alice' };
const bob: AclSubject = { clientId: 'bob-1', username: 'bob' };
const sys: AclSubject = { clientId: 'sys-1', username: 'sys' };
const nobody: AclSubject = { clientId: 'n-1', username: 'nobody' };
const as = (username: string | undefined, clientId = 'c'): AclSubject => ({ clientId, username });

type Op = 'publish' | 'read' | 'subscribe';
// [title, who, op, topic or filter, allowed?]
const cases: [string, AclSubject, Op, string, boolean][] = [
  // anonymous section
  ['anonymous: read grant', anon, 'read', 'public/news', true],
  ['anonymous: read grant is not write', anon, 'publish', 'public/news', false],
  ['anonymous: write grant', anon, 'publish', 'inbox/anon', true],
  ['anonymous: write grant is not read', anon, 'read', 'inbox/anon', false],
  ['anonymous: readwrite reads', anon, 'read', 'anon/rw', true],
  ['anonymous: readwrite writes', anon, 'publish', 'anon/rw', true],
  ['anonymous: no access word means readwrite (read)', anon, 'read', 'anon/default', true],
  ['anonymous: no access word means readwrite (write)', anon, 'publish', 'anon/default', true],
  ['anonymous: no matching rule denies', anon, 'publish', 'elsewhere', false],
  ['anonymous: rules of a user section do not apply', anon, 'read', 'alice/x', false],
  ['user: the anonymous section does not apply to a named user', alice, 'read', 'public/news', false],
  ['user without a section: only patterns apply', nobody, 'read', 'public/news', false],
  // user section
  ['user: readwrite subtree (write)', alice, 'publish', 'alice/a/b', true],
  ['user: readwrite subtree (read)', alice, 'read', 'alice/a/b', true],
  ['user: # covers the parent level', alice, 'publish', 'alice', true],
  ['user: another user section does not apply', alice, 'read', 'private/x', false],
  ['user: a second section adds to the first', alice, 'read', 'later/x', true],
  ['user: read rule does not grant write', alice, 'publish', 'wide/x', false],
  ['user: write rule with + (write)', alice, 'publish', 'ingest/s1/data', true],
  ['user: write rule does not grant read', alice, 'read', 'ingest/s1/data', false],
  ['user: + is one level only', alice, 'publish', 'ingest/s1/x/data', false],
  ['user: usernames are case-sensitive', as('Alice'), 'read', 'alice/x', false],
  // deny precedence
  ['deny beats an earlier readwrite (write)', alice, 'publish', 'alice/secret', false],
  ['deny beats an earlier readwrite (read)', alice, 'read', 'alice/secret', false],
  ['deny is exact: its neighbours stay granted', alice, 'read', 'alice/secret2', true],
  ['deny beats a broader # read', bob, 'read', 'private/diary', false],
  ['pattern deny beats a pattern grant', as('carol'), 'publish', 'users/carol/locked', false],
  ['pattern deny beats a pattern grant (read)', as('carol'), 'read', 'users/carol/locked', false],
  ['pattern grant still works beside its deny', as('carol'), 'publish', 'users/carol/open', true],
  // patterns: %u and %c
  ['pattern %u: own tree', as('carol'), 'publish', 'users/carol/x', true],
  ["pattern %u: another user's tree", as('carol'), 'publish', 'users/dave/x', false],
  ['pattern %u: no username, no match', anon, 'publish', 'users/undefined/x', false],
  ['pattern %u: applies with a user section too', alice, 'publish', 'users/alice/x', true],
  ['pattern %c: own device (read)', as('carol', 'dev7'), 'read', 'devices/dev7/temp', true],
  ['pattern %c: own device state (write)', as('carol', 'dev7'), 'publish', 'devices/dev7/state', true],
  ['pattern %c: only state is writable', as('carol', 'dev7'), 'publish', 'devices/dev7/temp', false],
  ["pattern %c: another device's state", as('carol', 'dev7'), 'publish', 'devices/dev8/state', false],
  ['pattern %c: anonymous clients too', as(undefined, 'dev7'), 'read', 'devices/dev7/temp', true],
  [
    'pattern %c inside a level (mosquitto 2 substitutes it)',
    as('x', 'dev7'),
    'read',
    'dev-dev7/status',
    true,
  ],
  ['pattern %c inside a level: other client', as('x', 'dev7'), 'read', 'dev-dev8/status', false],
  // crafted usernames and client ids must not escape
  ["username '+' does not become a wildcard", as('+'), 'publish', 'users/dave/x', false],
  ["username '+' gets nothing, not even 'users/+/x'", as('+'), 'publish', 'users/+/x', false],
  ["username '#' does not become a wildcard", as('#'), 'read', 'users/dave/x', false],
  ["username 'a/b' does not reach into user a's tree", as('a/b'), 'publish', 'users/a/b/x', false],
  ["username 'a/b' gets no tree at all", as('a/b'), 'publish', 'users/a/b', false],
  ["username '..' is just a level name", as('..'), 'publish', 'users/../x', true],
  ["username '..' does not climb", as('..'), 'publish', 'users/dave/x', false],
  ["username '..' does not climb out of users/", as('..'), 'publish', 'alice/x', false],
  ["username '%c' is not substituted again", as('%c', 'dave'), 'publish', 'users/dave/x', false],
  ["username '%c' is its literal self", as('%c', 'dave'), 'publish', 'users/%c/x', true],
  ["client id '+' does not become a wildcard", as('x', '+'), 'publish', 'devices/dev8/state', false],
  ["client id '#' does not become a wildcard", as('x', '#'), 'read', 'devices/dev8/temp', false],
  ["client id 'a/b' does not shift levels", as('x', 'a/b'), 'read', 'devices/a/b/temp', false],
  ["client id '+' inside a level", as('x', '+'), 'read', 'dev-+/status', false],
  ['an empty username fills no level', as(''), 'publish', 'users//x', false],
  // subscribe: allowed when a read rule could grant part of the filter (deliveries are checked one by one)
  ['subscribe: a/# read covers a/+/b', alice, 'subscribe', 'wide/+/b', true],
  ['subscribe: a/# read covers a/#', alice, 'subscribe', 'wide/#', true],
  ['subscribe: a/# read covers a itself', alice, 'subscribe', 'wide', true],
  ['subscribe: a/b read lets a/# through (it could grant a/b)', alice, 'subscribe', 'exact/#', true],
  ['subscribe: a/b read lets a/+ through', alice, 'subscribe', 'exact/+', true],
  ['subscribe: a/b read covers a/b', alice, 'subscribe', 'exact/b', true],
  ['subscribe: a/+ read covers a/+', alice, 'subscribe', 'plus/+', true],
  ['subscribe: a/+ read covers a/x', alice, 'subscribe', 'plus/x', true],
  ['subscribe: a/+ read lets a/# through', alice, 'subscribe', 'plus/#', true],
  ['subscribe: a/+ read cannot grant a/x/y', alice, 'subscribe', 'plus/x/y', false],
  ['subscribe: write is not read', alice, 'subscribe', 'ingest/s1/data', false],
  ['subscribe: no rule reaches the filter', alice, 'subscribe', 'nothing/+', false],
  ['subscribe: deny covering the filter refuses it', alice, 'subscribe', 'alice/secret', false],
  ['subscribe: deny covering part of the filter leaves it to delivery', alice, 'subscribe', 'alice/#', true],
  ['subscribe: deny private/# refuses private/+', bob, 'subscribe', 'private/+', false],
  ['subscribe: # read covers #', bob, 'subscribe', '#', true],
  ['subscribe: pattern %u covers own subtree', as('carol'), 'subscribe', 'users/carol/+/x', true],
  [
    'subscribe: pattern %u lets users/+ through (delivery checks each topic)',
    as('carol'),
    'subscribe',
    'users/+/x',
    true,
  ],
  ["subscribe: username '+' gets no users/+ subscription", as('+'), 'subscribe', 'users/+/x', false],
  ["subscribe: username '#' gets no users/# subscription", as('#'), 'subscribe', 'users/#', false],
  ['subscribe: $share/<group>/ is checked by its filter', alice, 'subscribe', '$share/g/wide/+', true],
  [
    'subscribe: $share/<group>/ with a filter no rule reaches',
    alice,
    'subscribe',
    '$share/g/nothing/#',
    false,
  ],
  ['subscribe: a malformed $share is refused', alice, 'subscribe', '$share//wide/x', false],
  // $-topics [MQTT-4.7.2-1]
  ['$SYS: # read does not read $SYS [MQTT-4.7.2-1]', bob, 'read', '$SYS/broker/uptime', false],
  ['$SYS: # read does not subscribe $SYS/# [MQTT-4.7.2-1]', bob, 'subscribe', '$SYS/#', false],
  ['$SYS: # read does not subscribe $SYS/+/uptime [MQTT-4.7.2-1]', bob, 'subscribe', '$SYS/+/uptime', false],
  ['$SYS: an explicit $SYS/# rule reads', sys, 'read', '$SYS/broker/clients', true],
  ['$SYS: an explicit $SYS/# rule subscribes', sys, 'subscribe', '$SYS/broker/#', true],
  ['$SYS: an explicit $SYS topic for anonymous clients', anon, 'read', '$SYS/broker/uptime', true],
  ['$SYS: only that topic', anon, 'read', '$SYS/broker/clients', false],
  ['$SYS: read is not write', sys, 'publish', '$SYS/broker/clients', false],
  ["$SYS: username '$SYS' does not reach $SYS through a %u first level", as('$SYS'), 'read', '$SYS/x', false],
];

for (const [title, who, op, topic, expected] of cases) {
  test(`acl ${op}: ${title}`, () => {
    const answer =
      op === 'publish'
        ? acl.allowsPublish(who, topic)
        : op === 'read'
          ? acl.allowsRead(who, topic)
          : acl.allowsSubscribe(who, topic);
    assert.equal(answer, expected);
  });
}

test('acl: a %u first level is refused for a username starting with $', () => {
  const own = Acl.parse('pattern readwrite %u/#\n');
  assert.equal(own.allowsRead(as('carol'), 'carol/x'), true);
  assert.equal(own.allowsRead(as('$SYS'), '$SYS/broker/uptime'), false);
  assert.equal(own.allowsSubscribe(as('$SYS'), '$SYS/#'), false);
});

test('acl: a pattern without placeholders applies to everyone, anonymous included', () => {
  const everyone = Acl.parse('pattern read news/#\nuser alice\ntopic write x\n');
  assert.equal(everyone.allowsRead(anon, 'news/a'), true);
  assert.equal(everyone.allowsRead(alice, 'news/a'), true);
  assert.equal(everyone.allowsRead(nobody, 'news/a'), true);
});

test('acl: a deny in one section beats a grant in another (user deny vs pattern grant, and back)', () => {
  const mixed = Acl.parse(
    'user alice\ntopic write shared/x\ntopic deny users/alice/x\npattern readwrite users/%u/#\npattern deny shared/x\n',
  );
  assert.equal(mixed.allowsPublish(alice, 'users/alice/x'), false);
  assert.equal(mixed.allowsPublish(alice, 'users/alice/y'), true);
  assert.equal(mixed.allowsPublish(alice, 'shared/x'), false);
});

test('acl: an empty file denies everything', () => {
  const empty = Acl.parse('# nothing\n\n');
  assert.equal(empty.allowsPublish(alice, 'a'), false);
  assert.equal(empty.allowsRead(anon, 'a'), false);
  assert.equal(empty.allowsSubscribe(alice, '#'), false);
});

test('acl: answers are stable when the same identity asks again (per-identity rules are cached)', () => {
  const who = as('carol', 'dev7');
  for (let i = 0; i < 3; i++) {
    assert.equal(acl.allowsPublish(who, 'users/carol/x'), true);
    assert.equal(acl.allowsRead(who, 'devices/dev7/x'), true);
    assert.equal(acl.allowsRead(who, 'devices/dev8/x'), false);
  }
});

const coverage: [string, string, boolean][] = [
  ['#', '#', true],
  ['#', 'a/+/#', true],
  ['#', '$SYS/#', false],
  ['+/#', '$SYS/x', false],
  ['$SYS/#', '$SYS/#', true],
  ['$SYS/#', '$SYS', true],
  ['a/#', 'a', true],
  ['a/#', 'a/', true],
  ['a/+', 'a', false],
  ['a/+', 'a/', true],
  ['a/+', 'a/+', true],
  ['a/+', 'a/#', false],
  ['+/+', '+/b', true],
  ['+/b', '+/+', false],
  ['a/b', 'a/b', true],
  ['a/b', 'a/b/c', false],
  ['a/b/c', 'a/b', false],
  ['a//b', 'a/+/b', false],
  ['a/+/b', 'a//b', true],
];
for (const [outer, inner, expected] of coverage) {
  test(`filterCovers('${outer}', '${inner}') is ${expected}`, () => {
    assert.equal(filterCovers(outer, inner), expected);
  });
}

test('substitutePattern: per level, refusing unsafe values', () => {
  assert.equal(substitutePattern('a/%u/%c', as('u', 'c')), 'a/u/c');
  assert.equal(substitutePattern('a/x%u-%c', as('u', 'c')), 'a/xu-c');
  assert.equal(substitutePattern('a/%u', as(undefined)), undefined);
  for (const bad of ['+', '#', 'a/b', '', 'x+', 'x#y']) {
    assert.equal(substitutePattern('a/%u', as(bad)), undefined, bad);
    assert.equal(substitutePattern('a/%c', as('u', bad)), undefined, bad);
  }
  assert.equal(substitutePattern('%u/#', as('$SYS')), undefined);
  assert.equal(substitutePattern('$%u/#', as('x')), '$x/#');
  assert.equal(substitutePattern('a/%u', as('$x')), 'a/$x');
  assert.equal(substitutePattern('a/%x', as('u')), 'a/%x');
  assert.equal(substitutePattern('a/$&', as('u')), 'a/$&');
  assert.equal(substitutePattern('a/%u', as('$&')), 'a/$&', 'replacement patterns are not interpreted');
});
