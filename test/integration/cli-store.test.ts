// `midge user` and `midge acl` end to end: the exact command forms of issue 5 against the embedded SQLite
// store a config names, bad input refused with a code and nothing changed, and a running `midge` process that
// sees every change at once (checked with a real MQTT.js client).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startMidge } from '../helpers/midge-process.js';
import { login, nextMessage, subscribeCode } from '../helpers/mqtt-login.js';
import { describeExit, runProcess, type Exit } from '../interop/support.js';

const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

function workspace(t: { after: (fn: () => void) => void }): { dir: string; conf: string } {
  const dir = mkdtempSync(join(tmpdir(), 'midge-store-cli-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const conf = join(dir, 'midge.conf');
  writeFileSync(conf, `persistence_location ${join(dir, 'data')}\n`);
  return { dir, conf };
}

async function midge(args: string[], input?: string): Promise<Exit> {
  return runProcess(process.execPath, [CLI, ...args], { timeoutMs: 20_000, input });
}

async function ok(args: string[]): Promise<string> {
  const exit = await midge(args);
  assert.equal(exit.code, 0, describeExit(`midge ${args.join(' ')}`, exit));
  return exit.stdout;
}

test('the issue’s command forms build the seed table; list and explain read it back', async (t) => {
  const { conf } = workspace(t);
  await ok(['user', 'add', 'client', '--password', '123456', '-c', conf]);
  await ok(['user', 'add', 'server', '--password', 's3rver', '-c', conf]);
  await ok(['user', 'add', 'admin', '--password', 'root', '--superuser', '-c', conf]);
  await ok(['acl', 'add', 'client', '/p/client/upload', '--rw', '2', '-c', conf]);
  await ok(['acl', 'add', 'server', '/p/client/upload', '--rw', '2', '-c', conf]);
  await ok(['acl', 'add', 'client', '/p/client/download', '--rw', '1', '-c', conf]);
  await ok(['acl', 'add', 'server', '/p/client/download', '--rw', '2', '-c', conf]);
  assert.equal(await ok(['user', 'list', '-c', conf]), 'admin\tsuperuser\nclient\nserver\n');
  assert.equal(
    await ok(['acl', 'list', 'client', '-c', conf]),
    'client\t/p/client/download\t1\nclient\t/p/client/upload\t2\n',
  );
  const subscribe = await ok([
    'acl',
    'explain',
    'client',
    '/p/client/download',
    '--access',
    'subscribe',
    '-c',
    conf,
  ]);
  assert.match(subscribe, /^allow: subscribe '\/p\/client\/download' for 'client'/);
  const write = await ok(['acl', 'explain', 'client', '/p/client/download', '--access', 'write', '-c', conf]);
  assert.match(write, /^deny: write '\/p\/client\/download' for 'client'/);
  await ok(['user', 'superuser', 'admin', 'off', '-c', conf]);
  await ok(['user', 'password', 'client', '--password', 'new pw', '-c', conf]);
  await ok(['acl', 'remove', 'server', '/p/client/upload', '-c', conf]);
  assert.equal(await ok(['user', 'list', '-c', conf]), 'admin\nclient\nserver\n');
  assert.equal(await ok(['acl', 'list', 'server', '-c', conf]), 'server\t/p/client/download\t2\n');
  await ok(['user', 'remove', 'client', '-c', conf]);
  assert.equal(
    await ok(['acl', 'list', '-c', conf]),
    'server\t/p/client/download\t2\n',
    'its rules went with it',
  );
});

test('bad input: a coded message, exit 1, and the store unchanged', async (t) => {
  const { dir, conf } = workspace(t);
  await ok(['user', 'add', 'client', '--password', '123456', '-c', conf]);
  await ok(['acl', 'add', 'client', '/p/client/download', '--rw', '1', '-c', conf]);
  const snapshot = async (): Promise<string> =>
    (await ok(['user', 'list', '-c', conf])) + (await ok(['acl', 'list', '-c', conf]));
  const before = await snapshot();
  const unreachable = join(dir, 'unreachable.conf');
  writeFileSync(join(dir, 'a-file'), '');
  writeFileSync(unreachable, `persistence_location ${join(dir, 'a-file', 'data')}\n`);
  const cases: [string[], RegExp][] = [
    [['acl', 'add', 'nobody', '/x', '--rw', '1'], /MIDGE_AUTH_UNKNOWN_USER/],
    [['user', 'remove', 'nobody'], /MIDGE_AUTH_UNKNOWN_USER/],
    [['user', 'password', 'nobody', '--password', 'x'], /MIDGE_AUTH_UNKNOWN_USER/],
    [['user', 'superuser', 'nobody'], /MIDGE_AUTH_UNKNOWN_USER/],
    [['user', 'add', 'client', '--password', 'x'], /MIDGE_AUTH_USER_EXISTS/],
    [['acl', 'add', 'client', '/p/#/x', '--rw', '1'], /MIDGE_AUTH_BAD_TOPIC/],
    [['acl', 'add', 'client', '/p/a+', '--rw', '1'], /MIDGE_AUTH_BAD_TOPIC/],
    [['acl', 'add', 'client', '/p/x', '--rw', '7'], /MIDGE_AUTH_BAD_RW/],
    [['acl', 'add', 'client', '/p/x', '--rw', 'rw'], /MIDGE_AUTH_BAD_RW/],
    [['acl', 'add', 'client', '/p/x', '--rw', '0'], /MIDGE_AUTH_BAD_RW/],
    [['acl', 'remove', 'client', '/p/never'], /MIDGE_AUTH_UNKNOWN_ACL/],
    [['acl', 'explain', 'client', '/p/x', '--access', 'delete'], /MIDGE_CLI_BAD_ACCESS/],
    [['acl', 'explain', 'client', '/p/#', '--access', 'write'], /MIDGE_AUTH_BAD_TOPIC: .*no \+ or #/],
    [['acl', 'explain', 'client', '/p/#/x', '--access', 'subscribe'], /MIDGE_AUTH_BAD_TOPIC/],
    [['user', 'add', 'x:y\u0001', '--password', 'x'], /MIDGE_AUTH_BAD_USERNAME/],
  ];
  for (const [args, message] of cases) {
    const exit = await midge([...args, '-c', conf]);
    assert.equal(exit.code, 1, describeExit(args.join(' '), exit));
    assert.match(exit.stderr, message, args.join(' '));
  }
  const down = await midge(['user', 'add', 'bob', '--password', 'x', '-c', unreachable]);
  assert.equal(down.code, 1, describeExit('unreachable store', down));
  assert.match(down.stderr, /MIDGE_AUTH_STORE_UNAVAILABLE/);
  const missingConf = await midge(['user', 'list', '-c', join(dir, 'no-such.conf')]);
  assert.equal(missingConf.code, 1);
  assert.match(missingConf.stderr, /MIDGE_CONFIG_/);
  assert.equal(await snapshot(), before, 'nothing changed');
});

test('user add prompts for the password when --password is not given', async (t) => {
  const { conf } = workspace(t);
  const added = await midge(['user', 'add', 'client', '-c', conf], 'typed pw\ntyped pw\n');
  assert.equal(added.code, 0, describeExit('prompted add', added));
  const mismatch = await midge(['user', 'add', 'other', '-c', conf], 'one\ntwo\n');
  assert.equal(mismatch.code, 1);
  assert.match(mismatch.stderr, /MIDGE_CLI_PASSWORD_MISMATCH/);
  assert.equal(await ok(['user', 'list', '-c', conf]), 'client\n');
});

test('changes made while the broker runs take effect at once', async (t) => {
  const { dir, conf } = workspace(t);
  // The embedded store exists once a user is added; the broker then authenticates against it.
  await ok(['user', 'add', 'server', '--password', 's3rver', '-c', conf]);
  const broker = await startMidge({
    conf: `allow_anonymous false\npersistence_location ${join(dir, 'data')}`,
  });
  t.after(() => broker.stop());
  assert.equal((await login(broker.port, 'client', '123456')).code, 4, 'no such user yet');
  await ok(['user', 'add', 'client', '--password', '123456', '-c', conf]);
  const client = await login(broker.port, 'client', '123456');
  assert.equal(client.code, 0, broker.output());
  t.after(() => client.client?.end(true));
  const c = client.client!;
  assert.equal(await subscribeCode(c, '/p/client/download'), 0x80, 'no rule yet');
  const server = await login(broker.port, 'server', 's3rver');
  t.after(() => server.client?.end(true));
  await ok(['acl', 'add', 'server', '/p/client/download', '--rw', '2', '-c', conf]);
  await ok(['acl', 'add', 'client', '/p/client/download', '--rw', '1', '-c', conf]);
  assert.equal(await subscribeCode(c, '/p/client/download'), 1, 'granted once the rule exists');
  const arriving = nextMessage(c, '/p/client/download');
  await server.client!.publishAsync('/p/client/download', 'hello', { qos: 1 });
  assert.equal(await arriving, 'hello');

  await ok(['acl', 'remove', 'client', '/p/client/download', '-c', conf]);
  const withheld = nextMessage(c, '/p/client/download', 1000);
  await server.client!.publishAsync('/p/client/download', 'after removal', { qos: 1 });
  assert.equal(await withheld, undefined, 'the read check follows the removed rule');

  await ok(['user', 'password', 'client', '--password', 'changed', '-c', conf]);
  assert.equal((await login(broker.port, 'client', '123456')).code, 4, 'the old password stops working');
  const again = await login(broker.port, 'client', 'changed');
  assert.equal(again.code, 0);
  again.client?.end(true);
  await ok(['user', 'remove', 'client', '-c', conf]);
  assert.equal((await login(broker.port, 'client', 'changed')).code, 4, 'a removed user is refused');
});
