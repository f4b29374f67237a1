// The JWT provider with real tokens signed here by jose: HS256 with a secret, RS256 with a PEM public key file,
// ES256 through a JWKS file and through a JWKS URL served by a real local HTTP server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, UnsecuredJWT, exportJWK, exportSPKI, generateKeyPair, type JWTPayload } from 'jose';
import { createJwtProvider } from './jwt.js';
import { jwtOptionsFrom } from './jwt-options.js';
import type { Credentials, Identity } from '../types.js';

const SECRET = 'a shared secret long enough for HS256!';
let dir: string;
let rsa: Awaited<ReturnType<typeof generateKeyPair>>;
let ec: Awaited<ReturnType<typeof generateKeyPair>>;
let jwksServer: Server;
let jwksUrl: string;
let jwksRequests = 0;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'midge-jwt-'));
  rsa = await generateKeyPair('RS256');
  ec = await generateKeyPair('ES256');
  writeFileSync(join(dir, 'rsa.pem'), await exportSPKI(rsa.publicKey));
  const jwks = JSON.stringify({ keys: [{ ...(await exportJWK(ec.publicKey)), kid: 'ec-1', alg: 'ES256' }] });
  writeFileSync(join(dir, 'jwks.json'), jwks);
  jwksServer = createServer((_request, response) => {
    jwksRequests++;
    response.writeHead(200, { 'content-type': 'application/json' }).end(jwks);
  });
  await new Promise<void>((ok) => jwksServer.listen(0, '127.0.0.1', ok));
  jwksUrl = `http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`;
});

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  await new Promise<void>((ok) => jwksServer.close(() => ok()));
});

const CLIENT_CLAIMS = {
  username: 'client',
  acl: { pub: ['/p/%u/upload'], sub: ['/p/%u/download', 'feed/#'], all: ['scratch/%c/#'] },
};

function hs256(claims: JWTPayload, expires: string | number = '5m', secret = SECRET): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuedAt()
    .setExpirationTime(expires)
    .sign(new TextEncoder().encode(secret));
}

const who = (username: string | undefined, clientId = 'c1'): Identity => ({
  clientId,
  username,
  remoteAddress: '127.0.0.1',
  listenerId: 'l',
});
const creds = (username: string | undefined, token: string | undefined, clientId = 'c1'): Credentials => ({
  ...who(username, clientId),
  password: token === undefined ? undefined : Buffer.from(token),
});

test('HS256: a valid token logs in; its acl claim decides topics ([pub] write, [sub] subscribe + read, [all] both)', async () => {
  const jwt = createJwtProvider(jwtOptionsFrom({ jwt_secret: SECRET }));
  assert.deepEqual(await jwt.authenticate(creds('client', await hs256(CLIENT_CLAIMS))), {
    decision: 'allow',
  });
  const c = who('client');
  assert.equal(await jwt.authorizePublish?.(c, '/p/client/upload', 0, false), 'allow');
  assert.equal(await jwt.authorizePublish?.(c, '/p/client/download', 0, false), 'deny');
  assert.equal(await jwt.authorizeSubscribe?.(c, '/p/client/download', 0), 'allow');
  assert.equal(await jwt.authorizeSubscribe?.(c, '/p/client/upload', 0), 'deny');
  assert.equal(jwt.authorizeRead?.(c, '/p/client/download'), 'allow');
  assert.equal(jwt.authorizeRead?.(c, 'feed/news/today'), 'allow');
  assert.equal(jwt.authorizeRead?.(c, '/p/server/download'), 'deny');
  assert.equal(await jwt.authorizePublish?.(c, 'scratch/c1/x', 0, false), 'allow', '%c substituted');
  assert.equal(await jwt.authorizePublish?.(c, 'scratch/c2/x', 0, false), 'deny');
  assert.equal(
    await jwt.authorizeSubscribe?.(c, 'feed/+/today', 0),
    'allow',
    'a wildcard filter inside a grant',
  );
  const why = await jwt.explain({
    username: 'client',
    clientId: 'c1',
    topic: '/p/client/download',
    access: 'subscribe',
  });
  assert.deepEqual(why, {
    decision: 'allow',
    provider: 'jwt',
    rule: "token claim acl.sub[0] '/p/%u/download'",
    reason: "subscribe granted by token claim acl.sub[0] '/p/%u/download'",
  });
});

