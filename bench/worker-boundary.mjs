// What it costs to move a PUBLISH between threads, the price of any multi-core design (docs/MULTICORE.md).
// The main thread plays a listener worker handing messages (a 24-byte topic, a 64-byte payload) to a router
// thread, three ways: one postMessage per message (structured clone), one transferred ArrayBuffer per batch
// of 256, and a single-producer single-consumer ring in a SharedArrayBuffer. Also the round trip of one small
// message (main → worker → main) through a MessagePort and through two rings.
// Usage: node bench/worker-boundary.mjs [MESSAGES]
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';

const TOPIC = Buffer.from('bench/sensors/0042/state');
const PAYLOAD = Buffer.alloc(64, 7);
const RECORD = 2 + TOPIC.length + 2 + PAYLOAD.length;
const BATCH = 256;
const RING_BYTES = 1 << 22;

// Ring layout: Int32 [0] = write position, [1] = read position (byte counts, wrapping at 2^31 is not reached
// here), [2] = 1 while the reader sleeps, [3] = 1 while the writer sleeps; then the data. A side wakes the
// other only when it sleeps: a futex wake per message would cost more than the copy.
const HEAD = 16;

function copyIn(ring, at, bytes) {
  const capacity = ring.length - HEAD;
  const offset = at % capacity;
  const first = Math.min(bytes.length, capacity - offset);
  ring.set(first === bytes.length ? bytes : bytes.subarray(0, first), HEAD + offset);
  if (first < bytes.length) ring.set(bytes.subarray(first), HEAD);
}

function ringWrite(ring, i32, record) {
  const capacity = ring.length - HEAD;
  for (;;) {
    const w = Atomics.load(i32, 0);
    const r = Atomics.load(i32, 1);
    if (capacity - (w - r) >= record.length) {
      copyIn(ring, w, record);
      Atomics.store(i32, 0, w + record.length);
      if (Atomics.load(i32, 2) === 1) Atomics.notify(i32, 0);
      return;
    }
    Atomics.store(i32, 3, 1);
    Atomics.wait(i32, 1, r, 1);
    Atomics.store(i32, 3, 0);
  }
}

/** Reads whole records until `count` are read, handing each one's topic and payload lengths to `onRecord`. */
function ringReadAll(ring, i32, count, onRecord) {
  const capacity = ring.length - HEAD;
  const byte = (at) => ring[HEAD + (at % capacity)];
  let seen = 0;
  while (seen < count) {
    const w = Atomics.load(i32, 0);
    let r = Atomics.load(i32, 1);
    if (w === r) {
      Atomics.store(i32, 2, 1);
      if (Atomics.load(i32, 0) === w) Atomics.wait(i32, 0, w, 1);
      Atomics.store(i32, 2, 0);
      continue;
    }
    while (r < w) {
      const topicLength = (byte(r) << 8) | byte(r + 1);
      const payloadAt = r + 2 + topicLength;
      const payloadLength = (byte(payloadAt) << 8) | byte(payloadAt + 1);
      onRecord(topicLength, payloadLength);
      r = payloadAt + 2 + payloadLength;
      seen++;
    }
    Atomics.store(i32, 1, r);
    if (Atomics.load(i32, 3) === 1) Atomics.notify(i32, 1);
  }
}

function encodeRecord(out, at) {
  out.writeUInt16BE(TOPIC.length, at);
  TOPIC.copy(out, at + 2);
  out.writeUInt16BE(PAYLOAD.length, at + 2 + TOPIC.length);
  PAYLOAD.copy(out, at + 4 + TOPIC.length);
  return at + RECORD;
}

