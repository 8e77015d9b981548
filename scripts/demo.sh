#!/usr/bin/env bash
# Set up and run the whole system with the reference demo data; Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
PARKMATCH_NEED_POSTGRES=0 scripts/ensure-infra.sh
exec .venv/bin/parkmatch up --fresh "$@"
