import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PasswdUsageError, parsePasswdArgs } from './passwd-args.js';
import { deleteUser, findCorruptLine, setUser, splitLines, upgradeLines } from './passwd-file.js';

test('parsePasswdArgs reads mosquitto_passwd command lines', () => {
  assert.deepEqual(parsePasswdArgs(['-c', '-b', 'f', 'u', 'p']), {
    mode: 'set',
    create: true,
    file: 'f',
    username: 'u',
    password: 'p',
    hash: 'sha512-pbkdf2',
    iterations: undefined,
  });
  assert.deepEqual(parsePasswdArgs(['-H', 'sha512', '-I', '5', 'f', 'u']), {
    mode: 'set',
    create: false,
    file: 'f',
    username: 'u',
    password: undefined,
    hash: 'sha512',
    iterations: 5,
  });
  assert.equal((parsePasswdArgs(['-D', 'f', 'u']) as { mode: string }).mode, 'delete');
  assert.equal((parsePasswdArgs(['-U', 'f']) as { mode: string }).mode, 'upgrade');
  assert.equal(parsePasswdArgs(['--help']), 'help');
  assert.equal(
    (parsePasswdArgs(['-b', 'f', '-u', 'p']) as { username: string }).username,
    '-u',
    'positionals may start with -',
  );
});

test('parsePasswdArgs refuses what mosquitto_passwd refuses', () => {
  const bad = [
    [],
    ['f'],
    ['-b', 'f', 'u'],
    ['-c', '-D', 'f', 'u'],
    ['-U'],
    ['-U', '-c', 'f'],
    ['-H'],
    ['-I', '0', 'f', 'u'],
    ['-z', 'f', 'u'],
    ['-D', '-b', 'f', 'u', 'p'],
  ];
  for (const argv of bad) {
    assert.throws(() => parsePasswdArgs(argv), PasswdUsageError, argv.join(' '));
  }
});

test('password file edits keep every other line as it was', async () => {
  const lines = splitLines('# c\r\nalice:A\n\nbob:B\n');
  assert.deepEqual(lines, ['# c', 'alice:A', '', 'bob:B']);
  assert.deepEqual(setUser(lines, 'bob', 'X'), ['# c', 'alice:A', '', 'bob:X']);
  assert.deepEqual(setUser(lines, 'carol', 'C'), ['# c', 'alice:A', '', 'bob:B', 'carol:C']);
  assert.deepEqual(deleteUser(lines, 'alice'), ['# c', '', 'bob:B']);
  assert.equal(deleteUser(lines, 'al'), undefined, 'a prefix of a username is another user');
  assert.deepEqual(setUser(['a:1', 'a:2'], 'a', '3'), ['a:3'], 'a duplicated user ends up once');
  assert.equal(findCorruptLine(lines), undefined);
  assert.equal(findCorruptLine(['a:1', 'oops'])?.line, 2);
  assert.equal(findCorruptLine([':nouser'])?.line, 1);
  const upgraded = await upgradeLines(
    ['# c', 'a:pw', 'b:$7$x'],
    (v) => v.startsWith('$7$'),
    (p) => `H(${p})`,
  );
  assert.deepEqual(upgraded, { lines: ['# c', 'a:H(pw)', 'b:$7$x'], hashed: 1 });
});
