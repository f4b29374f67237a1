// The auth contract run by a real Redis server in both layouts: auth-plug's (user key holds the hash,
// `acl:<user>-<topic>` keys hold rw, superusers by auth_opt_superusers) and go-auth's (sets of topics).
import { after, before } from 'node:test';
import { createBackendProvider } from '../../src/auth/providers/backends.js';
import { startRedis, type DatabaseService } from '../helpers/db-services.js';
import { seedRedis, seeded } from '../helpers/auth-seed.js';
import { authProviderContract } from './auth-provider.js';

let service: DatabaseService;
before(async () => {
  service = await seeded(await startRedis(), seedRedis);
});
after(() => service?.destroy());

authProviderContract('redis (auth-plug layout)', async () => {
  const options = {
    redis_host: service.host,
    redis_port: String(service.port),
    redis_userquery: 'GET user:%s',
    redis_aclquery: 'GET acl:%s-%s',
    superusers: 'adm*',
  };
  const provider = createBackendProvider('redis', { options, persistenceLocation: '.' }, {});
  return { provider, superusers: true, close: async () => provider.close?.() };
});

authProviderContract('redis (go-auth layout)', async () => {
  const options = {
    redis_host: service.host,
    redis_port: String(service.port),
    redis_db: '1',
    redis_layout: 'go-auth',
  };
  const provider = createBackendProvider('redis', { options, persistenceLocation: '.' }, {});
  return { provider, superusers: true, close: async () => provider.close?.() };
});
