// The published package holds what `midge` and `import 'midge'` need and nothing else: the compiled broker
// (JavaScript and type declarations of src/, no tests, no source maps), the web console bundle under dist/web,
// the README, CHANGELOG, LICENSE and package.json. No tests, no bench results, no TypeScript sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

let packed: string[] | undefined;

function packedFiles(): string[] {
  if (packed !== undefined) return packed;
  // --ignore-scripts: list what the current dist/ would give, without prepack/prepare rebuilding it under other tests.
  const result = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(result.status, 0, result.stderr);
  const [pack] = JSON.parse(result.stdout) as { files: { path: string }[] }[];
  assert.ok(pack !== undefined);
  packed = pack.files.map((f) => f.path).sort();
  return packed;
}

/** Every non-test .ts file under src/, as the .js and .d.ts paths tsc writes into dist/. */
function compiledSources(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.ts') && !name.endsWith('.test.ts') && !name.endsWith('.d.ts')) {
        const base = relative(join(repoRoot, 'src'), path).split(sep).join('/').replace(/\.ts$/, '');
        out.push(`dist/${base}.js`, `dist/${base}.d.ts`);
      }
    }
  };
  walk(join(repoRoot, 'src'));
  return out.sort();
}

const topLevel = ['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json'];

test('the packed package holds exactly the compiled src/, the console bundle and the top-level documents', () => {
  const files = packedFiles();
  const compiled = files.filter((f) => !f.startsWith('dist/web/') && !topLevel.includes(f));
  const expected = compiledSources();
  assert.deepEqual(
    {
      notFromSrc: compiled.filter((f) => !expected.includes(f)),
      missing: expected.filter((f) => !compiled.includes(f)),
    },
    { notFromSrc: [], missing: [] },
    'dist/ holds one .js and one .d.ts per source file: nothing stale (rm -rf dist && npm run build), nothing missing',
  );
  for (const name of topLevel) assert.ok(files.includes(name), `${name} is packed`);
});

test('the packed package has no tests, source maps, TypeScript sources, bench or test data', () => {
  const unwanted = packedFiles().filter(
    (f) =>
      /\.test\.|\.map$|^(src|test|bench|scripts|packaging|docs|web\/src)\//.test(f) ||
      (f.endsWith('.ts') && !f.endsWith('.d.ts')),
  );
  assert.deepEqual(unwanted, []);
});

test('the package entry points are packed: bin midge, main and types', () => {
  const files = packedFiles();
  for (const path of ['dist/cli/main.js', 'dist/index.js', 'dist/index.d.ts']) {
    assert.ok(files.includes(path), `${path} is packed`);
  }
});
