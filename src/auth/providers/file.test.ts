import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileProvider } from './file.js';
import { AuthChain } from '../chain.js';
import { AuthFileError } from '../file-error.js';
import { hashPassword } from '../password.js';
import type { Credentials, Identity } from '../types.js';
import { MOSQUITTO_PASSWD_FILE, SAMPLE_ACL_FILE } from '../../../test/fixtures/auth/users.js';

function identity(username: string | undefined, clientId = 'client-1'): Identity {
  return { clientId, username, remoteAddress: '127.0.0.1', listenerId: 'tcp' };
}

function credentials(username: string | undefined, password: string | undefined): Credentials {
  return {
    ...identity(username),
    password: password === undefined ? undefined : Buffer.from(password, 'utf8'),
  };
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'midge-auth-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('file provider: right password allows, wrong password and unknown user deny with 0x86', async () => {
  const provider = createFileProvider({ passwordFile: MOSQUITTO_PASSWD_FILE });
  assert.equal(provider.name, 'file');
  assert.deepEqual(await provider.authenticate(credentials('alice', 'alice-secret')), { decision: 'allow' });
  assert.deepEqual(await provider.authenticate(credentials('carol', 'carol-6')), { decision: 'allow' });
  assert.deepEqual(await provider.authenticate(credentials('ümlaut', 'pässwörd ✓')), { decision: 'allow' });
  const denied = { decision: 'deny', reasonCode: 0x86 };
  assert.deepEqual(await provider.authenticate(credentials('alice', 'wrong')), denied);
  assert.deepEqual(await provider.authenticate(credentials('alice', undefined)), denied);
  assert.deepEqual(await provider.authenticate(credentials('mallory', 'alice-secret')), denied);
});

test('file provider: no username defers to the anonymous policy', async () => {
  const provider = createFileProvider({ passwordFile: MOSQUITTO_PASSWD_FILE });
  assert.deepEqual(await provider.authenticate(credentials(undefined, undefined)), { decision: 'defer' });
  assert.deepEqual(await provider.authenticate(credentials(undefined, 'alice-secret')), {
    decision: 'defer',
  });
  const open = new AuthChain([provider], { allowAnonymous: true });
  const closed = new AuthChain([provider], { allowAnonymous: false });
  assert.equal((await open.authenticate(credentials(undefined, undefined))).decision, 'allow');
  assert.equal((await closed.authenticate(credentials(undefined, undefined))).decision, 'deny');
  assert.equal((await open.authenticate(credentials('mallory', 'x'))).decision, 'deny');
});

test('file provider: without a password file authentication defers', async () => {
  const provider = createFileProvider({ aclFile: SAMPLE_ACL_FILE });
  assert.deepEqual(await provider.authenticate(credentials('alice', 'anything')), { decision: 'defer' });
});

test('file provider: without an acl file it has no authorize methods, so the chain asks nothing', () => {
  const provider = createFileProvider({ passwordFile: MOSQUITTO_PASSWD_FILE });
  assert.equal(provider.authorizePublish, undefined);
  assert.equal(provider.authorizeSubscribe, undefined);
  assert.equal(provider.authorizeRead, undefined);
  const chain = new AuthChain([provider], { allowAnonymous: false });
  assert.equal(chain.hasAcl, false);
  assert.equal(chain.authorizeRead(identity('alice'), 'any/topic'), true);
});

