// `npm run bench`: Midge against mosquitto and aedes on loopback, brokers in alternation (A B C A B C ...),
// medians of the rounds, every figure also as a ratio to mosquitto and to aedes from the same run.
import { execSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs, USAGE } from './lib/args.mjs';
import { availableBrokers, ensureMosquitto, ROOT } from './lib/brokers.mjs';
import { detectCapabilities, openFileLimit } from './lib/capabilities.mjs';
import { summarize, table, targets } from './lib/report.mjs';
import { runOnce } from './lib/runner.mjs';
import { SCENARIOS } from './lib/scenarios.mjs';

const log = (line) => process.stderr.write(`${line}\n`);

async function main() {
  const options = parseArgs(process.argv.slice(2));
  if (options.help) return void console.log(USAGE);
  ensureMosquitto(log);
  const dir = mkdtempSync(join(tmpdir(), 'midge-bench-'));
  const brokers = availableBrokers().filter(
    (b) => options.brokers === undefined || options.brokers.includes(b.name),
  );
  for (const b of brokers.filter((b) => b.skip)) log(`skipping ${b.name}: ${b.skip}`);
  const names = brokers.filter((b) => !b.skip).map((b) => b.name);
  if (options.baseline !== undefined) names.splice(1, 0, 'baseline');
  if (!names.includes('midge')) throw new Error('Midge is not available: run npm run build first');
  const scenarios = SCENARIOS.filter((s) => options.only === undefined || options.only.includes(s.name));
  if (scenarios.length === 0) throw new Error(`no scenario matches ${options.only}`);
  const capabilities = await detectCapabilities(dir);
  const fd = openFileLimit();
  log(`open files: soft ${fd.soft}, hard ${fd.hard}; capabilities: ${JSON.stringify(capabilities)}`);

  const results = {};
  let tag = 0;
  for (const scenario of scenarios) {
    const entry = { title: scenario.title, kind: scenario.kind, runs: {} };
    results[scenario.name] = entry;
    const skipped = skipReason(scenario, capabilities, fd);
    if (skipped !== undefined) {
      entry.skipped = skipped;
      log(`${scenario.name}: skipped: ${skipped}`);
      continue;
    }
    const order =
      scenario.brokers === undefined
        ? [...names, ...(scenario.sink && options.sink ? ['sink'] : [])]
        : scenario.brokers.filter((b) => names.includes(b === 'midge-volatile' ? 'midge' : b));
    for (let round = 1; round <= options.rounds; round++) {
      for (const broker of order) {
        const runOptions = { ...options, dir, tag: `t${++tag}` };
        if (broker !== 'midge') runOptions.cpuProfileDir = undefined;
        try {
          const result = await runOnce(scenario, broker, runOptions);
          (entry.runs[broker] ??= []).push(result);
          log(`${scenario.name} round ${round} ${broker}: ${describe(result)}`);
        } catch (error) {
          (entry.errors ??= []).push(`${broker} round ${round}: ${error.message}`);
          log(`${scenario.name} round ${round} ${broker}: FAILED ${error.message}`);
        }
      }
    }
    summarize(scenario, entry);
  }

  const shown = scenarios.some((s) => s.brokers?.includes('midge-volatile'))
    ? [...names, 'midge-volatile']
    : names;
  console.log(`\n${table(scenarios, results, shown)}\n`);
  const judged = targets(results);
  for (const t of judged)
    console.log(`${t.met === null ? 'n/a ' : t.met ? 'MET ' : 'MISS'}  ${t.target}  (${t.note})`);
  const machine = describeMachine(fd);
  console.log(
    `\n${machine.cpu}, ${machine.cores} cores, ${machine.memGiB} GiB, node ${machine.node}, load ${machine.loadavg}`,
  );
  const out = options.out ?? (options.quick ? undefined : join(ROOT, 'bench', 'results', `${stamp()}.json`));
  if (out !== undefined) {
    mkdirSync(join(out, '..'), { recursive: true });
    const args = process.argv.slice(2).join(' ');
    const command = args === '' ? 'npm run bench' : `npm run bench -- ${args}`;
    writeFileSync(
      out,
      `${JSON.stringify({ date: new Date().toISOString(), command, machine, options, capabilities, results, targets: judged }, null, 2)}\n`,
    );
    console.log(`results: ${out}`);
  }
  rmSync(dir, { recursive: true, force: true });
}

function skipReason(scenario, capabilities, fd) {
  if (scenario.needs !== undefined && !capabilities[scenario.needs]) return 'not available yet';
  if (scenario.kind === 'idle' && scenario.count + 1000 > fd.soft) {
    return `needs ${scenario.count + 1000} open files per broker process; ulimit -n is ${fd.soft} (hard ${fd.hard}) and cannot be raised here`;
  }
  return undefined;
}

function describe(r) {
  if (r.connectRate !== undefined) {
    return `${r.connected} conns, ${r.connectRate.toFixed(0)} conn/s, ${r.kibPerConnection.toFixed(2)} KiB/conn, ${r.cpuMicrosPerConnection.toFixed(0)} µs CPU/conn, generator CPU ${r.generatorCpu.toFixed(0)}%`;
  }
  const gen = `broker CPU ${r.brokerCpu.toFixed(0)}%, generator CPU ${r.generatorCpu.toFixed(0)}%`;
  if (r.p50 !== undefined)
    return (
      `p50 ${r.p50.toFixed(1)} µs, p99 ${r.p99.toFixed(1)} µs (${r.samples} samples; max ${(r.max / 1000).toFixed(1)} ms ` +
      `at +${r.maxAtSeconds.toFixed(2)} s, ${r.over10ms} over 10 ms), ${gen}`
    );
  return `${r.value.toFixed(0)} msg/s (published ${r.publishedPerSecond.toFixed(0)}/s), ${gen}${r.lostEvents ? `, window reopened ${r.lostEvents}x` : ''}`;
}

function describeMachine(fd) {
  const git = (cmd) => {
    try {
      return execSync(cmd, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return undefined;
    }
  };
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    mosquitto: git('/usr/sbin/mosquitto -h | head -1'),
    aedes: JSON.parse(readFileSync(join(ROOT, 'node_modules', 'aedes', 'package.json'), 'utf8')).version,
    loadavg: loadavg()
      .map((x) => x.toFixed(2))
      .join(' '),
    openFiles: fd,
    commit: git('git rev-parse --short HEAD'),
  };
}

function stamp() {
  return new Date().toISOString().replace(/:/g, '-').replace(/\..*/, '');
}

main().catch((error) => {
  log(`bench: ${error.message}`);
  process.exit(1);
});
