// `node bench/persistence.mjs [seconds]`: what durable persistence costs. QoS 1, 64-byte messages, one
// publisher keeping 1,000 in flight, one persistent subscriber (CleanSession=0) that is online and acks, or
// offline (every message queued on disk); Midge with persistence off, `persistence_sync normal` and
// `persistence_sync full` (fsync per group commit). Prints acknowledged messages per second. Needs dist/.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameDecoder } from '../dist/protocol/decoder.js';
import { encode } from '../dist/protocol/encoder.js';

const SECONDS = Number(process.argv[2] ?? 5);
const WINDOW = 1000;
const CLI = new URL('../dist/cli/main.js', import.meta.url).pathname;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function freePort() {
  const server = createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address();
  await new Promise((r) => server.close(r));
  return port;
}

async function client(port, clientId, clean, onPacket) {
  const socket = connect({ port, host: '127.0.0.1', noDelay: true });
  const decoder = new FrameDecoder({ role: 'client', protocolVersion: 4 });
  await new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.on('data', (chunk) =>
      decoder.push(chunk, (p) => (p.type === 'connack' ? resolve() : onPacket(p, socket))),
    );
    socket.write(
      encode({ type: 'connect', protocolName: 'MQTT', protocolVersion: 4, clean, keepalive: 0, clientId }, 4),
    );
  });
  return socket;
}

async function measure(conf, subscriberOnline) {
  const dir = mkdtempSync(join(tmpdir(), 'midge-bench-persist-'));
  const port = await freePort();
  const file = join(dir, 'midge.conf');
  writeFileSync(
    file,
    [
      `listener ${port} 127.0.0.1`,
      'allow_anonymous true',
      'max_inflight_messages 1000',
      'max_queued_messages 0',
      'sys_interval 0',
      'log_type error',
      `persistence_location ${join(dir, 'data')}`,
      ...conf,
      '',
    ].join('\n'),
  );
  const prof = process.env.MIDGE_BENCH_PROF
    ? ['--cpu-prof', '--cpu-prof-dir', process.env.MIDGE_BENCH_PROF]
    : [];
  const broker = spawn(process.execPath, [...prof, CLI, '-c', file], { stdio: 'ignore' });
  const exited = new Promise((r) => broker.once('exit', r));
  try {
    for (let i = 0; i < 100; i++) {
      const ok = await new Promise((r) => {
        const s = connect({ port, host: '127.0.0.1' }, () => {
          s.destroy();
          r(true);
        });
        s.on('error', () => r(false));
      });
      if (ok) break;
      await sleep(50);
    }
    const sub = await client(port, 'bench-sub', false, (p, s) => {
      if (p.type === 'publish') s.write(encode({ type: 'puback', packetId: p.packetId }, 4));
      if (p.type === 'suback') subscribed();
    });
    let subscribed;
    await new Promise((r) => {
      subscribed = r;
      sub.write(
        encode({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: 'bench/p', qos: 1 }] }, 4),
      );
    });
    if (!subscriberOnline) {
      sub.end(encode({ type: 'disconnect' }, 4));
      await sleep(200);
    }
    let acked = 0;
    let nextId = 1;
    const payload = Buffer.alloc(64, 120);
    const send = (s) => {
      const packetId = nextId;
      nextId = (nextId % 65535) + 1;
      s.write(
        encode(
          { type: 'publish', topic: 'bench/p', payload, qos: 1, retain: false, dup: false, packetId },
          4,
        ),
      );
    };
    const pub = await client(port, 'bench-pub', true, (p, s) => {
      if (p.type === 'puback') {
        acked++;
        send(s);
      }
    });
    for (let i = 0; i < WINDOW; i++) send(pub);
    await sleep(1000);
    const start = acked;
    const t0 = Date.now();
    await sleep(SECONDS * 1000);
    const rate = Math.round(((acked - start) * 1000) / (Date.now() - t0));
    pub.destroy();
    sub.destroy();
    return rate;
  } finally {
    broker.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

const modes = [
  ['persistence false', ['persistence false']],
  ['persistence true, persistence_sync normal', ['persistence true', 'persistence_sync normal']],
  ['persistence true, persistence_sync full (default)', ['persistence true', 'persistence_sync full']],
];
const only = process.env.MIDGE_BENCH_ONLY;
for (const online of [true, false]) {
  for (const [name, conf] of modes) {
    if (only !== undefined && !`${online ? 'online' : 'offline'} ${name}`.includes(only)) continue;
    const rate = await measure(conf, online);
    console.log(`QoS 1, subscriber ${online ? 'online ' : 'offline'} | ${name.padEnd(50)} | ${rate} msg/s`);
  }
}
