// Lists the server-side normative statements of MQTT 3.1.1 and 5.0 that no test names. The rule lists are
// test/conformance/spec/ (a copy of the team's ../shared/spec/; SPEC_DIR overrides). A test names a rule with
// its id in a title or in the table strings its titles are built from, "[MQTT-3.3.1-2]". Both versions share
// many ids with different meanings, so a string counts for 5.0 when it says "(5.0)", "5.0" or "MQTT 5", or
// lives in an mqtt5-* file, and for 3.1.1 otherwise; an id only one version has counts for that one anywhere.
// test/conformance/spec-coverage.test.ts compares the result with test/conformance/spec-uncovered.json.
//   node scripts/spec-coverage.mjs          prints the uncovered ids per version
//   node scripts/spec-coverage.mjs --json   the same as JSON
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, basename } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(fileURLToPath(new URL('.', import.meta.url)), '..');
const SPEC_DIR = process.env.SPEC_DIR ?? join(ROOT, 'test', 'conformance', 'spec');
const ID = /MQTT-\d+\.\d+\.\d+-\d+/g;

/** Server rule ids of one rules file: table rows whose "applies to" column says "(server)". */
export function serverRules(file) {
  const ids = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length > 3 && /^MQTT-[\d.]+-\d+$/.test(cells[1]) && cells[2].includes('(server)'))
      ids.push(cells[1]);
  }
  return ids;
}

function testFiles(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) testFiles(path, out);
    else if (name.endsWith('.test.ts')) out.push(path);
  }
  return out;
}

/**
 * Every string literal of a test file (plain, single, double or template quotes). Titles are often built from
 * tables (`test(\`${title} closes ...\`)` over `['[MQTT-3.10.1-1] flags 0000', ...]`), so the table strings
 * count as well: an id in any string of a test file or fixture is a title that names it.
 */
function strings(source) {
  const out = [];
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      i = source.indexOf('\n', i);
      if (i < 0) break;
    } else if (c === '/' && next === '*') {
      i = source.indexOf('*/', i + 2);
      if (i < 0) break;
      i += 2;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c && !(c !== '`' && source[j] === '\n')) {
        j += source[j] === '\\' ? 2 : 1;
      }
      const text = source.slice(i + 1, j);
      if (text.includes('MQTT-')) out.push(text);
      i = j + 1;
    } else {
      i++;
    }
  }
  return out;
}

export function coverage(specDir = SPEC_DIR, root = ROOT) {
  const v311 = serverRules(join(specDir, 'mqtt-3.1.1-rules.md'));
  const v5 = serverRules(join(specDir, 'mqtt-5.0-rules.md'));
  const all311 = new Set(v311);
  const all5 = new Set(v5);
  const named311 = new Set();
  const named5 = new Set();
  const files = [
    ...testFiles(join(root, 'src')),
    ...testFiles(join(root, 'test')),
    ...readdirSync(join(root, 'test', 'fixtures'))
      .filter((name) => name.endsWith('.ts'))
      .map((name) => join(root, 'test', 'fixtures', name)),
  ];
  for (const file of files) {
    const mqtt5File = basename(file).startsWith('mqtt5');
    for (const title of strings(readFileSync(file, 'utf8'))) {
      const marked5 = mqtt5File || /\(5\.0\)|\b5\.0\b|MQTT 5\b/.test(title.replace(ID, ''));
      for (const [id] of title.matchAll(ID)) {
        const only5 = all5.has(id) && !all311.has(id);
        const only311 = all311.has(id) && !all5.has(id);
        if (only5 || (marked5 && !only311)) named5.add(id);
        else named311.add(id);
      }
    }
  }
  return {
    '3.1.1': { total: v311.length, uncovered: v311.filter((id) => !named311.has(id)) },
    '5.0': { total: v5.length, uncovered: v5.filter((id) => !named5.has(id)) },
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (!existsSync(SPEC_DIR)) {
    console.error(`no rule lists at ${SPEC_DIR} (set SPEC_DIR)`);
    process.exit(2);
  }
  const result = coverage();
  if (process.argv.includes('--json')) {
    console.log(JSON.stringify(result, null, 2));
  } else {
    for (const [version, { total, uncovered }] of Object.entries(result)) {
      console.log(
        `MQTT ${version}: ${total - uncovered.length} of ${total} server rules named in a test title`,
      );
      for (const id of uncovered) console.log(`  ${id}`);
    }
  }
}
