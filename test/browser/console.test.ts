// The web console in headless Chromium against the midge CLI: sign-in, the live overview, the Clients page
// with Kick, hostile client ids shown as text, accessibility (axe-core) and the layout at desktop and phone
// width. MIDGE_SCREENSHOTS=1 writes the README's screenshots to docs/console/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { connectClient } from '../helpers/mqttjs.js';
import { launchChromium, type Browser } from './chromium.js';
import {
  ADMIN,
  DEV,
  mosquittoPub,
  screenshot,
  seriousViolations,
  signedInPage,
  startConsoleBroker,
  WAIT_MS,
  type ConsoleBroker,
} from './console-support.js';

let broker: ConsoleBroker;
let browser: Browser;

before(async () => {
  broker = await startConsoleBroker();
  browser = await launchChromium();
});

after(async () => {
  await browser?.close();
  await broker?.midge.stop();
});

/** What the page functions below read from the browser's globals (this file compiles without the DOM lib). */
interface BrowserGlobals {
  innerWidth: number;
  document: {
    documentElement: { scrollWidth: number };
    querySelector(selector: string): { textContent: string | null } | null;
  };
}

const HOSTILE = ['<img src=x onerror=alert(1)>', '</script><script>alert(2)</script>'];

/** Fails the test if the page ever opens a dialog (alert) — the hostile strings' only way to show they ran. */
function forbidDialogs(page: Page): string[] {
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  return dialogs;
}

test('sign in: a wrong password is refused with a message, the right one opens the overview, sign out ends it', async () => {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  try {
    await page.goto(`${broker.origin}/`);
    await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'wrong username, password or API key' }).waitFor();
    // A user that is not a superuser may not use the console.
    await page.getByLabel('Username', { exact: true }).fill(DEV.username);
    await page.getByLabel('Password', { exact: true }).fill(DEV.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'only superusers' }).waitFor();
    await page.getByLabel('Password', { exact: true }).fill('');
    await page.getByLabel('Username', { exact: true }).fill(ADMIN.username);
    await page.getByLabel('Password', { exact: true }).fill(ADMIN.password);
    await screenshot(page, 'sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    const cookies = await browser.context.cookies(broker.origin);
    const session = cookies.find((c) => c.name === 'midge_session');
    assert.ok(session !== undefined, 'session cookie set');
    assert.equal(session.httpOnly, true);
    assert.equal(session.sameSite, 'Strict');
    assert.ok(session.expires > Date.now() / 1000, 'the cookie expires');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    // The old cookie value no longer opens anything.
    const again = await fetch(`${broker.origin}/api/v1/overview`, {
      headers: { cookie: `midge_session=${session.value}` },
    });
    assert.equal(again.status, 401);
  } finally {
    await page.close();
  }
});

