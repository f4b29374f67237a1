// npm run fuzz: a network fuzzer against a live broker (test/fuzz/broker-child.ts, its own process) over TCP and
// WebSocket on loopback. Each fuzz connection sends a CONNECT and a conversation of client packets made by
// test/codec/random-packets.ts, a share of them mutated (test/codec/mutate.ts) or replaced by random bytes, then
// half-closes. After every batch a healthy client must still connect, subscribe and get its own QoS 1 message
// back over TCP, and a WebSocket client must get its CONNACK; at the end the broker's heap (after full
// collections) must be back near where it was after the first batch. Bounded by input count and time.
//   npm run fuzz -- [--inputs 1000000] [--seconds 300] [--seed 1] [--parallel 64]
// Not part of npm test. Exits 1 on a failed health check, a crash of the broker, or memory that stayed up.
import { fork } from 'node:child_process';
import { connect as netConnect } from 'node:net';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { encode } from '../../src/protocol/encoder.js';
import type { Packet, ProtocolVersion } from '../../src/protocol/types.js';
import { RawClient } from '../helpers/raw-client.js';
import { mutate } from '../codec/mutate.js';
import { Prng } from '../codec/prng.js';
import { randomPacket } from '../codec/random-packets.js';

const args = new Map<string, string>();
for (let i = 2; i + 1 < process.argv.length; i += 2)
  args.set(process.argv[i] as string, process.argv[i + 1] as string);
const MAX_INPUTS = Number(args.get('--inputs') ?? 1_000_000);
const MAX_SECONDS = Number(args.get('--seconds') ?? 300);
const SEED = Number(args.get('--seed') ?? 1);
const PARALLEL = Number(args.get('--parallel') ?? 64);
const BATCH_CONNECTIONS = 400;
const MUTATE_P = 0.15;
const RANDOM_P = 0.05;
/** Heap growth (after full collections) from the first batch to the end that counts as a leak. */
const MEMORY_SLACK = 32 * 1024 * 1024;

const CLIENT_TYPES = new Set<Packet['type']>([
  'publish',
  'puback',
  'pubrec',
  'pubrel',
  'pubcomp',
  'subscribe',
  'unsubscribe',
  'pingreq',
  'disconnect',
  'auth',
]);

interface Totals {
  inputs: number;
  connections: number;
  bytes: number;
  tcp: number;
  ws: number;
}

/** A client packet of the conversation; retained messages and sessions are kept out so memory can settle. */
function clientPacket(prng: Prng, version: ProtocolVersion): Packet {
  for (;;) {
    const p = randomPacket(prng, version);
    if (!CLIENT_TYPES.has(p.type)) continue;
    return p.type === 'publish' ? { ...p, retain: false } : p;
  }
}

function conversation(prng: Prng): { bytes: Buffer; inputs: number } {
  const version = prng.pick([3, 4, 5] as const);
  const connect: Packet = {
    type: 'connect',
    protocolName: version === 3 ? 'MQIsdp' : 'MQTT',
    protocolVersion: version,
    clean: true,
    keepalive: 60,
    clientId: `fz${prng.int(0, 63)}`,
  };
  const parts: Buffer[] = [];
  const connectBytes = encode(connect, version);
  parts.push(prng.bool(0.05) ? mutate(prng, connectBytes) : connectBytes);
  const count = prng.int(1, 40);
  for (let i = 0; i < count; i++) {
    if (prng.bool(RANDOM_P)) {
      parts.push(prng.bytes(prng.int(1, 64)));
      continue;
    }
    const bytes = encode(clientPacket(prng, version), version);
    parts.push(prng.bool(MUTATE_P) ? mutate(prng, bytes) : bytes);
  }
  return { bytes: Buffer.concat(parts), inputs: count + 1 };
}

function sendTcp(port: number, chunks: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = netConnect({ port, host: '127.0.0.1' });
    const timer = setTimeout(() => socket.destroy(), 3000);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
      socket.end();
    });
    socket.on('data', () => undefined);
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

