#!/usr/bin/env bash
# The build steps of the container image (Dockerfile, build stage), kept in one script so they also run outside
# a container engine: test/packaging/build-image.test.ts runs it in a fresh directory on every test run.
#
#   bash packaging/build-image.sh SOURCE DEST
#
# SOURCE is a checkout (the build context); DEST receives the runnable broker with production dependencies only:
# package.json, dist/ (broker and console), node_modules/ (better-sqlite3 compiled or downloaded for this Node),
# healthcheck.mjs, and bin/midge. The Dockerfile copies DEST into the runtime image as /opt/midge.
set -euo pipefail
source_dir="$(cd "${1:?usage: build-image.sh SOURCE DEST}" && pwd)"
dest="${2:?usage: build-image.sh SOURCE DEST}"
work="$(mktemp -d "${TMPDIR:-/tmp}/midge-image-build.XXXXXX")"
trap 'rm -rf "$work"' EXIT

# 1. Only what the build needs, so a stray node_modules/, dist/ or database in SOURCE never reaches the image.
for path in package.json package-lock.json tsconfig.json tsconfig.build.json src web scripts README.md CHANGELOG.md LICENSE; do
  if [ -e "$source_dir/$path" ]; then cp -a "$source_dir/$path" "$work/"; fi
done
cd "$work"

# 2. Every dependency as locked, dev ones included: `npm ci` runs `prepare`, which compiles src/ into dist/ and
#    bundles the console into dist/web.
npm ci --no-audit --no-fund
[ -f dist/cli/main.js ] || { echo "build-image.sh: npm ci did not build dist/" >&2; exit 1; }

# 3. Drop the dev dependencies (TypeScript, ESLint, test clients, bundler): the image runs production ones only.
npm prune --omit=dev --no-audit --no-fund

# 4. The runnable tree.
rm -rf "$dest"
mkdir -p "$dest/bin"
cp -a package.json dist node_modules "$dest/"
for doc in README.md CHANGELOG.md LICENSE; do
  if [ -e "$doc" ]; then cp -a "$doc" "$dest/"; fi
done
find "$dest/dist" -name '*.map' -delete
cp -a "$source_dir/packaging/healthcheck.mjs" "$dest/healthcheck.mjs"
chmod 0755 "$dest/dist/cli/main.js"
ln -s ../dist/cli/main.js "$dest/bin/midge"
echo "build-image.sh: $(node "$dest/dist/cli/main.js" --version) built into $dest"
