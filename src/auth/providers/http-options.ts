// auth_opt_http_* as mosquitto-auth-plug and mosquitto-go-auth name them, turned into HttpProviderOptions.
//   http_hostname / http_ip (auth-plug), http_host (go-auth)   the server's name or address (default localhost)
//   http_port (default 80, 443 with TLS)                       http_with_tls true|false
//   http_getuser_uri, http_superuser_uri, http_aclcheck_uri    paths; without superuser/aclcheck that check defers
//   http_params_mode form|json (go-auth; default form)         how the request body is written
//   http_response_mode status|json|text (go-auth; default status)
//   http_retry_count (auth-plug, default 3)                    extra tries after a 5xx or a network error
//   http_timeout (go-auth, seconds, default 5)                 http_verify_peer true|false (default true)
//   http_subscribe_acc 1|4 (Midge; default 1)                  acc sent for SUBSCRIBE: 1 treats subscribe as read
//   http_getuser_params, http_superuser_params, http_aclcheck_params (auth-plug)
//       key=ENV_NAME[,key=ENV_NAME]*: extra fields sent to that endpoint, each the value of an environment
//       variable. auth-plug read the variables per request and sent "NULL" for an unset one; Midge reads them
//       once at start and refuses to start when one is unset (a clear error rather than a literal "NULL").
//   http_cafile (Midge; neither plugin has one)                PEM CA certificates trusted for https, instead
//                                                             of Node's built-in list (a private CA)
//   acl_cacheseconds (default 300), auth_cacheseconds (default 0)
import { readFileSync } from 'node:fs';
import { AuthStoreError } from '../store-error.js';

export type ParamsMode = 'form' | 'json';
export type ResponseMode = 'status' | 'json' | 'text';

export type Endpoint = 'getuser' | 'superuser' | 'aclcheck';

/** The fields Midge itself sends; a *_params key may not reuse one. */
const STANDARD_FIELDS = new Set(['username', 'password', 'clientid', 'topic', 'acc']);
/** auth-plug's own limit on the number of extra fields per endpoint. */
const MAX_PARAMS = 20;

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
  /** http_cafile's certificates; undefined: Node's default CA list. */
  ca?: Buffer;
}

export interface HttpProviderOptions extends HttpEndpoints {
  /** http_<endpoint>_params: extra fields for each endpoint, from the environment. */
  params: Readonly<Record<Endpoint, Readonly<Record<string, string>>>>;
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

/** http_<endpoint>_params `key=ENV_NAME,...` resolved against `env`. */
function params(
  options: Readonly<Record<string, string>>,
  endpoint: Endpoint,
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  const name = `http_${endpoint}_params`;
  const text = options[name];
  const fields: Record<string, string> = {};
  if (text === undefined) return fields;
  const pairs = text.split(',').filter((pair) => pair.trim() !== '');
  if (pairs.length > MAX_PARAMS) throw bad(`auth_opt_${name} lists more than ${MAX_PARAMS} parameters`);
  for (const pair of pairs) {
    const match = /^\s*([^=\s]+)\s*=\s*([^=\s]+)\s*$/.exec(pair);
    if (match === null) throw bad(`auth_opt_${name} expects key=ENV_NAME[,key=ENV_NAME]*, got '${pair}'`);
    const [, key, variable] = match as unknown as [string, string, string];
    if (STANDARD_FIELDS.has(key) || key in fields) {
      throw bad(`auth_opt_${name}: '${key}' is already sent to the ${endpoint} endpoint`);
    }
    const value = env[variable];
    if (value === undefined) {
      throw bad(`auth_opt_${name}: environment variable ${variable} (for '${key}') is not set`);
    }
    fields[key] = value;
  }
  return fields;
}

function caFile(options: Readonly<Record<string, string>>): Buffer | undefined {
  const file = options.http_cafile;
  if (file === undefined) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw bad(`auth_opt_http_cafile: cannot read '${file}' (${(error as Error).message})`);
  }
}

/** Reads the http_* auth options (names without the auth_opt_ prefix); `env` fills the *_params fields. */
export function httpOptionsFrom(
  options: Readonly<Record<string, string>>,
  env: NodeJS.ProcessEnv = process.env,
): HttpProviderOptions {
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
    ca: caFile(options),
    params: {
      getuser: params(options, 'getuser', env),
      superuser: params(options, 'superuser', env),
      aclcheck: params(options, 'aclcheck', env),
    },
    subscribeAcc: acc,
    aclCacheSeconds: whole(options, 'acl_cacheseconds', 300, 86_400),
    authCacheSeconds: whole(options, 'auth_cacheseconds', 0, 86_400),
  };
}
