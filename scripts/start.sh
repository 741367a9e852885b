#!/usr/bin/env bash
# Set up a virtualenv (if needed) and start the bot. The token comes from DISCORD_TOKEN
# (or a .env file beside the config); extra arguments go to `python -m bot run`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
exec "$VENV/bin/python" -m bot run "$@"
