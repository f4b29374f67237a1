// auth_opt_http_* as mosquitto-auth-plug and mosquitto-go-auth name them, turned into HttpProviderOptions.
//   http_hostname / http_ip (auth-plug), http_host (go-auth)   the server's name or address (default localhost)
//   http_port (default 80, 443 with TLS)                       http_with_tls true|false
//   http_getuser_uri, http_superuser_uri, http_aclcheck_uri    paths; without superuser/aclcheck that check defers
//   http_params_mode form|json (go-auth; default form)         how the request body is written
//   http_response_mode status|json|text (go-auth; default status)
//   http_retry_count (auth-plug, default 3)                    extra tries after a 5xx or a network error
//   http_timeout (go-auth, seconds, default 5)                 http_verify_peer true|false (default true)
//   http_subscribe_acc 1|4 (Midge; default 1)                  acc sent for SUBSCRIBE: 1 treats subscribe as read
//   acl_cacheseconds (default 300), auth_cacheseconds (default 0)
import { AuthStoreError } from '../store-error.js';

export type ParamsMode = 'form' | 'json';
export type ResponseMode = 'status' | 'json' | 'text';

export interface HttpEndpoints {
  host: string;
  port: number;
  tls: boolean;
  /** false accepts any server certificate (go-auth's http_verify_peer false); for tests and private CAs. */
  verifyPeer: boolean;
  getuserUri: string;
  superuserUri?: string;
  aclcheckUri?: string;
  paramsMode: ParamsMode;
  responseMode: ResponseMode;
  retryCount: number;
  timeoutMs: number;
}

export interface HttpProviderOptions extends HttpEndpoints {
  subscribeAcc: 1 | 4;
  aclCacheSeconds: number;
  authCacheSeconds: number;
}

const bad = (detail: string): AuthStoreError => new AuthStoreError('MIDGE_AUTH_BAD_OPTION', detail);

function whole(
  options: Readonly<Record<string, string>>,
  name: string,
  fallback: number,
  max: number,
): number {
  const text = options[name];
  if (text === undefined) return fallback;
  const value = /^\d{1,9}$/.test(text) ? Number(text) : NaN;
  if (!(value <= max)) throw bad(`auth_opt_${name} expects a whole number from 0 to ${max}, got '${text}'`);
  return value;
}

function flag(options: Readonly<Record<string, string>>, name: string, fallback: boolean): boolean {
  const text = options[name];
  if (text === undefined) return fallback;
  if (/^(true|1|yes|on)$/i.test(text)) return true;
  if (/^(false|0|no|off)$/i.test(text)) return false;
  throw bad(`auth_opt_${name} expects true or false, got '${text}'`);
}

function oneOf<T extends string>(
  options: Readonly<Record<string, string>>,
  name: string,
  values: readonly T[],
): T {
  const text = options[name] ?? values[0];
  if (!(values as readonly string[]).includes(text as string)) {
    throw bad(`auth_opt_${name} expects ${values.join(' or ')}, got '${text}'`);
  }
  return text as T;
}

function path(options: Readonly<Record<string, string>>, name: string): string | undefined {
  const text = options[name];
  if (text === undefined || text === '') return undefined;
  if (!text.startsWith('/')) throw bad(`auth_opt_${name} expects a path starting with '/', got '${text}'`);
  return text;
}

/** Reads the http_* auth options (names without the auth_opt_ prefix). */
export function httpOptionsFrom(options: Readonly<Record<string, string>>): HttpProviderOptions {
  const tls = flag(options, 'http_with_tls', false);
  const getuserUri = path(options, 'http_getuser_uri');
  if (getuserUri === undefined) throw bad('the http backend needs auth_opt_http_getuser_uri');
  const acc = whole(options, 'http_subscribe_acc', 1, 4);
  if (acc !== 1 && acc !== 4) throw bad(`auth_opt_http_subscribe_acc expects 1 or 4, got '${acc}'`);
  return {
    host: options.http_hostname ?? options.http_host ?? options.http_ip ?? 'localhost',
    port: whole(options, 'http_port', tls ? 443 : 80, 65535),
    tls,
    verifyPeer: flag(options, 'http_verify_peer', true),
    getuserUri,
    superuserUri: path(options, 'http_superuser_uri'),
    aclcheckUri: path(options, 'http_aclcheck_uri'),
    paramsMode: oneOf(options, 'http_params_mode', ['form', 'json'] as const),
    responseMode: oneOf(options, 'http_response_mode', ['status', 'json', 'text'] as const),
    retryCount: whole(options, 'http_retry_count', 3, 10),
    timeoutMs: whole(options, 'http_timeout', 5, 300) * 1000,
    subscribeAcc: acc,
    aclCacheSeconds: whole(options, 'acl_cacheseconds', 300, 86_400),
    authCacheSeconds: whole(options, 'auth_cacheseconds', 0, 86_400),
  };
}
