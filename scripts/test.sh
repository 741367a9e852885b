#!/usr/bin/env bash
# Set up a virtualenv (if needed) with the test extras and run the full test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh "[dev]"
exec "$VENV/bin/python" -m pytest "$@"
