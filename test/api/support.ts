// A started `midge` with an HTTP API listener, and a small fetch wrapper for its routes.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { createApiKey } from '../../src/api/api-keys.js';
import { hashPassword } from '../../src/auth/password.js';
import { sleep } from '../interop/support.js';

export interface ApiBroker {
  midge: MidgeProcess;
  apiPort: number;
  dir: string;
  /** A superuser API key. */
  adminKey: string;
  /** A key that publishes as user 'bob' (ACL: write bob/# only). */
  bobKey: string;
}

/** Users: dev/dev-secret (readwrite #), bob/bob-secret (write bob/#), root/root-secret (superuser via ACL-less key). */
export async function startApiBroker(extraConf = ''): Promise<ApiBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'midge-api-'));
  const keyFile = join(dir, 'keys.json');
  const passwordFile = join(dir, 'passwd');
  const aclFile = join(dir, 'acl');
  writeFileSync(passwordFile, `dev:${hashPassword('dev-secret')}\nbob:${hashPassword('bob-secret')}\n`);
  writeFileSync(aclFile, 'user dev\ntopic readwrite #\nuser bob\ntopic write bob/#\n');
  const adminKey = createApiKey(keyFile, { name: 'admin' }).key;
  const bobKey = createApiKey(keyFile, { name: 'bob', username: 'bob' }).key;
  const apiPort = await freePort();
  const midge = await startMidge({
    conf: [
      `password_file ${passwordFile}`,
      `acl_file ${aclFile}`,
      `http_api_key_file ${keyFile}`,
      'http_api_cors_origin https://dash.example',
      extraConf,
      `listener ${apiPort} 127.0.0.1`,
      'protocol http_api',
    ].join('\n'),
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${apiPort}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`HTTP API did not start\n${midge.output()}`);
    await sleep(50);
  }
  return { midge, apiPort, dir, adminKey, bobKey };
}

export interface Reply {
  status: number;
  headers: Headers;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of any route
  text: string;
}

export async function call(
  api: ApiBroker,
  method: string,
  path: string,
  options: { key?: string; basic?: [string, string]; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.key !== undefined) headers.authorization = `Bearer ${options.key}`;
  if (options.basic !== undefined) {
    headers.authorization = `Basic ${Buffer.from(options.basic.join(':')).toString('base64')}`;
  }
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`http://127.0.0.1:${api.apiPort}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = text === '' ? undefined : JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, body, text };
}

/** Prometheus text format: `name{labels} value` lines and # comments; returns name+labels → value. */
export function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
    assert.ok(match, `not a Prometheus sample line: ${line}`);
    samples.set(match[1] as string, Number(match[2]));
  }
  return samples;
}
