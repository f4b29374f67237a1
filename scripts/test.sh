#!/usr/bin/env bash
# The whole test suite on a fresh machine: installs what the tests need, builds, checks, tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-deps.sh
[ -d node_modules ] || npm ci
npm run build
npm run typecheck
npm run lint
node scripts/run-tests.mjs "$@"
