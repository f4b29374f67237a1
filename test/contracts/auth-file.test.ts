// The auth contract run by password_file + acl_file (mosquitto formats).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFileProvider } from '../../src/auth/providers/file.js';
import { hashPassword } from '../../src/auth/password.js';
import { SEED_USERS, authProviderContract, seedAclFile } from './auth-provider.js';

authProviderContract('password_file + acl_file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'midge-auth-contract-'));
  const passwordFile = join(dir, 'passwd');
  const aclFile = join(dir, 'acl');
  writeFileSync(
    passwordFile,
    SEED_USERS.map((u) => `${u.username}:${hashPassword(u.password)}`).join('\n') + '\n',
  );
  writeFileSync(aclFile, seedAclFile());
  return {
    provider: createFileProvider({ passwordFile, aclFile }),
    superusers: false,
    close: async () => rmSync(dir, { recursive: true, force: true }),
  };
});
