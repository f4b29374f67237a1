// Runs every *.test.ts under src/ and test/ with Node's own test runner (TypeScript through tsx).
// Arguments narrow the set: `node scripts/run-tests.mjs codec conformance` runs files whose path contains either word.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) collect(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

// MIDGE_TEST_EXCLUDE=word,word leaves out files whose path contains one (scripts/test.sh: a file that runs once,
// in the Node 24 run only).
const filters = process.argv.slice(2);
const excluded = (process.env.MIDGE_TEST_EXCLUDE ?? '').split(',').filter((w) => w !== '');
const matched = [...collect('src', []), ...collect('test', [])]
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();
if (matched.length === 0) {
  console.error('no test files matched', filters);
  process.exit(1);
}
const files = matched.filter((f) => !excluded.some((w) => f.includes(w)));
if (files.length === 0) {
  console.log('every matching test file is excluded by MIDGE_TEST_EXCLUDE here');
  process.exit(0);
}
const result = spawnSync(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
