// The console's Users and ACLs and Topics pages in headless Chromium against the midge CLI: a user and rule made
// in the console let mosquitto_sub subscribe and explain names the rule; numbers published with mosquitto_pub
// (plain and JSON) appear in a topic's plot and CSV; hostile payloads stay text.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connectClient } from '../helpers/mqttjs.js';
import { describeExit, startProcess } from '../interop/support.js';
import { launchChromium, type Browser } from './chromium.js';
import {
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

test('a user and a rule created in the console let mosquitto_sub subscribe, and explain names the rule', async () => {
  const page = await signedInPage(browser, broker);
  try {
    await page.getByRole('link', { name: 'Users and ACLs' }).click();
    await page.getByRole('heading', { name: 'Users and ACLs' }).waitFor();
    await page.getByLabel('Username', { exact: true }).fill('sensor');
    await page.getByLabel('Password', { exact: true }).fill('sensor-secret');
    await page.getByRole('button', { name: 'Create user' }).click();
    await page.getByRole('status').filter({ hasText: 'Created sensor' }).waitFor();
    await page.getByLabel('Rule username').fill('sensor');
    await page.getByLabel('Rule topic').fill('lab/#');
    await page.getByLabel('Rule access').selectOption('read');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.getByRole('cell', { name: 'lab/#', exact: true }).waitFor();

    const sub = startProcess(
      '/usr/bin/stdbuf',
      [
        '-oL',
        '/usr/bin/mosquitto_sub',
        ...['-h', '127.0.0.1', '-p', String(broker.midge.port), '-u', 'sensor', '-P', 'sensor-secret'],
        ...['-d', '-t', 'lab/dev9/x', '-C', '1'],
      ],
      { timeoutMs: WAIT_MS },
    );
    // Granted QoS 0, not 0x80.
    await sub.waitForLine(/^Subscribed \(mid: \d+\): 0$/, WAIT_MS);
    await mosquittoPub(broker, ['-t', 'lab/dev9/x', '-m', 'hello sensor']);
    const exit = await sub.exit;
    assert.equal(exit.code, 0, describeExit('mosquitto_sub', exit));
    assert.match(exit.stdout, /^hello sensor$/m);

    await page.getByLabel('May user').fill('sensor');
    await page.getByLabel('do', { exact: true }).selectOption('subscribe');
    await page.getByLabel('on topic').fill('lab/dev9/x');
    await page.getByRole('button', { name: 'Explain' }).click();
    const explanation = page.getByTestId('explanation');
    await explanation.filter({ hasText: 'lab/#' }).waitFor();
    assert.match((await explanation.textContent()) ?? '', /^allow/);
    await screenshot(page, 'users');
    assert.deepEqual(await seriousViolations(page), []);
  } finally {
    await page.close();
  }
});

test('numbers published to lab/dev1/temp (plain and JSON) appear in its plot and CSV', async () => {
  const page = await signedInPage(browser, broker);
  try {
    await page.getByRole('link', { name: 'Topics', exact: true }).click();
    await page.getByRole('heading', { name: 'Topics' }).waitFor();
    await mosquittoPub(broker, ['-t', 'lab/dev1/temp', '-m', '20.5']);
    await page.getByRole('button', { name: 'lab/' }).click();
    await page.getByRole('button', { name: 'dev1/' }).click();
    // The topic page's first series request is what starts recording the topic: wait for its answer.
    const watching = page.waitForResponse((r) => r.url().includes('/api/v1/topics/series') && r.ok());
    await page.getByRole('link', { name: 'lab/dev1/temp' }).click();
    await page.getByRole('heading', { name: 'Topic lab/dev1/temp' }).waitFor();
    await watching;
    // The page watches the topic now: what follows is recorded.
    await mosquittoPub(broker, ['-t', 'lab/dev1/temp', '-m', '21.25']);
    await mosquittoPub(broker, ['-t', 'lab/dev1/temp', '-m', '{"temp":22.75,"hum":40}']);
    const latest = page.getByRole('list', { name: 'Latest values' });
    await latest.getByText('temp: 22.75').waitFor();
    await latest.getByText('hum: 40').waitFor();
    await page.getByRole('img', { name: 'temp chart' }).waitFor();
    await page.getByRole('img', { name: 'value chart' }).waitFor();
    await screenshot(page, 'topic');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download CSV' }).click();
    const file = await download;
    const csv = await new Promise<string>((ok, fail) => {
      void file.createReadStream().then((stream) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => ok(Buffer.concat(chunks).toString('utf8')));
        stream.on('error', fail);
      }, fail);
    });
    const rows = csv.trim().split('\r\n');
    assert.equal(rows[0], 'time,value,temp,hum');
    assert.deepEqual(
      rows.slice(1).map((r) => r.split(',').slice(1).join(',')),
      ['20.5,,', '21.25,,', ',22.75,40'],
    );
    assert.match(rows[1] as string, /^\d{4}-\d\d-\d\dT/);
  } finally {
    await page.close();
  }
});

test('hostile topics and payloads stay text in the topic view', async () => {
  const page = await signedInPage(browser, broker);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  try {
    const hostile = ['<img src=x onerror=alert(1)>', '</script><script>alert(2)</script>'];
    for (const payload of hostile) await mosquittoPub(broker, ['-t', `evil/${payload}`, '-m', payload]);
    await page.getByRole('link', { name: 'Topics', exact: true }).click();
    await page.getByLabel('Search topics').fill('evil/');
    for (const payload of hostile) {
      await page.getByRole('link', { name: `evil/${payload}`, exact: true }).waitFor();
      await page.getByText(payload, { exact: true }).first().waitFor();
    }
    await page.getByRole('link', { name: `evil/${hostile[0]}`, exact: true }).click();
    await page
      .getByTestId('last-payload')
      .filter({ hasText: hostile[0] as string })
      .waitFor();
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(dialogs, []);
  } finally {
    await page.close();
  }
});

