// tsc over web/ (its own tsconfig: DOM, JSX for Preact), unless the console's packages are not installed.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { missingWebDeps, warnSkipped } from './web-deps.mjs';

const missing = missingWebDeps();
if (missing.length > 0) {
  warnSkipped('typecheck', missing);
} else {
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'web/tsconfig.json'], { stdio: 'inherit' });
  process.exit(result.status ?? 1);
}
