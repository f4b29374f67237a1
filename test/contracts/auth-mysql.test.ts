// The auth contract run by a real MariaDB server with auth-plug's MySQL-style queries ('%s' and %d), which
// Midge binds as parameters instead of pasting text into SQL.
import { startMariadb } from '../helpers/db-services.js';
import { seedMariadb, seeded, sqlSubject } from '../helpers/auth-seed.js';
import { authProviderContract } from './auth-provider.js';

authProviderContract('mysql (MariaDB, auth-plug %s / %d queries)', async () => {
  const service = await seeded(await startMariadb(), seedMariadb);
  return sqlSubject('mysql', service, {
    userquery: "SELECT password FROM users WHERE username = '%s' LIMIT 1",
    superquery: "SELECT COUNT(*) FROM users WHERE username = '%s' AND superuser = 1",
    aclquery: "SELECT topic FROM acls WHERE (username = '%s') AND (rw >= %d)",
  });
});
