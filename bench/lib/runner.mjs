// One measurement: a fresh broker, the scenario's generator processes, one figure out, everything stopped.
import { performance } from 'node:perf_hooks';
import { fork } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startBroker } from './brokers.mjs';

const WORKER = join(new URL('.', import.meta.url).pathname, 'worker.mjs');

class Part {
  #child;
  #waiting = [];

  constructor() {
    this.#child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (reply) => this.#waiting.shift()?.(reply));
    this.exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.once('exit', () => {
      for (const resolve of this.#waiting.splice(0))
        resolve({ ok: false, error: 'generator process exited' });
    });
  }

  async call(message) {
    const reply = await new Promise((resolve) => {
      this.#waiting.push(resolve);
      this.#child.send(message);
    });
    if (!reply.ok) throw new Error(reply.error);
    return reply;
  }

  async close() {
    if (this.#child.exitCode === null) {
      this.#child.send({ cmd: 'close' });
      const timer = setTimeout(() => this.#child.kill('SIGKILL'), 5000);
      await this.exited;
      clearTimeout(timer);
    }
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `scenario` once against a fresh `brokerName`; resolves with the figures of that run. */
export async function runOnce(
  scenario,
  brokerName,
  { dir, warmupMs, durationMs, tag, cpuProfileDir, baseline },
) {
  const websocket = scenario.transport === 'websocket';
  const persistence = scenario.persistence === true;
  const httpApi = scenario.console !== undefined;
  const broker = await startBroker(brokerName, {
    dir,
    cpuProfileDir,
    baseline,
    websocket,
    persistence,
    httpApi,
  });
  const specs = scenario
    .parts({ tag })
    .map((spec) => ({ ...spec, ws: websocket, host: '127.0.0.1', port: broker.port }));
  const parts = specs.map(() => new Part());
  const stopConsole = scenario.console === 'open' ? pollConsole(broker.apiPort, `bench/${tag}`) : () => {};
  try {
    if (scenario.kind === 'idle') return await measureIdle(broker, parts, specs);
    // Subscribers everywhere first: part 0's publishers must not start before every subscription exists.
    await Promise.all(parts.slice(1).map((part, i) => part.call({ cmd: 'setup', spec: specs[i + 1] })));
    await parts[0].call({ cmd: 'setup', spec: specs[0] });
    let brokerCpu0 = 0;
    const cpuTimer = setTimeout(() => (brokerCpu0 = broker.cpuSeconds()), warmupMs);
    const replies = await Promise.all(parts.map((part) => part.call({ cmd: 'run', warmupMs, durationMs })));
    clearTimeout(cpuTimer);
    const brokerCpu = ((broker.cpuSeconds() - brokerCpu0) / (durationMs / 1000)) * 100;
    const generatorCpu = Math.max(...replies.map((r) => r.cpuPercent));
    const base = {
      brokerCpu,
      generatorCpu,
      lostEvents: replies.reduce((n, r) => n + r.lostEvents, 0),
      // Other work on the machine shows here: the runs are only as quiet as the machine was.
      load1: loadavg()[0],
    };
    if (scenario.kind === 'latency') {
      const { latency } = replies[0];
      const { p50, p99, max, maxAtSeconds, over10ms, count } = latency;
      return { ...base, value: p50, p50, p99, max, maxAtSeconds, over10ms, samples: count };
    }
    const rate = replies.reduce((sum, r) => sum + r.received / r.seconds, 0);
    const sent = replies.reduce((sum, r) => sum + r.sent / r.seconds, 0);
    // Messages per second of broker CPU: on a shared machine a broker may wait for a core, and this figure
    // compares the work each broker does per message regardless of how much CPU it was given.
    return {
      ...base,
      value: rate,
      perCpuSecond: brokerCpu > 0 ? rate / (brokerCpu / 100) : NaN,
      publishedPerSecond: sent,
    };
  } finally {
    stopConsole();
    await Promise.all(parts.map((part) => part.close()));
    await broker.stop();
  }
}

/** What an open Topics page and topic page ask every second; returns the function that stops it. */
function pollConsole(apiPort, topic) {
  const base = `http://127.0.0.1:${apiPort}/api/v1/topics`;
  const urls = [
    `${base}/tree`,
    `${base}/tree?prefix=bench`,
    `${base}/series?topic=${encodeURIComponent(topic)}`,
  ];
  const poll = () =>
    Promise.all(urls.map((url) => globalThis.fetch(url).then((r) => r.text()))).catch(() => undefined);
  void poll();
  const timer = setInterval(poll, 1000);
  return () => clearInterval(timer);
}

async function measureIdle(broker, parts, specs) {
  await sleep(300);
  const rss0 = broker.rssKiB();
  const cpu0 = broker.cpuSeconds();
  const started = performance.now();
  const replies = await Promise.all(parts.map((part, i) => part.call({ cmd: 'setup', spec: specs[i] })));
  const seconds = (performance.now() - started) / 1000;
  const cpu = broker.cpuSeconds() - cpu0;
  const connected = replies.reduce((n, r) => n + r.connected, 0);
  // Let the broker settle (GC, lazily freed buffers) before reading its resident memory.
  await sleep(1500);
  const rss1 = broker.rssKiB();
  return {
    value: connected / seconds,
    connectRate: connected / seconds,
    kibPerConnection: (rss1 - rss0) / connected,
    cpuMicrosPerConnection: (cpu / connected) * 1e6,
    connected,
    rssKiB: rss1,
    generatorCpu: Math.max(...replies.map((r) => r.cpuPercent)),
    load1: loadavg()[0],
  };
}
