// Prints a results file of `npm run bench` as a Markdown table (for the README):
// node bench/results-table.mjs bench/results/<date>.json
import { readFileSync } from 'node:fs';
import { SCENARIOS } from './lib/scenarios.mjs';
import { figuresOf } from './lib/report.mjs';

const file = process.argv[2];
if (file === undefined) {
  console.error('usage: node bench/results-table.mjs bench/results/<date>.json');
  process.exit(1);
}
const { results, machine, command, date } = JSON.parse(readFileSync(file, 'utf8'));

function fmt(value, unit) {
  if (value === undefined || value === null || !Number.isFinite(value)) return '–';
  if (unit === 'msg/s' || unit === 'conn/s') {
    if (value >= 1e6) return `${(value / 1e6).toFixed(2)}M`;
    if (value >= 1e3) return `${(value / 1e3).toFixed(1)}k`;
    return value.toFixed(0);
  }
  return value >= 100 ? value.toFixed(0) : value.toFixed(1);
}
const ratio = (x) => (x === undefined || x === null || !Number.isFinite(x) ? '–' : `${x.toFixed(2)}×`);

const rows = [
  '| scenario | figure | Midge | mosquitto | aedes | sink | Midge ÷ mosquitto | Midge ÷ aedes |',
  '|---|---|---:|---:|---:|---:|---:|---:|',
];
for (const scenario of SCENARIOS) {
  const entry = results[scenario.name];
  if (entry === undefined) continue;
  if (entry.skipped !== undefined) {
    rows.push(`| ${scenario.name} | skipped: ${entry.skipped} | | | | | | |`);
    continue;
  }
  for (const [key, label, unit] of figuresOf(scenario)) {
    const m = (broker) => fmt(entry.median?.[broker]?.[key], unit);
    const r = entry.ratios?.midge ?? {};
    rows.push(
      `| ${scenario.name} | ${label === unit ? label : `${label} (${unit})`} | ${m('midge')} | ${m('mosquitto')} | ${m('aedes')} | ${m('sink')} | ${ratio(r[`${key}/mosquitto`])} | ${ratio(r[`${key}/aedes`])} |`,
    );
  }
}
console.log(
  `\`${command}\` on ${date.slice(0, 10)}, commit ${machine.commit}: ${machine.cpu}, ${machine.cores} cores,`,
);
console.log(
  `${machine.memGiB} GiB, Node ${machine.node}, ${machine.mosquitto}, aedes ${machine.aedes}, load average`,
);
console.log(`${machine.loadavg} at the end of the run. Medians of the rounds.\n`);
console.log(rows.join('\n'));
