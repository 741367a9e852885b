#!/usr/bin/env bash
# Make PostgreSQL 15's server binaries available for the storage tests (tests/pg.py).
# Idempotent: does nothing when /usr/lib/postgresql/15/bin/initdb already exists.
# The tests start their own throwaway server; this script never starts or configures one.
set -euo pipefail

PG_BIN=/usr/lib/postgresql/15/bin
if [ -x "$PG_BIN/initdb" ]; then
    echo "pg-setup: PostgreSQL 15 found in $PG_BIN"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "pg-setup: $PG_BIN/initdb is missing and installing needs root:" >&2
    echo "  sudo apt-get update && sudo apt-get install -y --no-install-recommends postgresql" >&2
    exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends postgresql
if [ ! -x "$PG_BIN/initdb" ]; then
    echo "pg-setup: installed 'postgresql' but $PG_BIN/initdb is still missing" >&2
    echo "  (this distribution's default PostgreSQL is not version 15; install postgresql-15)" >&2
    exit 1
fi
echo "pg-setup: installed PostgreSQL 15 into $PG_BIN"
