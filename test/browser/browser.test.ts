// Real browsers against the midge CLI: pages using paho-mqtt.js and MQTT.js's browser bundle, served by the
// WebSocket listener's http_dir, run in headless Chromium. Each page connects over WebSocket, subscribes and
// publishes at QoS 0, 1 and 2, and exchanges messages both ways with mosquitto_pub / mosquitto_sub over TCP;
// also with a username and password from a password_file, and over secure WebSocket.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { hashPassword } from '../../src/auth/password.js';
import { makeTestCerts, type TestCerts } from '../helpers/certs.js';
import { freePort, startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { describeExit, runProcess, startProcess, uniquePrefix } from '../interop/support.js';
import { launchChromium, waitForHttp, type Browser } from './chromium.js';
import {
  connect,
  openPage as open,
  publish,
  received,
  subscribe,
  writeWebRoot,
  type Received,
} from './page-api.js';

const LIBRARIES = ['paho', 'mqttjs'] as const;
const WAIT_MS = 10_000;

let certs: TestCerts;
let midge: MidgeProcess;
let browser: Browser;
/** WebSocket listeners: anonymous, password_file, WSS. */
const ports = { ws: 0, auth: 0, wss: 0 };

const openPage = (library: string, origin: string): Promise<Page> => open(browser, library, origin, WAIT_MS);

before(async () => {
  certs = makeTestCerts('browser-user');
  const www = writeWebRoot(certs.dir);
  const passwd = join(certs.dir, 'passwd');
  writeFileSync(passwd, `webuser:${hashPassword('web-secret')}\n`);
  ports.ws = await freePort();
  ports.auth = await freePort();
  ports.wss = await freePort();
  midge = await startMidge({
    conf: [
      'per_listener_settings true',
      `listener ${ports.ws} 127.0.0.1`,
      'protocol websockets',
      `http_dir ${www}`,
      'allow_anonymous true',
      `listener ${ports.auth} 127.0.0.1`,
      'protocol websockets',
      `http_dir ${www}`,
      'allow_anonymous false',
      `password_file ${passwd}`,
      `listener ${ports.wss} 127.0.0.1`,
      'protocol websockets',
      `http_dir ${www}`,
      `certfile ${certs.serverCert}`,
      `keyfile ${certs.serverKey}`,
      'allow_anonymous true',
    ].join('\n'),
  });
  await waitForHttp(`http://127.0.0.1:${ports.auth}/`);
  browser = await launchChromium({ ignoreHTTPSErrors: true });
});

after(async () => {
  await browser?.close();
  await midge?.stop();
  certs?.remove();
});

const tcpArgs = (): string[] => ['-h', '127.0.0.1', '-p', String(midge.port)];

async function mosquittoPub(
  topic: string,
  payload: string,
  qos: number,
  extra: string[] = [],
): Promise<void> {
  const exit = await runProcess(
    '/usr/bin/mosquitto_pub',
    [...tcpArgs(), ...extra, '-t', topic, '-m', payload, '-q', String(qos)],
    { timeoutMs: WAIT_MS },
  );
  assert.equal(exit.code, 0, describeExit('mosquitto_pub', exit));
}

/** mosquitto_sub -d: started, subscribed, and later the QoS of each received PUBLISH from its debug lines. */
async function mosquittoSub(filter: string, count: number) {
  const sub = startProcess(
    '/usr/bin/stdbuf',
    ['-oL', '/usr/bin/mosquitto_sub', ...tcpArgs(), '-d', '-v', '-q', '2', '-t', filter, '-C', String(count)],
    { timeoutMs: WAIT_MS },
  );
  await sub.waitForLine(/^Subscribed/);
  return {
    async messages(): Promise<Received[]> {
      const exit = await sub.exit;
      assert.equal(exit.code, 0, describeExit('mosquitto_sub', exit));
      const out: Received[] = [];
      let qos = -1;
      for (const line of exit.stdout.split('\n')) {
        const meta = /received PUBLISH \(d\d, q(\d), r\d, m\d+, '([^']*)'/.exec(line);
        if (meta) qos = Number(meta[1]);
        else if (qos >= 0 && line.startsWith(filter.replace('#', ''))) {
          const space = line.indexOf(' ');
          out.push({ topic: line.slice(0, space), payload: line.slice(space + 1), qos });
          qos = -1;
        }
      }
      return out;
    },
  };
}