test('file provider: the sample acl file answers publish, subscribe and read', async () => {
  const provider = createFileProvider({ passwordFile: MOSQUITTO_PASSWD_FILE, aclFile: SAMPLE_ACL_FILE });
  const alice = identity('alice', 'alice-phone');
  const bob = identity('bob', 'bob-1');
  const anon = identity(undefined, 'sensor-9');
  const publish = (who: Identity, topic: string) => provider.authorizePublish?.(who, topic, 1, false);
  const subscribe = (who: Identity, filter: string) => provider.authorizeSubscribe?.(who, filter, 1);
  const read = (who: Identity, topic: string) => provider.authorizeRead?.(who, topic);

  assert.equal(await publish(alice, 'alice/x'), 'allow');
  assert.equal(await publish(alice, 'alice/secret'), 'deny');
  assert.equal(await publish(alice, 'bob/out'), 'deny');
  assert.equal(await publish(bob, 'bob/out'), 'allow');
  assert.equal(await publish(bob, 'anything/else'), 'deny', 'read # is not write');
  assert.equal(await publish(anon, 'public/x'), 'deny');
  assert.equal(await publish(anon, 'devices/sensor-9/state'), 'allow', 'pattern %c');
  assert.equal(await publish(alice, 'users/alice/notes'), 'allow', 'pattern %u');
  assert.equal(await publish(identity('+'), 'users/alice/notes'), 'deny');

  assert.equal(await subscribe(alice, 'shared/+/status'), 'allow');
  assert.equal(await subscribe(alice, 'shared/#'), 'allow', 'shared/+/status could grant part of it');
  assert.equal(await subscribe(alice, 'elsewhere/#'), 'deny');
  assert.equal(await subscribe(bob, '#'), 'allow');
  assert.equal(await subscribe(bob, '$SYS/#'), 'deny');
  assert.equal(await subscribe(anon, '$SYS/broker/uptime'), 'allow');
  assert.equal(await subscribe(anon, 'public/+/x'), 'allow');

  assert.equal(read(bob, 'alice/x'), 'allow');
  assert.equal(read(bob, '$SYS/broker/uptime'), 'deny');
  assert.equal(read(alice, 'alice/secret'), 'deny');
  assert.equal(read(alice, 'shared/a/status'), 'allow');
  assert.equal(read(alice, 'shared/a/other'), 'deny');
  assert.equal(read(anon, '$SYS/broker/uptime'), 'allow');
});

test('file provider in the chain: no matching rule denies, as mosquitto', async () => {
  const provider = createFileProvider({ aclFile: SAMPLE_ACL_FILE });
  const chain = new AuthChain([provider], { allowAnonymous: true });
  assert.equal(chain.hasAcl, true);
  assert.equal(await chain.authorizePublish(identity('nobody'), 'x', 0, false), 'deny');
  assert.equal(chain.authorizeRead(identity('nobody'), 'x'), false);
  assert.equal(chain.authorizeRead(identity('nobody'), 'users/nobody/x'), true);
});

test('file provider: reload() re-reads both files; a failed reload keeps the old rules', async (t) => {
  const dir = tempDir(t);
  const passwd = join(dir, 'passwd');
  const aclFile = join(dir, 'acl');
  writeFileSync(passwd, `dave:${hashPassword('one')}\n`);
  writeFileSync(aclFile, 'user dave\ntopic read a\n');
  const provider = createFileProvider({ passwordFile: passwd, aclFile });
  const dave = identity('dave');
  assert.equal((await provider.authenticate(credentials('dave', 'one'))).decision, 'allow');
  assert.equal(provider.authorizeRead?.(dave, 'a'), 'allow');

  writeFileSync(passwd, `dave:${hashPassword('two')}\n`);
  writeFileSync(aclFile, 'user dave\ntopic read b\n');
  provider.reload();
  assert.equal((await provider.authenticate(credentials('dave', 'one'))).decision, 'deny');
  assert.equal((await provider.authenticate(credentials('dave', 'two'))).decision, 'allow');
  assert.equal(
    provider.authorizeRead?.(dave, 'a'),
    'deny',
    'cached per-identity rules are dropped on reload',
  );
  assert.equal(provider.authorizeRead?.(dave, 'b'), 'allow');

  writeFileSync(passwd, `dave:${hashPassword('three')}\n`);
  writeFileSync(aclFile, 'user dave\ntopic raed c\n');
  assert.throws(() => provider.reload(), /MIDGE_AUTH_ACL_FILE_SYNTAX at .*acl:2: unknown access 'raed'/);
  assert.equal(
    (await provider.authenticate(credentials('dave', 'two'))).decision,
    'allow',
    'old passwords kept',
  );
  assert.equal(provider.authorizeRead?.(dave, 'b'), 'allow', 'old rules kept');
});

test('file provider: a missing or broken file is an AuthFileError at creation', (t) => {
  const dir = tempDir(t);
  assert.throws(
    () => createFileProvider({ passwordFile: join(dir, 'missing') }),
    (error: unknown) =>
      error instanceof AuthFileError &&
      error.code === 'MIDGE_AUTH_FILE_UNREADABLE' &&
      /ENOENT/.test(error.message),
  );
  const broken = join(dir, 'passwd');
  writeFileSync(broken, 'alice:plaintext\n');
  assert.throws(
    () => createFileProvider({ passwordFile: broken }),
    /MIDGE_AUTH_PASSWORD_FILE_SYNTAX at .*passwd:1:/,
  );
});