test('sign in with an API key', async () => {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  try {
    await page.goto(`${broker.origin}/`);
    await page.getByLabel('API key', { exact: true }).check();
    await page.getByLabel('Key', { exact: true }).fill(broker.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await page.getByText('key:admin').waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
  } finally {
    await page.close();
  }
});

test('a changing request without the CSRF token is refused even with the session cookie', async () => {
  const signIn = await fetch(`${broker.origin}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ADMIN),
  });
  assert.equal(signIn.status, 200);
  const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] as string;
  const { csrfToken } = (await signIn.json()) as { csrfToken: string };
  const body = JSON.stringify({ topic: 'csrf/test', payload: 'x' });
  const headers = { cookie, 'content-type': 'application/json' };
  const without = await fetch(`${broker.origin}/api/v1/publish`, { method: 'POST', headers, body });
  assert.equal(without.status, 403);
  assert.equal(((await without.json()) as { error: { code: string } }).error.code, 'MIDGE_API_CSRF');
  const wrong = await fetch(`${broker.origin}/api/v1/publish`, {
    method: 'POST',
    headers: { ...headers, 'x-csrf-token': `${csrfToken}x` },
    body,
  });
  assert.equal(wrong.status, 403);
  const right = await fetch(`${broker.origin}/api/v1/publish`, {
    method: 'POST',
    headers: { ...headers, 'x-csrf-token': csrfToken },
    body,
  });
  assert.equal(right.status, 200, await right.text());
});

test('the console is served with a strict Content-Security-Policy and hashed, long-cached assets', async () => {
  const index = await fetch(`${broker.origin}/`);
  const csp = index.headers.get('content-security-policy') ?? '';
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self'(;|$)/);
  assert.match(csp, /style-src 'self'(;|$)/);
  assert.match(csp, new RegExp(`connect-src 'self' ws://127\\.0\\.0\\.1:${broker.wsPort}`));
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const html = await index.text();
  assert.doesNotMatch(html, /<script>|<style>| style=/, 'no inline script or style');
  const asset = /src="assets\/(app-[A-Z0-9]+\.js)"/.exec(html)?.[1];
  assert.ok(asset !== undefined, html);
  const js = await fetch(`${broker.origin}/assets/${asset}`);
  assert.equal(js.status, 200);
  assert.match(js.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
  assert.match(js.headers.get('content-type') ?? '', /javascript/);
});

test("the overview's message rate moves while mosquitto_pub sends 1,000 messages", async () => {
  const page = await signedInPage(browser, broker);
  try {
    const rate = page.getByTestId('rate-in');
    await rate.filter({ hasText: /^0$/ }).waitFor();
    // 1,000 messages over about two seconds, so at least one one-second sample sees them.
    await mosquittoPub(broker, ['-t', 'load/rate', '-m', 'x', '--repeat', '1000', '--repeat-delay', '0.002']);
    await page.waitForFunction(() => {
      const { document } = globalThis as unknown as BrowserGlobals;
      return Number(document.querySelector('[data-testid="rate-in"]')?.textContent?.replace(/,/g, '')) > 0;
    });
    await page
      .getByText('Messages received')
      .locator('..')
      .getByText(/^[1-9][\d,]*$/)
      .waitFor();
    await page.setViewportSize({ width: 1280, height: 800 });
    await screenshot(page, 'overview');
  } finally {
    await page.close();
  }
});

test('an MQTT.js client appears under Clients and Kick disconnects it with DISCONNECT 0x98', async () => {
  const page = await signedInPage(browser, broker);
  const mqtt = await connectClient(broker.midge.port, { clientId: 'kick-me', ...DEV, protocolVersion: 5 });
  try {
    const disconnect = new Promise<number | undefined>((ok) =>
      mqtt.client.once('disconnect', (packet) => ok(packet.reasonCode)),
    );
    await page.getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    await page.getByLabel('Search client id').fill('kick-me');
    const row = page.getByRole('row').filter({ hasText: 'kick-me' });
    await row.getByText('connected', { exact: true }).waitFor();
    await screenshot(page, 'clients');
    await row.getByRole('button', { name: 'Kick' }).click();
    assert.equal(await disconnect, 0x98);
    await row.getByText('connected', { exact: true }).waitFor({ state: 'detached' });
  } finally {
    mqtt.client.end(true);
    await page.close();
  }
});

test('hostile client ids stay text in the Clients table and on the client page', async () => {
  const page = await signedInPage(browser, broker);
  const dialogs = forbidDialogs(page);
  const clients = await Promise.all(
    HOSTILE.map((clientId) => connectClient(broker.midge.port, { clientId, ...DEV, protocolVersion: 5 })),
  );
  try {
    await page.getByRole('link', { name: 'Clients' }).click();
    for (const id of HOSTILE) await page.getByRole('link', { name: id, exact: true }).waitFor();
    await page.getByRole('link', { name: HOSTILE[0] as string, exact: true }).click();
    await page.getByRole('heading', { name: `Client ${HOSTILE[0]}` }).waitFor();
    assert.equal(await page.locator('img[src="x"]').count(), 0, 'no <img> was made from a client id');
    assert.deepEqual(dialogs, []);
  } finally {
    for (const c of clients) c.client.end(true);
    await page.close();
  }
});

test('axe-core finds no serious accessibility violations on the overview and Clients pages', async () => {
  const page = await signedInPage(browser, broker);
  try {
    assert.deepEqual(await seriousViolations(page), []);
    await page.getByRole('link', { name: 'Clients' }).click();
    await page.getByRole('heading', { name: 'Clients' }).waitFor();
    assert.deepEqual(await seriousViolations(page), []);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    assert.deepEqual(await seriousViolations(page), []);
  } finally {
    await page.close();
  }
});

for (const [label, width, height] of [
  ['desktop', 1280, 800],
  ['phone', 390, 844],
] as const) {
  test(`layout at ${width}×${height} (${label}): nothing is wider than the window`, async () => {
    const page = await signedInPage(browser, broker);
    try {
      await page.setViewportSize({ width, height });
      for (const link of ['Overview', 'Clients']) {
        await page.getByRole('link', { name: link, exact: true }).click();
        await page.getByRole('heading', { name: link }).waitFor();
        const overflow = await page.evaluate(() => {
          const { document, innerWidth } = globalThis as unknown as BrowserGlobals;
          return document.documentElement.scrollWidth - innerWidth;
        });
        assert.ok(overflow <= 0, `${link} is ${overflow}px wider than the ${width}px window`);
      }
      if (label === 'phone') await screenshot(page, 'phone');
    } finally {
      await page.close();
    }
  });
}
