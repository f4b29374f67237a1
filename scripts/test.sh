#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, builds, checks, tests on the machine's
# Node, then tests again on Node 24 (scripts/test-node.sh; MIDGE_TEST_NODE=VERSION picks another release,
# MIDGE_TEST_NODE=none skips that second run). Words narrow both runs to the test files whose path contains one.
set -euo pipefail
cd "$(dirname "$0")/.."
second_node="${MIDGE_TEST_NODE-24.22.3}"
bash scripts/install-test-deps.sh
[ -d node_modules ] || npm ci
npm run build
npm run typecheck
npm run lint
if [ "$second_node" != none ] && [ "v$second_node" != "$(node --version)" ]; then
  # The container image's build (a fresh `npm ci`, minutes) runs once, in the Node 24 run: the image's Node.
  MIDGE_TEST_EXCLUDE=packaging/build-image node scripts/run-tests.mjs "$@"
  bash scripts/test-node.sh "$second_node" "$@"
else
  node scripts/run-tests.mjs "$@"
fi
