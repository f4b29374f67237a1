// The auth provider contract: every provider (acl_file + password_file, SQLite, PostgreSQL, MariaDB, Redis in
// both layouts; HTTP and JWT plug in the same way) is loaded with the same users and the same ACL table —
// the seed table plus %u / %c rows, anonymous rows and a superuser — and must reach the same
// decisions through an AuthChain, as the broker asks them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { AuthChain } from '../../src/auth/chain.js';
import type { Access, AuthProvider, Credentials, Identity } from '../../src/auth/types.js';

export interface SeedUser {
  username: string;
  password: string;
  superuser: boolean;
}

/** auth-plug's convention: rw 1 = read, 2 = read and write. */
export interface SeedAcl {
  username: string;
  topic: string;
  rw: 1 | 2;
}

export const SEED_USERS: readonly SeedUser[] = [
  { username: 'client', password: '123456', superuser: false },
  { username: 'server', password: 's3rv3r-secret', superuser: false },
  { username: 'admin', password: 'admin-secret', superuser: true },
];

/** The table first (ids 1-4), then per-user patterns and the anonymous user's rows. */
export const SEED_ACLS: readonly SeedAcl[] = [
  { username: 'client', topic: '/p/client/upload', rw: 2 },
  { username: 'server', topic: '/p/client/upload', rw: 2 },
  { username: 'client', topic: '/p/client/download', rw: 1 },
  { username: 'server', topic: '/p/client/download', rw: 2 },
  { username: 'client', topic: 'users/%u/#', rw: 2 },
  { username: 'server', topic: 'users/%u/#', rw: 2 },
  { username: 'client', topic: 'devices/%c/state', rw: 1 },
  { username: 'server', topic: 'devices/%c/state', rw: 1 },
  { username: 'anonymous', topic: 'devices/%c/state', rw: 1 },
  { username: 'anonymous', topic: 'public/#', rw: 1 },
];

/** The same table as a mosquitto acl_file: %-rows (given to every user above) become `pattern` lines. */
export function seedAclFile(): string {
  const lines: string[] = [];
  const patterns = new Set<string>();
  const byUser = new Map<string, string[]>();
  for (const { username, topic, rw } of SEED_ACLS) {
    const access = rw === 2 ? 'readwrite' : 'read';
    if (topic.includes('%')) patterns.add(`pattern ${access} ${topic}`);
    else byUser.set(username, [...(byUser.get(username) ?? []), `topic ${access} ${topic}`]);
  }
  lines.push(...(byUser.get('anonymous') ?? []));
  for (const [username, rules] of byUser)
    if (username !== 'anonymous') lines.push(`user ${username}`, ...rules);
  lines.push(...patterns);
  return lines.join('\n') + '\n';
}

export interface ContractSubject {
  provider: AuthProvider;
  /** The source can mark superusers (the file provider cannot). */
  superusers: boolean;
  /** What a seed user sends as its password, when it is not the seed password itself (JWT: a signed token). */
  passwordFor?(user: SeedUser): string;
  /** False when the source has no rules for clients without a username (JWT: no token, no say). */
  anonymousRules?: boolean;
  /** Resolves once answers still being fetched have arrived (HTTP asks its service in the background). */
  settle?(): Promise<void>;
  close(): Promise<void>;
}

type Case = readonly [
  title: string,
  username: string | undefined,
  clientId: string,
  access: Access,
  topic: string,
  allowed: boolean,
];

export const DECISIONS: readonly Case[] = [
  ['client publishes to /p/client/upload (rw 2)', 'client', 'c-1', 'write', '/p/client/upload', true],
  [
    'client may not publish to /p/client/download (rw 1)',
    'client',
    'c-1',
    'write',
    '/p/client/download',
    false,
  ],
  [
    'client subscribes to /p/client/download: read grants subscribe (the auth-plug trap is gone)',
    'client',
    'c-1',
    'subscribe',
    '/p/client/download',
    true,
  ],
  ['client reads /p/client/download', 'client', 'c-1', 'read', '/p/client/download', true],
  ['client reads /p/client/upload (rw 2 includes read)', 'client', 'c-1', 'read', '/p/client/upload', true],
  ['server publishes to /p/client/download', 'server', 's-1', 'write', '/p/client/download', true],
  ['server publishes to /p/client/upload', 'server', 's-1', 'write', '/p/client/upload', true],
  ['server subscribes to /p/client/upload', 'server', 's-1', 'subscribe', '/p/client/upload', true],
  [
    'client may subscribe to /p/client/# (a rule could grant part of it)',
    'client',
    'c-1',
    'subscribe',
    '/p/client/#',
    true,
  ],
  ['client may subscribe to # (each delivery is checked)', 'client', 'c-1', 'subscribe', '#', true],
  ['client reads nothing its rules do not grant', 'client', 'c-1', 'read', '/p/client/other', false],
  ['client may not subscribe where no rule reaches', 'client', 'c-1', 'subscribe', '/p/server/#', false],
  ['# never reaches $SYS [MQTT-4.7.2-1]', 'client', 'c-1', 'subscribe', '$SYS/#', false],
  ['%u: client writes its own tree', 'client', 'c-1', 'write', 'users/client/notes', true],
  ["%u: not another user's tree", 'client', 'c-1', 'write', 'users/server/notes', false],
  ['%c: own device state is readable', 'client', 'c-1', 'read', 'devices/c-1/state', true],
  ["%c: another client's device is not", 'client', 'c-1', 'read', 'devices/c-2/state', false],
  ["%c: client id '+' never matches a pattern", 'client', '+', 'read', 'devices/x/state', false],
  ["%c: client id 'a/b' never matches a pattern", 'client', 'a/b', 'read', 'devices/a/b/state', false],
  ["%u: username '+' never matches a pattern", '+', 'p-1', 'write', 'users/+/x', false],
  ["%u: username 'a/b' never matches a pattern", 'a/b', 'p-2', 'write', 'users/a/b/x', false],
  ['anonymous reads public/#', undefined, 'anon-1', 'read', 'public/news', true],
  ['anonymous subscribes to public/#', undefined, 'anon-1', 'subscribe', 'public/#', true],
  ['anonymous may not publish to public/news', undefined, 'anon-1', 'write', 'public/news', false],
  ['anonymous may not read /p/client/download', undefined, 'anon-1', 'read', '/p/client/download', false],
  ['anonymous reads its own device (%c)', undefined, 'anon-1', 'read', 'devices/anon-1/state', true],
  [
    'SQL injection in the topic grants nothing',
    'client',
    'c-1',
    'write',
    "/p/client/upload' OR '1'='1",
    false,
  ],
  [
    'SQL injection in the username grants nothing',
    "x' OR '1'='1",
    'i-1',
    'read',
    '/p/client/download',
    false,
  ],
  [
    'SQL comment injection in the username grants nothing',
    "client' --",
    'i-2',
    'read',
    '/p/client/download',
    false,
  ],
];

