// The auth contract run by the JWT provider: each seed user logs in with a token signed here whose claims
// carry the seed table (rw 2 rows in acl.all, rw 1 rows in acl.sub, superuser for admin). Clients without a
// username have no token, so the anonymous rows are not this source's to grant.
import { SignJWT } from 'jose';
import { createJwtProvider } from '../../src/auth/providers/jwt.js';
import { jwtOptionsFrom } from '../../src/auth/providers/jwt-options.js';
import { SEED_ACLS, SEED_USERS, authProviderContract } from './auth-provider.js';

const SECRET = 'the auth contract signs its tokens with this secret';

authProviderContract('jwt (claims carry the table)', async () => {
  const tokens = new Map<string, string>();
  for (const user of SEED_USERS) {
    const rows = SEED_ACLS.filter((row) => row.username === user.username);
    const claims = {
      username: user.username,
      ...(user.superuser ? { superuser: true } : {}),
      acl: {
        all: rows.filter((row) => row.rw === 2).map((row) => row.topic),
        sub: rows.filter((row) => row.rw === 1).map((row) => row.topic),
      },
    };
    const token = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('10m')
      .sign(new TextEncoder().encode(SECRET));
    tokens.set(user.username, token);
  }
  const provider = createJwtProvider(jwtOptionsFrom({ jwt_secret: SECRET }));
  return {
    provider,
    superusers: true,
    anonymousRules: false,
    passwordFor: (user) => tokens.get(user.username) as string,
    close: () => provider.close?.() ?? Promise.resolve(),
  };
});
