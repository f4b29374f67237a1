// The auth contract run by a real PostgreSQL server with auth-plug's own queries ($1 / $2, `rw >= $2`).
import { startPostgres } from '../helpers/db-services.js';
import { seedPostgres, seeded, sqlSubject } from '../helpers/auth-seed.js';
import { authProviderContract } from './auth-provider.js';

authProviderContract('postgres (auth-plug queries)', async () => {
  const service = await seeded(await startPostgres(), seedPostgres);
  return sqlSubject('postgres', service, {
    userquery: 'SELECT password FROM users WHERE username = $1 LIMIT 1',
    superquery: 'SELECT COUNT(*) FROM users WHERE username = $1 AND superuser = 1',
    aclquery: 'SELECT topic FROM acls WHERE (username = $1) AND rw >= $2',
  });
});