test('superuser claim; a token without an acl claim leaves topics to the chain (defer)', async () => {
  const jwt = createJwtProvider(jwtOptionsFrom({ jwt_secret: SECRET }));
  assert.deepEqual(await jwt.authenticate(creds('admin', await hs256({ sub: 'admin', superuser: true }))), {
    decision: 'allow',
    superuser: true,
  });
  assert.deepEqual(await jwt.authenticate(creds('plain', await hs256({ sub: 'plain' }), 'c2')), {
    decision: 'allow',
  });
  assert.equal(await jwt.authorizePublish?.(who('plain', 'c2'), 'any', 0, false), 'defer');
  assert.equal(jwt.authorizeRead?.(who('nobody', 'c9'), 'any'), 'defer', 'no token for this client');
});

test('refused: wrong secret, other user, expired, wrong issuer/audience, unsigned, garbage, no password', async () => {
  const jwt = createJwtProvider(
    jwtOptionsFrom({ jwt_secret: SECRET, jwt_issuer: 'midge-tests', jwt_audience: 'mqtt', jwt_leeway: '0' }),
  );
  const good = (claims: JWTPayload) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('midge-tests')
      .setAudience('mqtt')
      .setExpirationTime('5m');
  const key = new TextEncoder().encode(SECRET);
  assert.equal(
    (await jwt.authenticate(creds('client', await good({ username: 'client' }).sign(key)))).decision,
    'allow',
  );
  const refused: [string, string][] = [
    ['wrong secret', await good({ username: 'client' }).sign(new TextEncoder().encode(`${SECRET}x`))],
    ['token for another user', await good({ username: 'server' }).sign(key)],
    [
      'expired',
      await good({ username: 'client' })
        .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
        .sign(key),
    ],
    ['other issuer', await good({ username: 'client' }).setIssuer('evil').sign(key)],
    ['other audience', await good({ username: 'client' }).setAudience('web').sign(key)],
    ['alg none', new UnsecuredJWT({ username: 'client', iss: 'midge-tests', aud: 'mqtt' }).encode()],
    ['garbage', 'not.a.token'],
    ['acl claim of the wrong shape', await good({ username: 'client', acl: ['x'] }).sign(key)],
  ];
  for (const [name, token] of refused) {
    assert.deepEqual(
      await jwt.authenticate(creds('client', token)),
      { decision: 'deny', reasonCode: 0x86 },
      name,
    );
  }
  assert.deepEqual(await jwt.authenticate(creds('client', undefined)), { decision: 'defer' });
});

test('RS256 with a PEM public key file; an HS256 token signed with the PEM text is refused (no alg confusion)', async () => {
  const pemFile = join(dir, 'rsa.pem');
  const jwt = createJwtProvider(jwtOptionsFrom({ jwt_public_key_file: pemFile }));
  const token = await new SignJWT(CLIENT_CLAIMS)
    .setProtectedHeader({ alg: 'RS256' })
    .setExpirationTime('5m')
    .sign(rsa.privateKey);
  assert.equal((await jwt.authenticate(creds('client', token))).decision, 'allow');
  assert.equal(await jwt.authorizePublish?.(who('client'), '/p/client/upload', 0, false), 'allow');
  const forged = await hs256(CLIENT_CLAIMS, '5m', await exportSPKI(rsa.publicKey));
  assert.equal((await jwt.authenticate(creds('client', forged))).decision, 'deny');
  assert.equal(
    await jwt.authorizePublish?.(who('client'), '/p/client/upload', 0, false),
    'defer',
    'the refused login forgot the old token',
  );
});

