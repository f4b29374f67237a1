// Debian's mosquitto_pub and mosquitto_sub (libmosquitto 2.0) against a started `midge` process, with
// -V mqttv311 and -V mqttv5. Subscribers run with -d so the test knows when the SUBACK arrived and can
// read the QoS and RETAIN flag of every PUBLISH from the debug lines.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startMidge, type MidgeProcess } from '../helpers/midge-process.js';
import { describeExit, runProcess, startProcess, uniquePrefix, type Exit, type Running } from './support.js';

const MOSQUITTO_PUB = '/usr/bin/mosquitto_pub';
const MOSQUITTO_SUB = '/usr/bin/mosquitto_sub';
// mosquitto_sub's stdout is block-buffered on a pipe; line buffering lets the test see "Subscribed" at once.
const STDBUF = '/usr/bin/stdbuf';
/** mosquitto_sub's exit status when -W ran out before -C messages arrived. */
const SUB_TIMED_OUT = 27;
const PROCESS_TIMEOUT_MS = 8000;

let midge: MidgeProcess;

before(async () => {
  midge = await startMidge({ conf: '' });
});

after(async () => {
  await midge.stop();
});

interface Message {
  topic: string;
  payload: string;
  qos: number;
  retain: boolean;
}

/**
 * Pairs each debug line `Client X received PUBLISH (d0, q1, r0, m1, 'topic', ... (5 bytes))` with the -v line
 * `topic payload` printed after it.
 */
function parseSub(stdout: string): Message[] {
  const out: Message[] = [];
  let pending: { topic: string; qos: number; retain: boolean } | undefined;
  for (const line of stdout.split('\n')) {
    const meta = /received PUBLISH \(d\d, q(\d), r(\d), m\d+, '([^']*)'/.exec(line);
    if (meta) {
      pending = { qos: Number(meta[1]), retain: meta[2] === '1', topic: meta[3] ?? '' };
    } else if (pending !== undefined && line.startsWith(`${pending.topic} `)) {
      const payload = line.slice(pending.topic.length + 1);
      out.push({ ...pending, payload: payload === '(null)' ? '' : payload });
      pending = undefined;
    }
  }
  return out;
}

