#!/usr/bin/env bash
# Raise the open-file limit as far as this machine allows (the idle-connection scenarios need it), then run.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec node "$(dirname "$0")/run.mjs" "$@"
