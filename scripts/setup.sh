#!/usr/bin/env bash
# Create .venv and install Parkmatch with its test tools (idempotent).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip >/dev/null 2>&1 || true
.venv/bin/python -m pip install --quiet -e ".[test]" 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c "import nameko, marshmallow, pika, sqlalchemy, alembic, pytest" \
  || { echo "installation failed" >&2; exit 1; }
