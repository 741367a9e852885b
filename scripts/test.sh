#!/usr/bin/env bash
# Set up a virtualenv (if needed) with the test extras and run the full test suite.
# The semantic layer's model is fetched (and verified) if it can be; without it the
# semantic tests skip, except under CI=true where they must run.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh "[dev]"
"$VENV/bin/python" scripts/fetch_model.py \
    || echo "test.sh: no semantic model (see above); its tests will skip" >&2
exec "$VENV/bin/python" -m pytest "$@"
