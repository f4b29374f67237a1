// A Redis restart under a running broker configured like auth-plug's Redis backend. Redis saves its dataset
// on shutdown here (RDB save point), so the seed is still there when it starts again.
import { seedRedis, seeded } from '../helpers/auth-seed.js';
import { databaseRestartTest } from '../helpers/auth-restart.js';
import { startRedis } from '../helpers/db-services.js';

databaseRestartTest({
  title: 'redis (auth-plug layout)',
  start: async () => seeded(await startRedis({ persistent: true }), seedRedis),
  authOptions: (db) => ({
    backends: 'redis',
    redis_host: db.host,
    redis_port: String(db.port),
    redis_userquery: 'GET user:%s',
    redis_aclquery: 'GET acl:%s-%s',
    acl_cacheseconds: '0',
  }),
});