function sendWs(port: number, chunks: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, 'mqtt');
    const timer = setTimeout(() => socket.terminate(), 3000);
    socket.on('open', () => {
      for (const chunk of chunks) socket.send(chunk);
      socket.close();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

async function healthyTcp(port: number, n: number): Promise<void> {
  const client = await RawClient.connected(port, `health${n}`);
  const topic = `fuzz/health/${n}`;
  client.send({ type: 'subscribe', packetId: 1, subscriptions: [{ topicFilter: topic, qos: 1 }] });
  await client.expect('suback', 10_000);
  client.send({
    type: 'publish',
    topic,
    payload: Buffer.from('ok'),
    qos: 1,
    packetId: 2,
    retain: false,
    dup: false,
  });
  const got = new Set<string>();
  while (!got.has('puback') || !got.has('publish')) {
    const p = await client.next(10_000);
    if (p === undefined) throw new Error('no PUBACK and PUBLISH within 10 s');
    got.add(p.type);
  }
  client.disconnect();
}

function healthyWs(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(`ws://127.0.0.1:${port}/mqtt`, 'mqtt');
    const timer = setTimeout(() => reject(new Error('no CONNACK over WebSocket within 10 s')), 10_000);
    socket.on('open', () => {
      socket.send(
        encode(
          {
            type: 'connect',
            protocolName: 'MQTT',
            protocolVersion: 4,
            clean: true,
            keepalive: 60,
            clientId: 'healthws',
          },
          4,
        ),
      );
    });
    socket.on('message', (data: Buffer) => {
      clearTimeout(timer);
      socket.close();
      if (data[0] === 0x20 && data[3] === 0) resolve();
      else reject(new Error(`WebSocket CONNACK was ${data.toString('hex')}`));
    });
    socket.on('error', reject);
  });
}

async function main(): Promise<void> {
  const child = fork(fileURLToPath(new URL('./broker-child.ts', import.meta.url)), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let crashed: string | undefined;
  const replies: ((m: { type: string; [k: string]: unknown }) => void)[] = [];
  child.on('message', (m: { type: string }) => replies.shift()?.(m as never));
  child.on('exit', (code, signal) => {
    crashed ??= `the broker exited (code ${code}, signal ${signal})`;
  });
  const reply = <T>(): Promise<T> => new Promise((resolve) => replies.push(resolve as never));
  const { ports } = await reply<{ ports: number[] }>();
  const [tcpPort, wsPort] = ports as [number, number];
  const memory = async (): Promise<number> => {
    child.send('memory');
    return (await reply<{ heapUsed: number }>()).heapUsed;
  };

  const prng = new Prng(SEED);
  const totals: Totals = { inputs: 0, connections: 0, bytes: 0, tcp: 0, ws: 0 };
  const started = Date.now();
  const deadline = started + MAX_SECONDS * 1000;
  let batches = 0;
  let baseline = 0;
  let peak = 0;
  let failure: string | undefined;
  while (totals.inputs < MAX_INPUTS && Date.now() < deadline && crashed === undefined) {
    let made = 0;
    const worker = async (): Promise<void> => {
      while (made < BATCH_CONNECTIONS && totals.inputs < MAX_INPUTS) {
        made++;
        const { bytes, inputs } = conversation(prng);
        const chunks = prng.chunks(bytes, prng.pick([bytes.length, 7, 100]));
        totals.inputs += inputs;
        totals.bytes += bytes.length;
        totals.connections++;
        if (prng.bool(0.25)) {
          totals.ws++;
          await sendWs(wsPort, chunks);
        } else {
          totals.tcp++;
          await sendTcp(tcpPort, chunks);
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    batches++;
    try {
      await healthyTcp(tcpPort, batches);
      await healthyWs(wsPort);
    } catch (error) {
      failure = `health check after batch ${batches} failed: ${(error as Error).message}`;
      break;
    }
    const heap = await memory();
    if (batches === 1) baseline = heap;
    peak = Math.max(peak, heap);
    if (batches % 10 === 0) {
      const s = ((Date.now() - started) / 1000).toFixed(0);
      console.log(
        `${s} s: ${totals.inputs} inputs, ${totals.connections} connections, heap ${(heap / 2 ** 20).toFixed(1)} MiB`,
      );
    }
  }
  failure ??= crashed;
  const end = crashed === undefined ? await memory() : Number.NaN;
  if (failure === undefined && end > baseline + MEMORY_SLACK) {
    failure = `heap ${(end / 2 ** 20).toFixed(1)} MiB at the end, ${(baseline / 2 ** 20).toFixed(1)} MiB after the first batch`;
  }
  const summary = {
    seed: SEED,
    seconds: Math.round((Date.now() - started) / 1000),
    ...totals,
    batches,
    healthChecks: failure === undefined ? batches : batches - 1,
    heapAfterFirstBatchMiB: +(baseline / 2 ** 20).toFixed(1),
    heapPeakMiB: +(peak / 2 ** 20).toFixed(1),
    heapEndMiB: +(end / 2 ** 20).toFixed(1),
    result: failure ?? 'ok',
  };
  console.log(JSON.stringify(summary, null, 2));
  if (crashed === undefined) child.send('stop');
  process.exitCode = failure === undefined ? 0 : 1;
}

await main();
