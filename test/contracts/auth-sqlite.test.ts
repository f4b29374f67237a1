// The auth contract run by the embedded SQLite store, seeded through its admin interface.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSqliteProvider } from '../../src/auth/providers/backends.js';
import { openSqliteStore } from '../../src/auth/providers/sqlite-store.js';
import { SEED_ACLS, SEED_USERS, authProviderContract } from './auth-provider.js';

authProviderContract('sqlite (embedded store)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-auth-contract-'));
  const store = openSqliteStore(join(dir, 'auth.db'));
  for (const user of SEED_USERS)
    await store.addUser(user.username, user.password, { superuser: user.superuser });
  for (const acl of SEED_ACLS) await store.addAcl(acl.username, acl.topic, acl.rw);
  await store.close();
  const provider = createSqliteProvider({ options: {}, persistenceLocation: dir });
  return {
    provider,
    superusers: true,
    close: async () => {
      await provider.close?.();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
