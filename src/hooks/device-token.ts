// Device tokens for envelope mode: `v1.<claims>.<mac>`, claims = base64url JSON {c: client ids, e: expiry,
// i: issued at} and mac = base64url HMAC-SHA256(secret, "v1.<claims>"). Verified in constant time.
import { createHmac, timingSafeEqual } from 'node:crypto';

export interface DeviceTokenClaims {
  clientIds: string[];
  /** Unix seconds. */
  expiresAt: number;
}

function mac(secret: string, signed: string): Buffer {
  return createHmac('sha256', secret).update(signed, 'utf8').digest();
}

export function issueDeviceToken(
  secret: string,
  clientIds: readonly string[],
  ttlSeconds: number,
  now = Date.now(),
): string {
  const issued = Math.floor(now / 1000);
  const claims = Buffer.from(JSON.stringify({ c: clientIds, e: issued + ttlSeconds, i: issued })).toString(
    'base64url',
  );
  const signed = `v1.${claims}`;
  return `${signed}.${mac(secret, signed).toString('base64url')}`;
}

/** The claims of a genuine, unexpired token; undefined for anything else. */
export function verifyDeviceToken(
  secret: string,
  token: string,
  now = Date.now(),
): DeviceTokenClaims | undefined {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== 'v1') return undefined;
  const expected = mac(secret, `v1.${parts[1]}`);
  const given = Buffer.from(parts[2] as string, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  let claims: { c?: unknown; e?: unknown };
  try {
    claims = JSON.parse(Buffer.from(parts[1] as string, 'base64url').toString('utf8')) as typeof claims;
  } catch {
    return undefined;
  }
  if (!Array.isArray(claims.c) || typeof claims.e !== 'number') return undefined;
  if (claims.e * 1000 <= now) return undefined;
  return { clientIds: claims.c.map(String), expiresAt: claims.e };
}
