// Prints where a V8 CPU profile (node --cpu-prof, e.g. from `npm run bench -- --cpu-prof DIR`) spent its time:
// self time per function, heaviest first. Usage: node bench/profile-summary.mjs FILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';

const [file, topText = '30'] = process.argv.slice(2);
if (file === undefined) {
  console.error('usage: node bench/profile-summary.mjs FILE.cpuprofile [TOP]');
  process.exit(1);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMicros = new Map();
const deltas = profile.timeDeltas;
for (let i = 0; i < profile.samples.length; i++) {
  const id = profile.samples[i];
  selfMicros.set(id, (selfMicros.get(id) ?? 0) + (deltas[i] ?? 0));
}
const byFunction = new Map();
let total = 0;
for (const [id, micros] of selfMicros) {
  const { callFrame } = byId.get(id);
  const where =
    callFrame.url === ''
      ? ''
      : ` ${relative(process.cwd(), new URL(callFrame.url).pathname)}:${callFrame.lineNumber + 1}`;
  const key = `${callFrame.functionName || '(anonymous)'}${where}`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + micros);
  total += micros;
}
const idle = [...byFunction].filter(([k]) => k.startsWith('(idle)')).reduce((n, [, v]) => n + v, 0);
console.log(`total ${(total / 1e3).toFixed(0)} ms, busy ${((total - idle) / 1e3).toFixed(0)} ms`);
for (const [key, micros] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, Number(topText))) {
  const share = ((micros / (total - idle)) * 100).toFixed(1).padStart(5);
  console.log(`${share}%  ${(micros / 1e3).toFixed(1).padStart(8)} ms  ${key}`);
}
