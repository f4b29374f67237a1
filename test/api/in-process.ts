// A broker and its HTTP API started in this test process, with an admin key and a non-superuser key.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBroker, type StartedBroker } from '../helpers/broker.js';
import type { Config, ConfigInput } from '../../src/index.js';
import { createApiKey } from '../../src/api/api-keys.js';
import { startHttpApi, type HttpApi, type HttpApiOptions } from '../../src/api/http-api.js';

export interface InProcessApi {
  started: StartedBroker;
  api: HttpApi;
  dir: string;
  adminKey: string;
  /** An API key acting as user 'user', not a superuser. */
  userKey: string;
  /** A JSON request with the admin key (or `key`, or Basic credentials); the body parsed when there is one. */
  call(
    method: string,
    path: string,
    body?: unknown,
    key?: string | [string, string],
  ): Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of any route
  stop(): Promise<void>;
}

export async function startInProcessApi(
  config: ConfigInput = {},
  extend?: (config: Config) => HttpApiOptions['extend'],
): Promise<InProcessApi> {
  const dir = mkdtempSync(join(tmpdir(), 'midge-api-'));
  const keyFile = join(dir, 'keys.json');
  const adminKey = createApiKey(keyFile, { name: 'admin' }).key;
  const userKey = createApiKey(keyFile, { name: 'user', username: 'user' }).key;
  // The temp dir holds whatever the broker would keep in ./midge-data (the embedded auth store).
  const started = await startBroker({
    httpApi: { keyFile, allowAnonymous: false },
    persistenceLocation: dir,
    ...config,
  });
  const api = await startHttpApi(started.broker, {
    port: 0,
    listener: -1,
    settings: started.broker.config.httpApi,
    extend: extend?.(started.broker.config),
  });
  const call: InProcessApi['call'] = async (method, path, body, key = adminKey) => {
    const response = await fetch(`http://127.0.0.1:${api.port}${path}`, {
      method,
      headers: {
        authorization:
          typeof key === 'string'
            ? `Bearer ${key}`
            : `Basic ${Buffer.from(key.join(':')).toString('base64')}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
  };
  return {
    started,
    api,
    dir,
    adminKey,
    userKey,
    call,
    stop: async () => {
      await api.close();
      await started.stop();
    },
  };
}
