// Whether the web console's packages are installed. A node_modules from before they were added (a developer
// who has not run `npm ci` since) skips the console's build and typecheck with a warning instead of failing
// the whole build; `npm ci` (as CI runs it) always installs them.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function missingWebDeps() {
  return ['preact', 'uplot', 'esbuild'].filter((name) => {
    try {
      require.resolve(`${name}/package.json`);
      return false;
    } catch {
      return true;
    }
  });
}

export function warnSkipped(what, missing) {
  console.warn(`web console ${what} skipped: ${missing.join(', ')} not installed (run npm ci)`);
}
