#!/usr/bin/env bash
# Set up a virtualenv (if needed) with the test extras and run the full test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e ".[dev]"
exec "$VENV/bin/python" -m pytest "$@"
