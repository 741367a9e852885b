#!/usr/bin/env bash
# Set up a virtualenv (if needed) and start the bot. The token comes from DISCORD_TOKEN
# (or a .env file beside the config); extra arguments go to `python -m bot run`.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
# The semantic layer's model, if it can be had; without it the bot answers by words alone.
"$VENV/bin/python" scripts/fetch_model.py \
    || echo "start.sh: no semantic model (see above); the bot runs lexical only" >&2
exec "$VENV/bin/python" -m bot run "$@"
