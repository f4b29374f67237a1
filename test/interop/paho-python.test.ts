// Eclipse Paho for Python (paho-mqtt 1.6 from Debian, run with /usr/bin/python3) against a started `midge`
// process, with MQTT 3.1.1 and MQTT 5.0. Each client is one run of python/paho_client.py, which prints a JSON
// line per event and exits non-zero on failure or after its own timeout.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { describeExit, startProcess, uniquePrefix, type Exit, type Running } from './support.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('./python/paho_client.py', import.meta.url));
/** The script's own deadline (seconds); the process is killed a little after it regardless. */
const SCRIPT_TIMEOUT_S = 8;

let midge: MidgeProcess;

before(async () => {
  midge = await startMidge({ conf: '' });
});

after(async () => {
  await midge.stop();
});

interface PahoEvent {
  event: string;
  topic?: string;
  qos?: number;
  retain?: boolean;
  payload_hex?: string;
  session_present?: boolean;
  rc?: number;
  granted?: number[];
  error?: string;
}

interface Message {
  topic: string;
  qos: number;
  retain: boolean;
  payload: string;
}

const hex = (text: string): string => Buffer.from(text, 'utf8').toString('hex');

function events(exit: Exit): PahoEvent[] {
  return exit.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as PahoEvent);
}

function messages(exit: Exit): Message[] {
  return events(exit)
    .filter((e) => e.event === 'message')
    .map((e) => ({
      topic: e.topic ?? '',
      qos: e.qos ?? -1,
      retain: e.retain ?? false,
      payload: Buffer.from(e.payload_hex ?? '', 'hex').toString('utf8'),
    }));
}

function connack(exit: Exit): PahoEvent {
  const found = events(exit).find((e) => e.event === 'connack');
  assert.ok(found, describeExit('no CONNACK', exit));
  return found;
}

