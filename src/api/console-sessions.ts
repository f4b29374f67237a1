// Signed-in console sessions: a random id in an HttpOnly, SameSite=Strict cookie, and a CSRF token the page
// sends back in a header on every changing request. Kept in memory per API listener (a restart signs out).
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Principal } from './http-api.js';

export const SESSION_COOKIE = 'midge_session';
export const CSRF_HEADER = 'x-csrf-token';
/** More sessions than this and the oldest goes: a sign-in loop cannot grow memory without bound. */
const MAX_SESSIONS = 1000;

export interface ConsoleSession {
  readonly id: string;
  readonly csrf: string;
  readonly principal: Principal;
  readonly expires: number;
}

export class ConsoleSessions {
  readonly #sessions = new Map<string, ConsoleSession>();
  readonly #lifetimeMs: number;

  constructor(lifetimeMs: number) {
    this.#lifetimeMs = lifetimeMs;
  }

  get lifetimeSeconds(): number {
    return Math.floor(this.#lifetimeMs / 1000);
  }

  create(principal: Principal): ConsoleSession {
    if (this.#sessions.size >= MAX_SESSIONS) {
      const oldest = this.#sessions.keys().next().value;
      if (oldest !== undefined) this.#sessions.delete(oldest);
    }
    const session = {
      id: randomBytes(32).toString('base64url'),
      csrf: randomBytes(32).toString('base64url'),
      principal,
      expires: Date.now() + this.#lifetimeMs,
    };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session of a Cookie header, if any; expired ones are removed on sight. */
  fromCookie(cookieHeader: string | undefined): ConsoleSession | undefined {
    const id = cookieValue(cookieHeader, SESSION_COOKIE);
    if (id === undefined) return undefined;
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expires <= Date.now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  end(id: string): void {
    this.#sessions.delete(id);
  }

  /** A user's password or rights changed or it was removed: its sessions end (all with no username given). */
  endUser(username?: string): void {
    for (const [id, session] of this.#sessions) {
      if (username === undefined || session.principal.username === username) this.#sessions.delete(id);
    }
  }
}

/** Constant-time comparison of the CSRF header with the session's token. */
export function csrfMatches(session: ConsoleSession, header: string | string[] | undefined): boolean {
  const sent = Buffer.from(typeof header === 'string' ? header : '', 'utf8');
  const expected = Buffer.from(session.csrf, 'utf8');
  return sent.length === expected.length && timingSafeEqual(sent, expected);
}

export function sessionCookie(session: ConsoleSession, secure: boolean, lifetimeSeconds: number): string {
  return cookie(session.id, lifetimeSeconds, secure);
}

export function clearedCookie(secure: boolean): string {
  return cookie('', 0, secure);
}

function cookie(value: string, maxAge: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}
