#!/usr/bin/env bash
# Browser test suite of Forma: runs the real server (`forma serve --demo`)
# and drives Debian's Chromium with playwright-core, checking accessibility
# with axe-core. Idempotent: installs only what is missing.
#
#   FORMA_BIN=/path/to/forma bash e2e/run.sh
#
# FORMA_BIN defaults to ../target/debug/forma (relative to this folder).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$HERE"

CHROMIUM="${CHROMIUM_BIN:-/usr/bin/chromium}"

# 1. Browser: Debian's chromium, never a playwright download.
if [[ ! -x "$CHROMIUM" ]]; then
  echo "e2e: $CHROMIUM missing, installing Debian's chromium" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y chromium
fi
if [[ ! -x "$CHROMIUM" ]]; then
  echo "e2e: error: no Chromium at $CHROMIUM (set CHROMIUM_BIN)" >&2
  exit 1
fi

# 2. Node dependencies, only when node_modules is missing or stale.
if [[ ! -d node_modules || package-lock.json -nt node_modules ]]; then
  echo "e2e: installing node dependencies (npm ci)" >&2
  npm ci --no-audit --no-fund
  touch node_modules
fi

# 3. The Forma binary under test.
FORMA_BIN="${FORMA_BIN:-../target/debug/forma}"
case "$FORMA_BIN" in
  /*) ;;
  *) FORMA_BIN="$HERE/$FORMA_BIN" ;;
esac
if [[ ! -f "$FORMA_BIN" ]]; then
  echo "e2e: error: Forma binary not found at $FORMA_BIN" >&2
  echo "e2e: build it first (cargo build -p forma) or set FORMA_BIN=/path/to/forma" >&2
  exit 1
fi
if [[ ! -x "$FORMA_BIN" ]]; then
  echo "e2e: error: $FORMA_BIN is not executable" >&2
  exit 1
fi
export FORMA_BIN CHROMIUM_BIN="$CHROMIUM"

mkdir -p test-results

# 4. The tests. The exit status is the test runner's.
set +e
node --test --test-concurrency=1 tests/
status=$?
set -e
exit "$status"
