#!/usr/bin/env bash
# Sourced by test.sh and start.sh: create the virtualenv in $VENV (default .venv) if it is
# missing and install the project into it, with the extras given as "$1" (e.g. "[dev]").
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e ".${1:-}"