test("the page's MQTT client exchanges messages with a TCP client both ways, hostile payloads as text", async () => {
  const page = await signedInPage(browser, broker);
  const dialogs: string[] = [];
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  try {
    await page.getByRole('link', { name: 'MQTT client' }).click();
    await page.getByRole('heading', { name: 'MQTT client' }).waitFor();
    await page.getByLabel('Listener').locator('option').first().waitFor({ state: 'attached' });
    await page.getByLabel('Client id').fill('console-page');
    await page.getByLabel('Username', { exact: true }).fill(DEV.username);
    await page.getByLabel('Password', { exact: true }).fill(DEV.password);
    await page.getByRole('button', { name: 'Connect', exact: true }).click();
    await page
      .getByTestId('mqtt-state')
      .filter({ hasText: /^connected$/ })
      .waitFor();
    await page.getByLabel('Topic filter').fill('chat/in/#');
    await page.getByLabel('Subscription QoS').selectOption('1');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('status').filter({ hasText: 'Subscribed to chat/in/# (granted 1)' }).waitFor();

    // TCP → page
    const hostile = '<img src=x onerror=alert(1)>';
    await mosquittoPub(broker, ['-t', 'chat/in/tcp', '-q', '1', '-m', 'hello page']);
    await mosquittoPub(broker, ['-t', 'chat/in/tcp', '-m', hostile]);
    const messages = page.getByRole('table', { name: 'Messages' });
    await messages.getByRole('cell', { name: 'hello page', exact: true }).waitFor();
    await messages.getByRole('cell', { name: hostile, exact: true }).waitFor();

    // page → TCP
    const sub = startProcess(
      '/usr/bin/stdbuf',
      [
        '-oL',
        '/usr/bin/mosquitto_sub',
        ...['-h', '127.0.0.1', '-p', String(broker.midge.port), '-u', DEV.username, '-P', DEV.password],
        ...['-d', '-v', '-t', 'chat/out', '-C', '1'],
      ],
      { timeoutMs: WAIT_MS },
    );
    await sub.waitForLine(/^Subscribed/, WAIT_MS);
    await page.getByLabel('Topic', { exact: true }).fill('chat/out');
    await page.getByLabel('Payload').fill('{ "from": "the page" }');
    await page.getByLabel('Format').selectOption('json');
    await page.getByLabel('QoS', { exact: true }).selectOption('1');
    await page.getByRole('button', { name: 'Publish' }).click();
    const exit = await sub.exit;
    assert.equal(exit.code, 0, describeExit('mosquitto_sub', exit));
    assert.match(exit.stdout, /^chat\/out \{"from":"the page"\}$/m);
    await screenshot(page, 'mqtt-client');
    assert.equal(await page.locator('img[src="x"]').count(), 0);
    assert.deepEqual(dialogs, []);
    assert.deepEqual(await seriousViolations(page), []);
  } finally {
    await page.close();
  }
});

test('retained messages: set one in the console, mosquitto_sub gets it, view and delete it', async () => {
  const page = await signedInPage(browser, broker);
  try {
    await page.getByRole('link', { name: 'Retained', exact: true }).click();
    await page.getByRole('heading', { name: 'Retained messages' }).waitFor();
    await page.getByLabel('Topic', { exact: true }).fill('kept/status');
    await page.getByLabel('Payload').fill('online <b>');
    await page.getByRole('button', { name: 'Set retained' }).click();
    const table = page.getByRole('table', { name: 'Retained messages' });
    await table.getByRole('cell', { name: 'online <b>', exact: true }).waitFor();
    const sub = startProcess(
      '/usr/bin/mosquitto_sub',
      [
        ...['-h', '127.0.0.1', '-p', String(broker.midge.port), '-u', DEV.username, '-P', DEV.password],
        ...['-t', 'kept/status', '-C', '1'],
      ],
      { timeoutMs: WAIT_MS },
    );
    const exit = await sub.exit;
    assert.equal(exit.code, 0, describeExit('mosquitto_sub', exit));
    assert.equal(exit.stdout.trim(), 'online <b>');
    await page.getByLabel('Search topics').fill('kept/');
    await page.getByRole('button', { name: 'Delete kept/status' }).click();
    await table.getByRole('cell', { name: 'kept/status', exact: true }).waitFor({ state: 'detached' });
  } finally {
    await page.close();
  }
});

test('events: the live stream filtered by client id shows that client connecting and nothing of another', async () => {
  const page = await signedInPage(browser, broker);
  try {
    await page.getByRole('link', { name: 'Events', exact: true }).click();
    await page.getByLabel('Client id').fill('watched-one');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByTestId('events-state').filter({ hasText: 'live' }).waitFor();
    const other = await connectClient(broker.midge.port, { clientId: 'other-one', ...DEV });
    const watched = await connectClient(broker.midge.port, { clientId: 'watched-one', ...DEV });
    const list = page.getByRole('list', { name: 'Events' });
    await list.getByText('client_connected').waitFor();
    assert.match((await list.textContent()) ?? '', /watched-one/);
    assert.doesNotMatch((await list.textContent()) ?? '', /other-one/);
    other.client.end(true);
    watched.client.end(true);
  } finally {
    await page.close();
  }
});
