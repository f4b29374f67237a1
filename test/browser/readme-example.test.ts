// The README's browser example, exactly as a user copies it: its midge.conf (ports made free and http_dir
// made absolute, nothing else) and its page, in headless Chromium. The page's MQTT.js comes from unpkg in the
// README; the test answers that URL with the installed bundle, so nothing leaves the machine.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { describeExit, runProcess, startProcess } from '../interop/support.js';
import { launchChromium, waitForHttp, type Browser } from './chromium.js';

const require = createRequire(import.meta.url);
const README = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'README.md');
const WAIT_MS = 10_000;

let dir: string;
let midge: MidgeProcess;
let browser: Browser;
let wsPort: number;

/** The first fenced block of `language` after `heading` in the README. */
function readmeBlock(heading: string, language: string): string {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf(heading);
  assert.notEqual(start, -1, `README has no '${heading}'`);
  const match = new RegExp('```' + language + '\\n([\\s\\S]*?)```').exec(text.slice(start));
  assert.ok(match, `README has no ${language} block after '${heading}'`);
  return match[1] as string;
}

before(async () => {
  const heading = '### A browser page talking MQTT to Midge';
  const conf = readmeBlock(heading, 'conf');
  const page = readmeBlock(heading, 'html');
  dir = mkdtempSync(join(tmpdir(), 'midge-readme-'));
  mkdirSync(join(dir, 'www'));
  writeFileSync(join(dir, 'www', 'index.html'), page);
  wsPort = await freePort();
  // startMidge supplies the TCP listener (its own free port) and allow_anonymous; the README's are swapped.
  assert.match(conf, /^listener 1883$/m);
  assert.match(conf, /^listener 9001$/m);
  assert.match(conf, /^http_dir \.\/www$/m);
  midge = await startMidge({
    conf: conf
      .replace(/^listener 1883$/m, '')
      .replace(/^listener 9001$/m, `listener ${wsPort} 127.0.0.1`)
      .replace(/^http_dir \.\/www$/m, `http_dir ${join(dir, 'www')}`),
  });
  browser = await launchChromium();
  const bundle = readFileSync(join(dirname(require.resolve('mqtt/package.json')), 'dist', 'mqtt.min.js'));
  await browser.context.route('https://unpkg.com/**', (route) =>
    route.fulfill({ status: 200, contentType: 'text/javascript', body: bundle }),
  );
});

after(async () => {
  await browser?.close();
  await midge?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('README example: the page served by http_dir connects, shows what mosquitto_pub sends, and publishes', async () => {
  await waitForHttp(`http://127.0.0.1:${wsPort}/`);
  const page = await browser.context.newPage();
  page.setDefaultTimeout(WAIT_MS);
  try {
    await page.goto(`http://127.0.0.1:${wsPort}/`);
    await page.waitForSelector('#status:text-is("connected")');
    // The page subscribes right after CONNACK; a retained message proves the exchange whatever the timing.
    const tcp = ['-h', '127.0.0.1', '-p', String(midge.port)];
    const pub = await runProcess(
      '/usr/bin/mosquitto_pub',
      [...tcp, '-t', 'demo/hello', '-m', 'hi', '-r', '-q', '1'],
      {
        timeoutMs: WAIT_MS,
      },
    );
    assert.equal(pub.code, 0, describeExit('mosquitto_pub', pub));
    await page.waitForSelector('#messages li:text-is("demo/hello: hi")');

    const sub = startProcess(
      '/usr/bin/stdbuf',
      ['-oL', '/usr/bin/mosquitto_sub', ...tcp, '-d', '-v', '-t', 'demo/browser', '-C', '1'],
      { timeoutMs: WAIT_MS },
    );
    await sub.waitForLine(/^Subscribed/);
    await page.click('button');
    const exit = await sub.exit;
    assert.equal(exit.code, 0, describeExit('mosquitto_sub', exit));
    assert.match(exit.stdout, /^demo\/browser hello from the browser$/m);
  } finally {
    await page.close();
  }
});