const credentials = (
  username: string | undefined,
  password: string | undefined,
  clientId = 'auth-1',
): Credentials => ({
  clientId,
  username,
  remoteAddress: '127.0.0.1',
  listenerId: 'listener-0',
  password: password === undefined ? undefined : Buffer.from(password, 'utf8'),
});

export function authProviderContract(name: string, open: () => Promise<ContractSubject>): void {
  describe(`auth provider contract: ${name}`, () => {
    let subject: ContractSubject;
    let chain: AuthChain;

    before(async () => {
      subject = await open();
      chain = new AuthChain([subject.provider], { allowAnonymous: true });
      await chain.start();
    });
    after(() => subject?.close());

    const passwordOf = (user: SeedUser): string => subject.passwordFor?.(user) ?? user.password;

    const login = async (username: string | undefined, clientId: string): Promise<Identity> => {
      const seed = SEED_USERS.find((u) => u.username === username);
      const password = seed === undefined ? 'whatever' : passwordOf(seed);
      const who = credentials(username, password, clientId);
      const result = await chain.authenticate(who);
      const identity: Identity = {
        clientId,
        username,
        remoteAddress: who.remoteAddress,
        listenerId: who.listenerId,
      };
      if (result.superuser === true) identity.superuser = true;
      return identity;
    };

    test('authentication: right passwords are accepted, everything else refused', async () => {
      for (const user of SEED_USERS) {
        assert.equal(
          (await chain.authenticate(credentials(user.username, passwordOf(user)))).decision,
          'allow',
          user.username,
        );
      }
      const refused: [string | undefined, string | undefined][] = [
        ['client', 'wrong'],
        ['client', undefined],
        ['client', ''],
        ['nobody', '123456'],
        ["client' OR '1'='1", '123456'],
        ["' OR 1=1 --", 'x'],
        ['client"; DROP TABLE users; --', 'x'],
        ['Client', '123456'],
      ];
      for (const [username, password] of refused) {
        assert.notEqual(
          (await chain.authenticate(credentials(username, password))).decision,
          'allow',
          String(username),
        );
      }
      // The injection attempts above changed nothing: the users are still there.
      const client = SEED_USERS[0] as SeedUser;
      assert.equal((await chain.authenticate(credentials('client', passwordOf(client)))).decision, 'allow');
      assert.equal(
        (await chain.authenticate(credentials(undefined, undefined))).decision,
        'allow',
        'anonymous',
      );
    });

    for (const [title, username, clientId, access, topic, allowed] of DECISIONS) {
      test(`${access}: ${title}`, async () => {
        const who = await login(username, clientId);
        let answer: boolean;
        if (access === 'write') answer = (await chain.authorizePublish(who, topic, 1, false)) === 'allow';
        else if (access === 'subscribe') answer = (await chain.authorizeSubscribe(who, topic, 1)) === 'allow';
        else {
          // A source that fetches read answers in the background is asked once, given time, then asked again.
          if (subject.settle !== undefined) {
            chain.authorizeRead(who, topic);
            await subject.settle();
          }
          answer = chain.authorizeRead(who, topic);
        }
        const expected = allowed && (username !== undefined || subject.anonymousRules !== false);
        assert.equal(answer, expected);
      });
    }

    test('superusers skip ACL checks (where the source has superusers)', async (t) => {
      const admin = await login('admin', 'a-1');
      const expected = subject.superusers;
      t.diagnostic(`superusers supported: ${String(expected)}`);
      assert.equal((await chain.authorizePublish(admin, 'anything/at/all', 2, false)) === 'allow', expected);
      await subject.settle?.();
      assert.equal(chain.authorizeRead(admin, '/p/client/download'), expected);
    });

    test('explain names the deciding provider and rule', async () => {
      const allowed = await chain.explain({
        username: 'client',
        clientId: 'c-1',
        topic: '/p/client/download',
        access: 'subscribe',
      });
      assert.equal(allowed.decision, 'allow');
      assert.equal(allowed.provider, subject.provider.name);
      const denied = await chain.explain({
        username: 'client',
        clientId: 'c-1',
        topic: '/p/client/download',
        access: 'write',
      });
      assert.equal(denied.decision, 'deny');
      assert.ok(denied.reason.length > 0);
    });
  });
}
