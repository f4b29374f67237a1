// What a verified token says about its holder. The claim names (configurable, see jwt-options.ts):
//   username (or sub)   must equal the MQTT username (jwt_userfield subject: only sub)
//   superuser: true     skips every topic check
//   acl: { "pub": [filters], "sub": [filters], "all": [filters] }   (EMQX's layout)
//     pub grants PUBLISH, sub grants SUBSCRIBE and receiving, all grants both; filters may use + and # and
//     the %u / %c substitutions. A token without an acl claim has no say on topics (the chain goes on).
import type { AclGrant } from '../acl-grants.js';
import type { JwtProviderOptions } from './jwt-options.js';

export interface TokenHolder {
  /** The identity the token is for. */
  username: string | undefined;
  superuser: boolean;
  /** undefined: the token carries no acl claim. */
  grants: AclGrant[] | undefined;
  /** Seconds since the epoch; undefined when the token does not expire. */
  expiresAt: number | undefined;
}

export class JwtClaimError extends Error {}

function filters(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && v !== '')) {
    throw new JwtClaimError(`claim ${where} must be an array of topic filters`);
  }
  return value as string[];
}

export function holderOf(claims: Record<string, unknown>, options: JwtProviderOptions): TokenHolder {
  const byUsername = options.userfield === 'username' ? claims.username : undefined;
  const name = byUsername ?? claims.sub;
  if (name !== undefined && typeof name !== 'string')
    throw new JwtClaimError('the username claim must be a string');
  const superuser = claims[options.superuserClaim] === true;
  const acl = claims[options.aclClaim];
  let grants: AclGrant[] | undefined;
  if (acl !== undefined) {
    if (acl === null || typeof acl !== 'object' || Array.isArray(acl)) {
      throw new JwtClaimError(`claim ${options.aclClaim} must be an object with pub, sub and all lists`);
    }
    const lists = acl as Record<string, unknown>;
    const at = (list: string): string => `${options.aclClaim}.${list}`;
    const grant = (topic: string, list: string, index: number, read: boolean, write: boolean): AclGrant => ({
      topic,
      read,
      write,
      subscribe: read,
      source: `token claim ${at(list)}[${index}] '${topic}'`,
    });
    grants = [
      ...filters(lists.all, at('all')).map((t, i) => grant(t, 'all', i, true, true)),
      ...filters(lists.pub, at('pub')).map((t, i) => grant(t, 'pub', i, false, true)),
      ...filters(lists.sub, at('sub')).map((t, i) => grant(t, 'sub', i, true, false)),
    ];
  }
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  return { username: name, superuser, grants, expiresAt: exp };
}