if (!isMainThread) {
  const { mode, count, ring: sab, back: backSab } = workerData;
  let bytes = 0;
  if (mode === 'clone' || mode === 'batch') {
    let seen = 0;
    parentPort.on('message', (m) => {
      if (mode === 'clone') {
        bytes += m.topic.length + m.payload.length;
        seen++;
      } else {
        const view = Buffer.from(m);
        for (let at = 0; at < view.length; at += RECORD) seen++;
        bytes += view.length;
      }
      if (seen === count) parentPort.postMessage(bytes);
    });
  } else if (mode === 'ring') {
    ringReadAll(new Uint8Array(sab), new Int32Array(sab, 0, 4), count, (t, p) => (bytes += t + p));
    parentPort.postMessage(bytes);
  } else if (mode === 'ping') {
    parentPort.on('message', (m) => parentPort.postMessage(m));
  } else if (mode === 'ring-ping') {
    const inRing = new Uint8Array(sab);
    const outRing = new Uint8Array(backSab);
    const record = Buffer.alloc(RECORD);
    encodeRecord(record, 0);
    for (let i = 0; i < count; i++) {
      ringReadAll(inRing, new Int32Array(sab, 0, 4), 1, () => undefined);
      ringWrite(outRing, new Int32Array(backSab, 0, 4), record);
    }
  }
} else {
  const count = Number(process.argv[2] ?? 500000);
  const start = (mode, extra = {}) =>
    new Worker(new URL(import.meta.url), { workerData: { mode, count, ...extra } });

  async function oneWay(mode) {
    const sab = mode === 'ring' ? new SharedArrayBuffer(RING_BYTES + HEAD) : undefined;
    const worker = start(mode, { ring: sab });
    await new Promise((resolve) => worker.once('online', resolve));
    const done = new Promise((resolve) => worker.once('message', resolve));
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    if (mode === 'clone') {
      for (let i = 0; i < count; i++)
        worker.postMessage({ topic: 'bench/sensors/0042/state', payload: PAYLOAD });
    } else if (mode === 'batch') {
      for (let i = 0; i < count; i += BATCH) {
        const n = Math.min(BATCH, count - i);
        const out = Buffer.allocUnsafeSlow(n * RECORD);
        for (let k = 0, at = 0; k < n; k++) at = encodeRecord(out, at);
        worker.postMessage(out.buffer, [out.buffer]);
      }
    } else {
      const ring = new Uint8Array(sab);
      const i32 = new Int32Array(sab, 0, 4);
      const record = Buffer.alloc(RECORD);
      for (let i = 0; i < count; i++) {
        encodeRecord(record, 0);
        ringWrite(ring, i32, record);
      }
    }
    await done;
    const seconds = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    await worker.terminate();
    const cpuMicros = (cpu.user + cpu.system) / count;
    console.log(
      `${mode.padEnd(6)} ${(count / seconds / 1e6).toFixed(2)}M msg/s, ${cpuMicros.toFixed(2)} µs CPU/msg (both threads)`,
    );
  }

  async function roundTrip(mode) {
    const rounds = Math.min(count, 20000);
    const sab = new SharedArrayBuffer(RING_BYTES + HEAD);
    const back = new SharedArrayBuffer(RING_BYTES + HEAD);
    const worker = start(mode, { ring: sab, back, count: rounds });
    await new Promise((resolve) => worker.once('online', resolve));
    const samples = new Float64Array(rounds);
    const record = Buffer.alloc(RECORD);
    encodeRecord(record, 0);
    for (let i = 0; i < rounds; i++) {
      const t0 = performance.now();
      if (mode === 'ping') {
        const reply = new Promise((resolve) => worker.once('message', resolve));
        worker.postMessage(record);
        await reply;
      } else {
        ringWrite(new Uint8Array(sab), new Int32Array(sab, 0, 4), record);
        ringReadAll(new Uint8Array(back), new Int32Array(back, 0, 4), 1, () => undefined);
      }
      samples[i] = (performance.now() - t0) * 1000;
    }
    await worker.terminate();
    samples.sort();
    const at = (q) => samples[Math.floor(q * (rounds - 1))].toFixed(1);
    console.log(`${mode.padEnd(9)} round trip p50 ${at(0.5)} µs, p99 ${at(0.99)} µs (${rounds} rounds)`);
  }

  console.log(`${count} messages of ${TOPIC.length} B topic + ${PAYLOAD.length} B payload, main → worker`);
  for (const mode of ['clone', 'batch', 'ring']) await oneWay(mode);
  for (const mode of ['ping', 'ring-ping']) await roundTrip(mode);
}