test('ES256 through a JWKS file and through a JWKS URL (fetched from a real server, then cached)', async () => {
  const token = await new SignJWT(CLIENT_CLAIMS)
    .setProtectedHeader({ alg: 'ES256', kid: 'ec-1' })
    .setExpirationTime('5m')
    .sign(ec.privateKey);
  const fromFile = createJwtProvider(jwtOptionsFrom({ jwt_jwks_file: join(dir, 'jwks.json') }));
  assert.equal((await fromFile.authenticate(creds('client', token))).decision, 'allow');
  const fromUrl = createJwtProvider(jwtOptionsFrom({ jwt_jwks_url: jwksUrl }));
  assert.equal((await fromUrl.authenticate(creds('client', token))).decision, 'allow');
  assert.equal((await fromUrl.authenticate(creds('client', token, 'c2'))).decision, 'allow');
  assert.equal(jwksRequests, 1, 'the key set is fetched once');
  const otherKey = await generateKeyPair('ES256');
  const foreign = await new SignJWT(CLIENT_CLAIMS)
    .setProtectedHeader({ alg: 'ES256', kid: 'ec-1' })
    .setExpirationTime('5m')
    .sign(otherKey.privateKey);
  assert.equal((await fromUrl.authenticate(creds('client', foreign))).decision, 'deny');
});

test('after the token expires, every topic check is denied', async () => {
  const jwt = createJwtProvider(jwtOptionsFrom({ jwt_secret: SECRET, jwt_leeway: '0' }));
  // At least a full second away (exp is in whole seconds): the checks before the wait run before it expires.
  const soon = Math.floor(Date.now() / 1000) + 2;
  assert.equal((await jwt.authenticate(creds('client', await hs256(CLIENT_CLAIMS, soon)))).decision, 'allow');
  const client = who('client'); // the broker keeps one Identity per connection
  assert.equal(jwt.authorizeRead?.(client, '/p/client/download'), 'allow');
  await new Promise((ok) => setTimeout(ok, soon * 1000 - Date.now() + 1100));
  assert.equal(jwt.authorizeRead?.(client, '/p/client/download'), 'deny');
});

test('a token belongs to its connection: a refused CONNECT with the same client id revokes nothing', async () => {
  const jwt = createJwtProvider(jwtOptionsFrom({ jwt_secret: SECRET }));
  assert.equal((await jwt.authenticate(creds('client', await hs256(CLIENT_CLAIMS)))).decision, 'allow');
  const first = who('client');
  assert.equal(jwt.authorizePublish?.(first, '/p/client/upload', 0, false), 'allow');
  // Someone else tries the same client id with a forged token: refused, and the connected client keeps its rights.
  const forged = await hs256(
    { ...CLIENT_CLAIMS, acl: { all: ['#'] } },
    '5m',
    'another secret of enough length!',
  );
  assert.equal((await jwt.authenticate(creds('client', forged))).decision, 'deny');
  assert.equal(jwt.authorizePublish?.(first, '/p/client/upload', 0, false), 'allow');
  // A second connection with the same id and a narrower token: each connection answers by its own token.
  const narrower = await hs256({ username: 'client', acl: { sub: ['feed/#'] } });
  assert.equal((await jwt.authenticate(creds('client', narrower))).decision, 'allow');
  const second = who('client');
  assert.equal(jwt.authorizePublish?.(second, '/p/client/upload', 0, false), 'deny');
  assert.equal(jwt.authorizeSubscribe?.(second, 'feed/news', 0), 'allow');
  assert.equal(jwt.authorizePublish?.(first, '/p/client/upload', 0, false), 'allow');
});

test('auth_opt_jwt_* errors carry MIDGE_AUTH_BAD_OPTION', () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{}, /needs exactly one of/],
    [{ jwt_secret: 's', jwt_jwks_url: 'http://x' }, /got jwt_secret, jwt_jwks_url/],
    [{ jwt_secret: 's', jwt_algorithms: 'RS256' }, /RS256 cannot be used with this key/],
    [{ jwt_public_key_file: join(tmpdir(), 'midge-no-such.pem') }, /cannot read .*ENOENT/],
    [{ jwt_jwks_url: 'ftp://x/jwks' }, /must be http\(s\)/],
    [{ jwt_secret: 's', jwt_userfield: 'email' }, /expects username or subject/],
  ];
  for (const [options, message] of cases) {
    assert.throws(
      () => jwtOptionsFrom(options),
      (e: Error & { code?: string }) => e.code === 'MIDGE_AUTH_BAD_OPTION' && message.test(e.message),
      JSON.stringify(options),
    );
  }
});
