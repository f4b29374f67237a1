// Driving the test pages (pages/*.html) from Node: the web root a WebSocket listener serves with http_dir
// (the pages plus paho-mqtt.js and MQTT.js's browser bundle), and typed calls into what each page puts on
// window.midge.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { Browser } from './chromium.js';

const require = createRequire(import.meta.url);
const PAGES = join(dirname(fileURLToPath(import.meta.url)), 'pages');

export interface Received {
  topic: string;
  payload: string;
  qos: number;
}

export interface ConnectOptions {
  host: string;
  port: number;
  path: string;
  clientId: string;
  useSSL?: boolean;
  username?: string;
  password?: string;
  /** MQTT.js page only: 4 (3.1.1, default) or 5. */
  protocolVersion?: 4 | 5;
}

/** What the test pages put on window. */
interface PageWindow {
  midge: {
    received: Received[];
    connect(options: ConnectOptions): Promise<string>;
    subscribe(topic: string, qos: number): Promise<number>;
    publish(topic: string, payload: string, qos: number): Promise<number | undefined>;
  };
}

/** `dir`/www with the test pages and both libraries; returns its path. */
export function writeWebRoot(dir: string): string {
  const www = join(dir, 'www');
  mkdirSync(www);
  for (const name of readdirSync(PAGES)) copyFileSync(join(PAGES, name), join(www, name));
  copyFileSync(require.resolve('paho-mqtt/paho-mqtt.js'), join(www, 'paho-mqtt.js'));
  copyFileSync(
    join(dirname(require.resolve('mqtt/package.json')), 'dist', 'mqtt.min.js'),
    join(www, 'mqtt.min.js'),
  );
  return www;
}

export async function openPage(
  browser: Browser,
  library: string,
  origin: string,
  waitMs: number,
): Promise<Page> {
  const page = await browser.context.newPage();
  page.setDefaultTimeout(waitMs);
  await page.goto(`${origin}/${library}.html`);
  return page;
}

/** Resolves 'connected'; rejects with the library's error (MQTT.js: including `(code N)` of the CONNACK). */
export const connect = (page: Page, options: ConnectOptions): Promise<string> =>
  page.evaluate((o) => (globalThis as unknown as PageWindow).midge.connect(o), options);

/** The SUBACK code (MQTT.js page: also a refusal's). */
export const subscribe = (page: Page, topic: string, qos: number): Promise<number> =>
  page.evaluate(([t, q]) => (globalThis as unknown as PageWindow).midge.subscribe(t, q), [
    topic,
    qos,
  ] as const);

/** Resolves once acknowledged; the MQTT.js page resolves with the PUBACK / PUBREC reason code. */
export const publish = (
  page: Page,
  topic: string,
  payload: string,
  qos: number,
): Promise<number | undefined> =>
  page.evaluate(([t, p, q]) => (globalThis as unknown as PageWindow).midge.publish(t, p, q), [
    topic,
    payload,
    qos,
  ] as const);

/** Every message the page received, once there are at least `count`. */
export async function received(page: Page, count: number): Promise<Received[]> {
  await page.waitForFunction((n) => (globalThis as unknown as PageWindow).midge.received.length >= n, count);
  return page.evaluate(() => (globalThis as unknown as PageWindow).midge.received as Received[]);
}
