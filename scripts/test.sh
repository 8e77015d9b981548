#!/usr/bin/env bash
# Set up and run every test layer (unit, service, end to end) against the real
# broker, first on SQLite, then on PostgreSQL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
scripts/ensure-infra.sh
echo "=== ruff check ==="
.venv/bin/ruff check .
export PYTHONWARNINGS="ignore::DeprecationWarning"
status=0
for db in sqlite postgresql; do
  echo "=== test suite on $db ==="
  PARKMATCH_TEST_DB=$db .venv/bin/python -m pytest -p no:cacheprovider -q "$@" || status=$?
done
exit $status
