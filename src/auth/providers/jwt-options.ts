// auth_opt_jwt_* directives. The token arrives as the MQTT password and is verified locally with one key source:
//   jwt_secret          a shared secret for HS256 / HS384 / HS512
//   jwt_public_key_file a PEM public key or certificate (RS*, PS*, ES*, EdDSA)
//   jwt_jwks_file       a JSON Web Key Set file          jwt_jwks_url   a JWKS URL (fetched and cached)
// and optionally: jwt_algorithms (comma list; default by key source), jwt_issuer, jwt_audience,
// jwt_userfield username|subject (which claim must equal the MQTT username; default username, else sub),
// jwt_superuser_claim (default superuser), jwt_acl_claim (default acl), jwt_leeway (seconds of clock skew, 30).
import { readFileSync } from 'node:fs';
import { AuthStoreError } from '../store-error.js';

export type JwtKeySource =
  | { kind: 'secret'; secret: Uint8Array }
  | { kind: 'public-key'; pem: string; file: string }
  | { kind: 'jwks'; jwks: unknown; file: string }
  | { kind: 'jwks-url'; url: URL };

export interface JwtProviderOptions {
  key: JwtKeySource;
  algorithms: string[];
  issuer?: string;
  audience?: string;
  userfield: 'username' | 'subject';
  superuserClaim: string;
  aclClaim: string;
  leewaySeconds: number;
}

const HMAC = ['HS256', 'HS384', 'HS512'];
const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA'];

const bad = (detail: string): AuthStoreError => new AuthStoreError('MIDGE_AUTH_BAD_OPTION', detail);

function readKeyFile(name: string, file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw bad(`auth_opt_${name}: cannot read ${file} (${reason})`);
  }
}

function keySource(options: Readonly<Record<string, string>>): JwtKeySource {
  const given = ['jwt_secret', 'jwt_public_key_file', 'jwt_jwks_file', 'jwt_jwks_url'].filter(
    (name) => options[name] !== undefined,
  );
  if (given.length !== 1) {
    throw bad(
      'the jwt backend needs exactly one of auth_opt_jwt_secret, auth_opt_jwt_public_key_file, ' +
        `auth_opt_jwt_jwks_file or auth_opt_jwt_jwks_url${given.length > 1 ? ` (got ${given.join(', ')})` : ''}`,
    );
  }
  const {
    jwt_secret: secret,
    jwt_public_key_file: pemFile,
    jwt_jwks_file: jwksFile,
    jwt_jwks_url: url,
  } = options;
  if (secret !== undefined) {
    if (secret === '') throw bad('auth_opt_jwt_secret is empty');
    return { kind: 'secret', secret: new TextEncoder().encode(secret) };
  }
  if (pemFile !== undefined)
    return { kind: 'public-key', pem: readKeyFile('jwt_public_key_file', pemFile), file: pemFile };
  if (jwksFile !== undefined) {
    try {
      return { kind: 'jwks', jwks: JSON.parse(readKeyFile('jwt_jwks_file', jwksFile)), file: jwksFile };
    } catch (error) {
      if (error instanceof AuthStoreError) throw error;
      throw bad(`auth_opt_jwt_jwks_file: ${jwksFile} is not JSON (${(error as Error).message})`);
    }
  }
  let parsed: URL;
  try {
    parsed = new URL(url as string);
  } catch {
    throw bad(`auth_opt_jwt_jwks_url: '${url}' is not a URL`);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw bad(`auth_opt_jwt_jwks_url: '${url}' must be http(s)`);
  }
  return { kind: 'jwks-url', url: parsed };
}

/** Reads the jwt_* auth options (names without the auth_opt_ prefix). */
export function jwtOptionsFrom(options: Readonly<Record<string, string>>): JwtProviderOptions {
  const key = keySource(options);
  const allowed = key.kind === 'secret' ? HMAC : ASYMMETRIC;
  const algorithms = (options.jwt_algorithms ?? allowed.join(','))
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  const wrong = algorithms.filter((a) => !allowed.includes(a));
  if (algorithms.length === 0 || wrong.length > 0) {
    throw bad(
      `auth_opt_jwt_algorithms: ${wrong.join(', ') || 'none'} cannot be used with this key; use ${allowed.join(', ')}`,
    );
  }
  const userfield = (options.jwt_userfield ?? 'username').toLowerCase();
  if (userfield !== 'username' && userfield !== 'subject') {
    throw bad(`auth_opt_jwt_userfield expects username or subject, got '${options.jwt_userfield}'`);
  }
  const leeway = options.jwt_leeway ?? '30';
  if (!/^\d{1,5}$/.test(leeway)) throw bad(`auth_opt_jwt_leeway expects seconds, got '${leeway}'`);
  return {
    key,
    algorithms,
    issuer: options.jwt_issuer,
    audience: options.jwt_audience,
    userfield,
    superuserClaim: options.jwt_superuser_claim ?? 'superuser',
    aclClaim: options.jwt_acl_claim ?? 'acl',
    leewaySeconds: Number(leeway),
  };
}