for (const library of LIBRARIES) {
  const origin = (): string => `http://127.0.0.1:${ports.ws}`;

  test(`${library}: the page subscribes at QoS 0, 1 and 2 and receives what a TCP client published`, async () => {
    const page = await openPage(library, origin());
    try {
      const prefix = uniquePrefix(`browser-${library}-in`);
      assert.equal(
        await connect(page, { host: '127.0.0.1', port: ports.ws, path: '/mqtt', clientId: `${library}-in` }),
        'connected',
      );
      for (const qos of [0, 1, 2]) assert.equal(await subscribe(page, `${prefix}/q${qos}`, qos), qos);
      for (const qos of [0, 1, 2]) await mosquittoPub(`${prefix}/q${qos}`, `from tcp at qos ${qos}`, qos);
      const got = await received(page, 3);
      assert.deepEqual(
        got.sort((a, b) => a.qos - b.qos),
        [0, 1, 2].map((qos) => ({ topic: `${prefix}/q${qos}`, payload: `from tcp at qos ${qos}`, qos })),
      );
    } finally {
      await page.close();
    }
  });

  test(`${library}: a TCP subscriber receives what the page published at QoS 0, 1 and 2`, async () => {
    const page = await openPage(library, origin());
    try {
      const prefix = uniquePrefix(`browser-${library}-out`);
      await connect(page, { host: '127.0.0.1', port: ports.ws, path: '/mqtt', clientId: `${library}-out` });
      const sub = await mosquittoSub(`${prefix}/#`, 3);
      for (const qos of [0, 1, 2])
        await publish(page, `${prefix}/q${qos}`, `from the browser at qos ${qos}`, qos);
      const got = await sub.messages();
      assert.deepEqual(
        got.sort((a, b) => a.qos - b.qos),
        [0, 1, 2].map((qos) => ({
          topic: `${prefix}/q${qos}`,
          payload: `from the browser at qos ${qos}`,
          qos,
        })),
      );
    } finally {
      await page.close();
    }
  });

  test(`${library}: username and password from the password_file; a wrong password is refused`, async () => {
    const page = await openPage(library, `http://127.0.0.1:${ports.auth}`);
    try {
      const base = { host: '127.0.0.1', port: ports.auth, path: '/mqtt', clientId: `${library}-auth` };
      await assert.rejects(connect(page, { ...base, username: 'webuser', password: 'wrong' }));
      await page.reload();
      await assert.rejects(connect(page, base), 'anonymous clients are refused on this listener');
      await page.reload();
      await connect(page, { ...base, username: 'webuser', password: 'web-secret' });
      const prefix = uniquePrefix(`browser-${library}-auth`);
      await subscribe(page, `${prefix}/#`, 1);
      await mosquittoPub(`${prefix}/hello`, 'to an authenticated page', 1);
      assert.deepEqual(await received(page, 1), [
        { topic: `${prefix}/hello`, payload: 'to an authenticated page', qos: 1 },
      ]);
    } finally {
      await page.close();
    }
  });

  test(`${library}: secure WebSocket (wss) from a page served over https`, async () => {
    const page = await openPage(library, `https://localhost:${ports.wss}`);
    try {
      await connect(page, {
        host: 'localhost',
        port: ports.wss,
        path: '/mqtt',
        clientId: `${library}-wss`,
        useSSL: true,
      });
      const prefix = uniquePrefix(`browser-${library}-wss`);
      await subscribe(page, `${prefix}/#`, 2);
      await publish(page, `${prefix}/echo`, 'over wss', 2);
      await mosquittoPub(`${prefix}/tcp`, 'tcp to wss', 2);
      const got = await received(page, 2);
      assert.deepEqual(got.map((m) => m.payload).sort(), ['over wss', 'tcp to wss']);
    } finally {
      await page.close();
    }
  });
}
