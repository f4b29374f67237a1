// Bundles the web console (web/) into dist/web: index.html plus content-hashed files under assets/, so the
// HTTP API can cache assets for a year and a new build is never mixed with an old one in a browser.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingWebDeps, warnSkipped } from './web-deps.mjs';

const missing = missingWebDeps();
if (missing.length > 0) {
  warnSkipped('build', missing);
  process.exit(0);
}
const { build } = await import('esbuild');
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'web');
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });

const result = await build({
  entryPoints: { app: join(root, 'web', 'src', 'main.tsx') },
  outdir: join(out, 'assets'),
  bundle: true,
  splitting: true,
  format: 'esm',
  minify: true,
  target: ['chrome100', 'firefox100', 'safari15'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  entryNames: '[name]-[hash]',
  chunkNames: 'chunk-[hash]',
  assetNames: '[name]-[hash]',
  metafile: true,
  legalComments: 'linked',
  logLevel: 'warning',
});

const entry = Object.entries(result.metafile.outputs).find(([, o]) => o.entryPoint !== undefined);
if (entry === undefined) throw new Error('esbuild wrote no entry point');
const [js, { cssBundle }] = entry;
if (cssBundle === undefined) throw new Error('esbuild wrote no stylesheet');
const html = readFileSync(join(root, 'web', 'index.html'), 'utf8')
  .replace('APP_JS', basename(js))
  .replace('APP_CSS', basename(cssBundle));
writeFileSync(join(out, 'index.html'), html);