for (const [label, version] of [
  ['MQTT 3.1.1', 'mqttv311'],
  ['MQTT 5.0', 'mqttv5'],
] as const) {
  const common = (): string[] => ['-h', '127.0.0.1', '-p', String(midge.port), '-V', version];

  const startSub = (args: string[]): Running =>
    startProcess(STDBUF, ['-oL', MOSQUITTO_SUB, ...common(), '-d', '-v', ...args], {
      timeoutMs: PROCESS_TIMEOUT_MS,
    });

  /** Starts mosquitto_sub -d -v and resolves once its subscription is acknowledged. */
  const subscribed = async (args: string[]): Promise<Running> => {
    const sub = startSub(args);
    await sub.waitForLine(/^Subscribed \(mid: \d+\)/);
    return sub;
  };

  const pub = async (args: string[], input?: string): Promise<void> => {
    const exit = await runProcess(
      MOSQUITTO_PUB,
      [...common(), ...args],
      input === undefined ? { timeoutMs: PROCESS_TIMEOUT_MS } : { timeoutMs: PROCESS_TIMEOUT_MS, input },
    );
    assert.equal(exit.code, 0, describeExit(`mosquitto_pub ${args.join(' ')}`, exit));
  };

  /** Runs mosquitto_sub to its end; `timedOut` says whether -W should have run out first. */
  const collect = async (sub: Running | string[], expect: 'complete' | 'timeout'): Promise<Message[]> => {
    const running = Array.isArray(sub) ? startSub(sub) : sub;
    const exit: Exit = await running.exit;
    assert.equal(
      exit.code,
      expect === 'complete' ? 0 : SUB_TIMED_OUT,
      describeExit(
        `mosquitto_sub expected to ${expect === 'complete' ? 'receive every message' : 'time out'}`,
        exit,
      ),
    );
    return parseSub(exit.stdout);
  };

  describe(`mosquitto_pub/mosquitto_sub ${label}`, () => {
    test(
      '[MQTT-7.0.0-2] QoS 0, 1 and 2 messages published by mosquitto_pub reach mosquitto_sub, with no extension on either side',
      { timeout: 20000 },
      async () => {
        const prefix = uniquePrefix(`mosquitto-${version}-qos`);
        const sub = await subscribed(['-q', '2', '-t', `${prefix}/#`, '-C', '3', '-W', '5']);
        for (const qos of [0, 1, 2])
          await pub(['-q', String(qos), '-t', `${prefix}/q${qos}`, '-m', `hello at qos ${qos}`]);
        const got = await collect(sub, 'complete');
        assert.deepEqual(
          got.sort((a, b) => a.topic.localeCompare(b.topic)),
          [0, 1, 2].map((qos) => ({
            topic: `${prefix}/q${qos}`,
            payload: `hello at qos ${qos}`,
            qos,
            retain: false,
          })),
        );
      },
    );

    test(
      'retained messages (-r) reach later subscribers; -n -r clears them',
      { timeout: 20000 },
      async () => {
        const prefix = uniquePrefix(`mosquitto-${version}-retain`);
        await pub(['-r', '-q', '1', '-t', `${prefix}/kept`, '-m', 'kept value']);
        await pub(['-r', '-q', '1', '-t', `${prefix}/cleared`, '-m', 'old value']);
        const first = await collect(['-q', '1', '-t', `${prefix}/#`, '-C', '2', '-W', '5'], 'complete');
        assert.deepEqual(
          first.sort((a, b) => a.topic.localeCompare(b.topic)),
          [
            { topic: `${prefix}/cleared`, payload: 'old value', qos: 1, retain: true },
            { topic: `${prefix}/kept`, payload: 'kept value', qos: 1, retain: true },
          ],
        );
        await pub(['-r', '-n', '-t', `${prefix}/cleared`]);
        // Only one retained message is left: asking for two must run out of time with just that one.
        const second = await collect(['-q', '1', '-t', `${prefix}/#`, '-C', '2', '-W', '1'], 'timeout');
        assert.deepEqual(second, [{ topic: `${prefix}/kept`, payload: 'kept value', qos: 1, retain: true }]);
      },
    );

    test(
      'the will (--will-topic/--will-payload) is published when a subscriber is killed with SIGKILL',
      { timeout: 20000 },
      async () => {
        const prefix = uniquePrefix(`mosquitto-${version}-will`);
        const watcher = await subscribed(['-q', '1', '-t', `${prefix}/#`, '-C', '1', '-W', '5']);
        const victim = await subscribed([
          ...['--will-topic', `${prefix}/status`, '--will-payload', 'sub died', '--will-qos', '1'],
          ...['-t', 'interop/unused', '-W', '7'],
        ]);
        victim.proc.kill('SIGKILL');
        await victim.exit;
        assert.deepEqual(await collect(watcher, 'complete'), [
          { topic: `${prefix}/status`, payload: 'sub died', qos: 1, retain: false },
        ]);
      },
    );

    test('the will is not published when mosquitto_pub disconnects cleanly', { timeout: 20000 }, async () => {
      const prefix = uniquePrefix(`mosquitto-${version}-nowill`);
      const watcher = await subscribed(['-q', '1', '-t', `${prefix}/#`, '-C', '2', '-W', '2']);
      await pub([
        ...['--will-topic', `${prefix}/status`, '--will-payload', 'pub died', '--will-qos', '1'],
        ...['-q', '1', '-t', `${prefix}/hello`, '-m', 'hello'],
      ]);
      assert.deepEqual(await collect(watcher, 'timeout'), [
        { topic: `${prefix}/hello`, payload: 'hello', qos: 1, retain: false },
      ]);
    });

    test(
      'a persistent session (-c -i id -q 1) receives what was published while it was away',
      { timeout: 20000 },
      async () => {
        const prefix = uniquePrefix(`mosquitto-${version}-session`);
        const id = `mosq-${version}-${prefix.split('/').pop() ?? ''}`;
        const session = ['-c', '-i', id, '-q', '1', '-t', `${prefix}/#`];
        await collect([...session, '-E'], 'complete');
        await pub(['-q', '1', '-t', `${prefix}/one`, '-m', 'offline one']);
        await pub(['-q', '2', '-t', `${prefix}/two`, '-m', 'offline two']);
        const got = await collect([...session, '-C', '2', '-W', '5'], 'complete');
        // Delivered at the subscription's QoS 1 (the QoS 2 message is downgraded).
        assert.deepEqual(got, [
          { topic: `${prefix}/one`, payload: 'offline one', qos: 1, retain: false },
          { topic: `${prefix}/two`, payload: 'offline two', qos: 1, retain: false },
        ]);

        // A clean connection with the same id discards the session: nothing is queued any more.
        await collect(['-i', id, '-t', `${prefix}/#`, '-E'], 'complete');
        await pub(['-q', '1', '-t', `${prefix}/three`, '-m', 'missed']);
        assert.deepEqual(await collect([...session, '-C', '1', '-W', '1'], 'timeout'), []);
        await collect(['-i', id, '-t', `${prefix}/#`, '-E'], 'complete');
      },
    );

    test(
      'mosquitto_pub -l publishes every stdin line as a message, in order',
      { timeout: 20000 },
      async () => {
        const prefix = uniquePrefix(`mosquitto-${version}-lines`);
        const sub = await subscribed(['-q', '1', '-t', `${prefix}/lines`, '-C', '3', '-W', '5']);
        await pub(['-l', '-q', '1', '-t', `${prefix}/lines`], 'first line\nsecond line\nthird: 3\n');
        assert.deepEqual(
          (await collect(sub, 'complete')).map((m) => m.payload),
          ['first line', 'second line', 'third: 3'],
        );
      },
    );
  });
}
