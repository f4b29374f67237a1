// The auth contract run by the HTTP provider against a real auth service started here, which answers from the
// seed table the way a team's service would: getuser checks the password, superuser knows admin, aclcheck
// applies the rows (acc 1 read, 2 write, 4 subscribe with http_subscribe_acc 4) with %u / %c and the
// anonymous user's rows. The provider only carries questions and answers; the table's meaning lives here.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findGrant, permissionsOf, type AclGrant } from '../../src/auth/acl-grants.js';
import type { Access } from '../../src/auth/types.js';
import { createHttpProvider } from '../../src/auth/providers/http.js';
import { httpOptionsFrom } from '../../src/auth/providers/http-options.js';
import { SEED_ACLS, SEED_USERS, authProviderContract } from './auth-provider.js';

const ACCESS_OF: Record<string, Access> = { '1': 'read', '2': 'write', '4': 'subscribe' };

function grantsOf(username: string): AclGrant[] {
  return SEED_ACLS.filter((row) => row.username === username).map((row) => ({
    topic: row.topic,
    ...(permissionsOf(row.rw, 'auth-plug') as NonNullable<ReturnType<typeof permissionsOf>>),
    source: `${row.username} ${row.topic} ${row.rw}`,
  }));
}

function answer(path: string, f: Record<string, string>): boolean {
  const username = f.username ?? '';
  if (path === '/user') return SEED_USERS.some((u) => u.username === username && u.password === f.password);
  if (path === '/superuser') return SEED_USERS.some((u) => u.username === username && u.superuser);
  const access = ACCESS_OF[f.acc ?? ''];
  if (access === undefined) return false;
  return (
    findGrant(grantsOf(username), { username, clientId: f.clientid ?? '' }, f.topic ?? '', access) !==
    undefined
  );
}

authProviderContract('http (auth-plug style service)', async () => {
  const service = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      const allowed = answer(request.url ?? '', Object.fromEntries(new URLSearchParams(body)));
      response.writeHead(allowed ? 200 : 403).end();
    });
  });
  await new Promise<void>((ok) => service.listen(0, '127.0.0.1', ok));
  const provider = createHttpProvider(
    httpOptionsFrom({
      http_hostname: '127.0.0.1',
      http_port: String((service.address() as AddressInfo).port),
      http_getuser_uri: '/user',
      http_superuser_uri: '/superuser',
      http_aclcheck_uri: '/acl',
      http_subscribe_acc: '4',
    }),
  );
  return {
    provider,
    superusers: true,
    settle: () => provider.settled(),
    close: () => new Promise<void>((ok) => service.close(() => ok())),
  };
});
