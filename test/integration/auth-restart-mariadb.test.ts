// A MariaDB restart under a running broker configured like auth-plug's MySQL backend ('%s' queries).
import { seedMariadb, seeded } from '../helpers/auth-seed.js';
import { databaseRestartTest } from '../helpers/auth-restart.js';
import { startMariadb } from '../helpers/db-services.js';

databaseRestartTest({
  title: 'mysql (MariaDB)',
  start: async () => seeded(await startMariadb(), seedMariadb),
  authOptions: (db) => ({
    backends: 'mysql',
    host: db.host,
    port: String(db.port),
    dbname: 'mqtt',
    user: db.user,
    userquery: "SELECT password FROM users WHERE username = '%s' LIMIT 1",
    superquery: "SELECT COUNT(*) FROM users WHERE username = '%s' AND superuser = 1",
    aclquery: "SELECT topic FROM acls WHERE (username = '%s') AND (rw >= %d)",
    acl_cacheseconds: '0',
  }),
});
