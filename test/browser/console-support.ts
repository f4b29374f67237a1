// A started `midge` for the console tests: MQTT over TCP, MQTT over WebSocket and an HTTP API listener, the
// embedded auth store with a superuser `admin` and a user `dev` (readwrite #), and a signed-in console page.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { createApiKey } from '../../src/api/api-keys.js';
import { freePort, startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { describeExit, runProcess } from '../interop/support.js';
import { waitForHttp, type Browser } from './chromium.js';

export const WAIT_MS = 15_000;
export const ADMIN = { username: 'admin', password: 'admin-secret' };
export const DEV = { username: 'dev', password: 'dev-secret' };

export interface ConsoleBroker {
  midge: MidgeProcess;
  origin: string;
  wsPort: number;
  adminKey: string;
  dir: string;
}

export async function startConsoleBroker(extraConf: string[] = []): Promise<ConsoleBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'midge-console-'));
  const keyFile = join(dir, 'keys.json');
  const adminKey = createApiKey(keyFile, { name: 'admin' }).key;
  const apiPort = await freePort();
  const wsPort = await freePort();
  const midge = await startMidge({
    conf: [
      // No anonymous access: the embedded auth store is created at start and is what the console edits.
      'allow_anonymous false',
      `persistence_location ${dir}`,
      `http_api_key_file ${keyFile}`,
      ...extraConf,
      `listener ${wsPort} 127.0.0.1`,
      'protocol websockets',
      `listener ${apiPort} 127.0.0.1`,
      'protocol http_api',
    ].join('\n'),
  });
  const origin = `http://127.0.0.1:${apiPort}`;
  await waitForHttp(`${origin}/healthz`);
  const broker = { midge, origin, wsPort, adminKey, dir };
  for (const [user, superuser] of [
    [ADMIN, true],
    [DEV, false],
  ] as const) {
    const response = await apiCall(broker, 'POST', '/api/v1/users', { ...user, superuser });
    assert.equal(response.status, 201, await response.text());
  }
  const rule = await apiCall(broker, 'POST', '/api/v1/acls', { username: 'dev', topic: '#', rw: 2 });
  assert.equal(rule.status, 201, await rule.text());
  return broker;
}

export function apiCall(
  broker: ConsoleBroker,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  return fetch(`${broker.origin}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${broker.adminKey}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

/** A new page at the console, signed in as `admin` with the form, showing the overview. */
export async function signedInPage(browser: Browser, broker: ConsoleBroker): Promise<Page> {
  // One browser context for all tests: start each from no session.
  await browser.context.clearCookies();
  const page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  await page.goto(`${broker.origin}/`);
  await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
  await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Overview' }).waitFor();
  return page;
}

/** mosquitto_pub as `dev` over TCP; extra arguments go before the message. */
export async function mosquittoPub(broker: ConsoleBroker, args: string[]): Promise<void> {
  const exit = await runProcess(
    '/usr/bin/mosquitto_pub',
    ['-h', '127.0.0.1', '-p', String(broker.midge.port), '-u', DEV.username, '-P', DEV.password, ...args],
    { timeoutMs: WAIT_MS },
  );
  assert.equal(exit.code, 0, describeExit('mosquitto_pub', exit));
}

const require = createRequire(import.meta.url);

/** Runs axe-core in the page (injected from the npm package) and returns the serious and critical findings. */
export async function seriousViolations(page: Page): Promise<string[]> {
  // Evaluated through the DevTools protocol: the page's CSP rightly refuses an injected inline script.
  await page.evaluate(readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8'));
  const results = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run()).violations as { id: string; impact: string; help: string; nodes: unknown[] }[];
  });
  return results
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help}, ${v.nodes.length} element(s)`);
}

/** MIDGE_SCREENSHOTS=1 writes the README's console screenshots to docs/console/NAME.png; otherwise nothing. */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.MIDGE_SCREENSHOTS !== '1') return;
  await page.screenshot({ path: join('docs', 'console', `${name}.png`) });
}