for (const protocol of ['311', '5'] as const) {
  const label = protocol === '311' ? 'MQTT 3.1.1' : 'MQTT 5.0';

  const start = (args: string[]): Running =>
    startProcess(
      PYTHON,
      [
        SCRIPT,
        '--port',
        String(midge.port),
        '--protocol',
        protocol,
        '--timeout',
        String(SCRIPT_TIMEOUT_S),
        ...args,
      ],
      { timeoutMs: (SCRIPT_TIMEOUT_S + 2) * 1000 },
    );

  /** Starts a client and resolves once it printed "ready" (connected, subscribed, published). */
  const ready = async (args: string[]): Promise<Running> => {
    const running = start(args);
    await running.waitForLine(/"event": "ready"/, SCRIPT_TIMEOUT_S * 1000);
    return running;
  };

  /** Runs a client to its end and insists it succeeded. */
  const succeed = async (running: Running | Promise<Running>, what: string): Promise<Exit> => {
    const exit = await (await running).exit;
    assert.equal(exit.code, 0, describeExit(what, exit));
    return exit;
  };
  const run = (args: string[], what: string): Promise<Exit> => succeed(start(args), what);

  describe(`paho-mqtt (Python) ${label}`, () => {
    test(
      'QoS 0, 1 and 2 publish/subscribe round trips keep the payload bytes',
      { timeout: 20000 },
      async () => {
        const prefix = uniquePrefix(`paho-${protocol}-qos`);
        const binary = Buffer.from([0, 1, 127, 128, 254, 255, 0x0a, 0x0d]).toString('hex');
        const sub = await ready(['--sub', `${prefix}/#:2`, '--count', '3', '--linger', '0.3']);
        const pub = await run(
          [0, 1, 2]
            .map((qos) => ['--pub', `${prefix}/q${qos}:${qos}:0:${binary}${hex(`-qos${qos}`)}`])
            .flat(),
          'publisher',
        );
        assert.equal(events(pub).filter((e) => e.event === 'published').length, 3);
        const exit = await succeed(sub, 'subscriber');
        assert.deepEqual(events(exit).find((e) => e.event === 'suback')?.granted, [2]);
        const got = events(exit)
          .filter((e) => e.event === 'message')
          .sort((a, b) => (a.topic ?? '').localeCompare(b.topic ?? ''));
        assert.deepEqual(
          got.map((e) => [e.topic, e.qos, e.retain, e.payload_hex]),
          [0, 1, 2].map((qos) => [`${prefix}/q${qos}`, qos, false, `${binary}${hex(`-qos${qos}`)}`]),
        );
      },
    );

    test(
      'a retained message reaches later subscribers with RETAIN set; an empty retained publish clears it',
      { timeout: 20000 },
      async () => {
        const prefix = uniquePrefix(`paho-${protocol}-retain`);
        await run(
          [
            '--pub',
            `${prefix}/kept:1:1:${hex('kept-value')}`,
            '--pub',
            `${prefix}/cleared:1:1:${hex('old')}`,
          ],
          'retained publisher',
        );
        const first = await run(['--sub', `${prefix}/#:1`, '--count', '2'], 'first subscriber');
        assert.deepEqual(
          messages(first).sort((a, b) => a.topic.localeCompare(b.topic)),
          [
            { topic: `${prefix}/cleared`, qos: 1, retain: true, payload: 'old' },
            { topic: `${prefix}/kept`, qos: 1, retain: true, payload: 'kept-value' },
          ],
        );
        await run(['--pub', `${prefix}/cleared:0:1:`], 'clearing publisher');
        const second = await run(
          ['--sub', `${prefix}/#:1`, '--count', '1', '--linger', '0.5'],
          'second subscriber',
        );
        assert.deepEqual(messages(second), [
          { topic: `${prefix}/kept`, qos: 1, retain: true, payload: 'kept-value' },
        ]);
      },
    );

    test('the will message is published when the client is killed', { timeout: 20000 }, async () => {
      const prefix = uniquePrefix(`paho-${protocol}-will`);
      const watcher = await ready(['--sub', `${prefix}/#:1`, '--count', '1', '--linger', '0.3']);
      const victim = await ready(['--will', `${prefix}/status:1:0:${hex('paho-died')}`, '--hang']);
      victim.proc.kill('SIGKILL');
      await victim.exit;
      const exit = await succeed(watcher, 'watcher');
      assert.deepEqual(messages(exit), [
        { topic: `${prefix}/status`, qos: 1, retain: false, payload: 'paho-died' },
      ]);
    });

    test('the will message is not published after a clean disconnect', { timeout: 20000 }, async () => {
      const prefix = uniquePrefix(`paho-${protocol}-nowill`);
      const watcher = await ready(['--sub', `${prefix}/#:1`, '--count', '1', '--linger', '0.5']);
      await run(['--will', `${prefix}/status:1:0:${hex('paho-died')}`], 'polite client');
      // Published after the disconnect: by the time it arrives, a wrongly published will would have too.
      await run(['--pub', `${prefix}/after:1:0:${hex('after')}`], 'publisher');
      const exit = await succeed(watcher, 'watcher');
      assert.deepEqual(messages(exit), [
        { topic: `${prefix}/after`, qos: 1, retain: false, payload: 'after' },
      ]);
    });

    test(
      'a persistent session (clean_session=False) queues QoS 1 and 2 messages while offline',
      { timeout: 20000 },
      async () => {
        const prefix = uniquePrefix(`paho-${protocol}-session`);
        const session = [
          '--client-id',
          `paho-${prefix.split('/').pop() ?? ''}`,
          '--clean',
          '0',
          '--session-expiry',
          '300',
        ];
        const first = await run([...session, '--sub', `${prefix}/#:2`], 'first connection');
        assert.equal(connack(first).session_present, false);
        await run(
          [
            '--pub',
            `${prefix}/one:1:0:${hex('offline-1')}`,
            '--pub',
            `${prefix}/two:2:0:${hex('offline-2')}`,
          ],
          'publisher',
        );
        const again = await run([...session, '--count', '2', '--linger', '0.3'], 'reconnection');
        assert.equal(connack(again).session_present, true);
        assert.deepEqual(messages(again), [
          { topic: `${prefix}/one`, qos: 1, retain: false, payload: 'offline-1' },
          { topic: `${prefix}/two`, qos: 2, retain: false, payload: 'offline-2' },
        ]);
        // Tidy: end the session.
        await run(['--client-id', `paho-${prefix.split('/').pop() ?? ''}`, '--clean', '1'], 'tidy');
      },
    );

    test('a clean session discards the stored session', { timeout: 20000 }, async () => {
      const prefix = uniquePrefix(`paho-${protocol}-clean`);
      const clientId = `paho-${prefix.split('/').pop() ?? ''}`;
      const persistent = ['--client-id', clientId, '--clean', '0', '--session-expiry', '300'];
      await run([...persistent, '--sub', `${prefix}/#:1`], 'persistent connection');
      const clean = await run(['--client-id', clientId, '--clean', '1'], 'clean connection');
      assert.equal(connack(clean).session_present, false);
      await run(['--pub', `${prefix}/missed:1:0:${hex('missed')}`], 'publisher');
      const again = await run([...persistent, '--linger', '0.5'], 'persistent reconnection');
      assert.equal(connack(again).session_present, false);
      assert.deepEqual(messages(again), []);
      await run(['--client-id', clientId, '--clean', '1'], 'tidy');
    });
  });
}
