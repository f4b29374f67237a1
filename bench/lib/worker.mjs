// One load generator process. The harness forks several; each gets a part of a scenario over IPC
// ('setup' → 'run' → 'close') and reports what it saw plus its own CPU use, so a saturated generator shows.
import { performance } from 'node:perf_hooks';
import { openMany } from './gen-connect.mjs';
import { Publisher } from './gen-publisher.mjs';
import { Subscriber } from './gen-subscriber.mjs';

let state;

process.on('message', (message) => {
  handle(message).then(
    (reply) => process.send({ ok: true, ...reply }),
    (error) => process.send({ ok: false, error: error instanceof Error ? error.message : String(error) }),
  );
});
process.on('disconnect', () => process.exit(0));

async function handle(message) {
  switch (message.cmd) {
    case 'setup':
      return setup(message.spec);
    case 'run':
      return run(message);
    case 'close':
      // Let the broker drain what is in flight first, so its profile does not end in writes to closed sockets.
      await quiesce(state?.tally);
      for (const socket of state?.sockets ?? []) socket.destroy();
      setImmediate(() => process.exit(0));
      return {};
    default:
      throw new Error(`unknown command ${message.cmd}`);
  }
}

async function setup(spec) {
  const { host, port, version = 4 } = spec;
  if (spec.mode === 'idle') {
    const started = performance.now();
    const cpu0 = process.cpuUsage();
    const options = Array.from({ length: spec.count }, (_, i) => ({
      host,
      port,
      version,
      clientId: `${spec.prefix}-${i}`,
      localAddress: spec.localAddress,
    }));
    const sockets = await openMany(options, spec.parallel ?? 128);
    const seconds = (performance.now() - started) / 1000;
    const cpu = process.cpuUsage(cpu0);
    state = { sockets };
    return {
      connected: sockets.length,
      seconds,
      cpuPercent: ((cpu.user + cpu.system) / 1e6 / seconds) * 100,
    };
  }
  const subs = await openMany(
    spec.subscribers.map((s) => ({
      host,
      port,
      version,
      ws: spec.ws,
      clientId: s.id,
      filter: s.filter,
      qos: s.qos,
      clean: s.clean,
    })),
  );
  // Offline persistent subscribers: subscribed, then gone, so every message is queued for them.
  for (const [i, s] of spec.subscribers.entries()) if (s.offline) subs[i].end(Buffer.from([0xe0, 0]));
  const online = subs.filter((_, i) => !spec.subscribers[i].offline);
  const tally = { received: 0 };
  const subscribers = online.map((socket) => new Subscriber(socket, tally));
  if (spec.mode === 'latency') subscribers[0].enableLatency();
  // Publishers speak MQTT 3.1.1: their packets are pre-encoded without MQTT 5 properties.
  const pubs = await openMany(spec.publishers.map((p) => ({ host, port, ws: spec.ws, clientId: p.id })));
  const publisher = pubs.length === 0 ? undefined : new Publisher(pubs, spec, { tally, subscribers });
  state = { sockets: [...subs, ...pubs], subscribers, publisher, spec, tally };
  return { connected: subs.length + pubs.length };
}

async function run({ warmupMs, durationMs }) {
  const { subscribers, publisher, spec } = state;
  if (spec.mode === 'latency') publisher?.startPaced(spec.rate);
  else publisher?.start();
  await sleep(warmupMs);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  // 'acked': the figure is what the publishers got acknowledged (no subscriber online to count).
  const count = () => (spec.figure === 'acked' ? (publisher?.completed ?? 0) : total(subscribers));
  const received0 = count();
  const sent0 = publisher?.sent ?? 0;
  subscribers[0]?.startRecording();
  await sleep(durationMs);
  const elapsed = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const received = count() - received0;
  const sent = (publisher?.sent ?? 0) - sent0;
  publisher?.stop();
  const latency = spec.mode === 'latency' ? subscribers[0].latencySummary() : undefined;
  return {
    received,
    sent,
    seconds: elapsed,
    cpuPercent: ((cpu.user + cpu.system) / 1e6 / elapsed) * 100,
    latency,
    lostEvents: publisher?.lostEvents ?? 0,
  };
}

function total(subscribers) {
  let n = 0;
  for (const s of subscribers) n += s.received;
  return n;
}

async function quiesce(tally) {
  if (tally === undefined) return;
  const deadline = performance.now() + 3000;
  let last = -1;
  while (tally.received !== last && performance.now() < deadline) {
    last = tally.received;
    await sleep(100);
  }
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
