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
# The browser tests drive Debian's Chromium (Playwright's own browser download
# is never used) and need CJK fonts to render Korean and Chinese.
if [ "$(id -u)" = "0" ]; then
  command -v chromium >/dev/null || apt-get install -y chromium fonts-noto-cjk
elif ! command -v chromium >/dev/null; then
  echo "chromium is missing: the browser tests (tests/browser) need it;" \
       "as root run: apt-get install -y chromium fonts-noto-cjk" >&2
fi
