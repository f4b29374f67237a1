// Where an idle connection's memory goes: runs Midge (dist/) in this process, opens N idle MQTT connections
// from a generator process, and prints resident memory, the V8 heap by space and memory outside the heap, per
// connection. With --snapshot FILE it also writes a heap snapshot (open it in Chrome DevTools, compare the
// retained sizes of Client, Session, Socket ...); --dist DIR measures another build (a copy of dist/).
// Usage: node --expose-gc bench/idle-memory.mjs [N] [--snapshot FILE] [--dist DIR]
import { fork } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getHeapSpaceStatistics, writeHeapSnapshot } from 'node:v8';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './lib/brokers.mjs';

const args = process.argv.slice(2);
const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 5000);
const snapshotAt = args.indexOf('--snapshot');
const snapshot = snapshotAt >= 0 ? args[snapshotAt + 1] : undefined;
const distAt = args.indexOf('--dist');
const dist = distAt >= 0 ? args[distAt + 1] : join(ROOT, 'dist');

const { createBroker } = await import(pathToFileURL(resolve(dist, 'index.js')).href);
const { default: pino } = await import('pino');
const broker = createBroker(
  { listeners: [{ port: 0, host: '127.0.0.1', protocol: 'mqtt' }], allowAnonymous: true, sysInterval: 0 },
  { logger: pino({ level: 'silent' }) },
);
await broker.start();
const { port } = broker.addresses()[0];

function measure() {
  globalThis.gc?.();
  const usage = process.memoryUsage();
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }]),
  );
  return {
    rss: usage.rss,
    heapUsed: usage.heapUsed,
    external: usage.external,
    arrayBuffers: usage.arrayBuffers,
    spaces,
  };
}

await sleep(200);
const before = measure();
const worker = fork(join(ROOT, 'bench', 'lib', 'worker.mjs'), [], {
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const cpu0 = process.cpuUsage();
const reply = await new Promise((resolve) => {
  worker.once('message', resolve);
  worker.send({
    cmd: 'setup',
    spec: {
      mode: 'idle',
      count,
      prefix: 'mem',
      host: '127.0.0.1',
      port,
      localAddress: '127.3.0.10',
      parallel: 64,
    },
  });
});
if (!reply.ok) throw new Error(reply.error);
const cpu = process.cpuUsage(cpu0);
await sleep(1500);
const after = measure();
const per = (a, b) => ((a - b) / count / 1024).toFixed(2);
console.log(
  `${count} idle connections (${globalThis.gc ? 'after a full GC' : 'run with --expose-gc for a GC first'})`,
);
console.log(`  CPU            ${((cpu.user + cpu.system) / count).toFixed(0)} µs/connect`);
console.log(`  resident       ${per(after.rss, before.rss)} KiB/conn`);
console.log(`  heap used      ${per(after.heapUsed, before.heapUsed)} KiB/conn`);
console.log(
  `  external       ${per(after.external, before.external)} KiB/conn (array buffers ${per(after.arrayBuffers, before.arrayBuffers)})`,
);
for (const [name, space] of Object.entries(after.spaces)) {
  const was = before.spaces[name] ?? { size: 0, used: 0 };
  console.log(
    `  ${name.padEnd(22)} size ${per(space.size, was.size).padStart(6)}  used ${per(space.used, was.used).padStart(6)} KiB/conn`,
  );
}
if (snapshot !== undefined) console.log(`heap snapshot: ${writeHeapSnapshot(snapshot)}`);
worker.send({ cmd: 'close' });
await new Promise((resolve) => worker.once('exit', resolve));
await broker.stop();
