#!/usr/bin/env bash
# Forma's whole test suite: unit, property, store and integration tests on SQLite and
# PostgreSQL, the API contract test (schemathesis against the OpenAPI document), then the
# browser tests (headless Chromium + axe-core). Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

export FORMA_TEST_POSTGRES_URL="${FORMA_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

postgres_up() {
  (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null
}

if ! postgres_up; then
  # The development and CI machines run PostgreSQL; start the local cluster if it stopped.
  if command -v pg_ctlcluster >/dev/null 2>&1 && [ -d /etc/postgresql ]; then
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n1)" main start || true
    sleep 2
  fi
fi
if postgres_up; then
  echo "PostgreSQL : ${FORMA_TEST_POSTGRES_URL} (la moitié PostgreSQL de la suite est exécutée)"
elif [ "${CI:-}" = "true" ]; then
  echo "PostgreSQL injoignable sur 127.0.0.1:5432 : la CI exige la moitié PostgreSQL de la suite" >&2
  exit 1
else
  echo "PostgreSQL injoignable : seule la moitié SQLite est exécutée" >&2
  unset FORMA_TEST_POSTGRES_URL
fi

# The mail tests deliver to a real SMTP server (aiosmtpd, run with python3).
if ! python3 -c 'import aiosmtpd' 2>/dev/null; then
  python3 -m pip install --quiet --disable-pip-version-check "aiosmtpd==1.4.6"
fi

# The document tests read the PDFs back with poppler (pdftotext, pdfinfo, pdffonts, pdftoppm),
# and the certificates' QR codes with zbar (zbarimg).
install_debian() {
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq "$1" >/dev/null || { apt-get update -qq && apt-get install -y -qq "$1" >/dev/null; }
  else sudo apt-get install -y -qq "$1" >/dev/null || { sudo apt-get update -qq && sudo apt-get install -y -qq "$1" >/dev/null; }
  fi
}
command -v pdftotext >/dev/null 2>&1 || install_debian poppler-utils
command -v zbarimg >/dev/null 2>&1 || install_debian zbar-tools

# `cargo test` builds target/debug/forma too (the forma crate's integration tests run it); a
# separate `cargo build -p forma` unified features differently and rebuilt half the workspace.
cargo test --locked --workspace
FORMA_BIN="$PWD/target/debug/forma" bash scripts/contract.sh
FORMA_BIN="$PWD/target/debug/forma" bash e2e/run.sh
