#!/usr/bin/env bash
# Set up a virtualenv (if needed) and start the bot. The token comes from DISCORD_TOKEN
# (or a .env file beside the config); extra arguments go to `python -m bot run`.
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e .
exec "$VENV/bin/python" -m bot run "$@"
