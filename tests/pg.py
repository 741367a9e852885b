"""A throwaway PostgreSQL 15 server for the storage tests.

``initdb`` into a fresh temporary folder, ``pg_ctl start`` on 127.0.0.1 with a
free port and trust authentication, ``pg_ctl stop`` and delete the folder when
the test run ends. The server refuses to run as root (CI runs as root), so as
root every server command runs as the ``postgres`` system user via
``runuser`` (a ``faqbot-pg`` system user is created if there is none).

One server per test run, shared by every module that uses the fixtures (a
module-level singleton, so two modules importing the fixtures do not start
two servers). Each test gets its own database from ``fresh_database``.

If no server can be started here the tests are skipped with the reason, except
when the environment variable ``CI`` is set: then they fail, so CI never passes
by skipping. ``.ci/pg-setup.sh`` installs the binaries where they are missing.

Use in a test module::

    from tests import pg

    postgres_server = pg.postgres_server
    postgres_url = pg.postgres_url
"""

from __future__ import annotations

import atexit
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))
_FALLBACK_USER = "faqbot-pg"
_dbs = itertools.count(1)


class PgUnavailable(Exception):
    """No server could be started here; the message says why."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _server_user() -> str | None:
    """The unprivileged user to run the server as (None: we are not root, run as ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", _FALLBACK_USER):
        try:
            pwd.getpwnam(name)
        except KeyError:
            continue
        return name
    result = subprocess.run(
        ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", _FALLBACK_USER],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise PgUnavailable(
            f"running as root, no 'postgres' user, and useradd failed: {result.stderr.strip()}"
        )
    return _FALLBACK_USER


class PgServer:
    """One PostgreSQL server in a temporary folder; ``url`` points at its ``postgres`` db."""

    def __init__(self) -> None:
        for tool in ("initdb", "pg_ctl"):
            if not (PG_BIN / tool).is_file():
                raise PgUnavailable(
                    f"{PG_BIN / tool} not found: install PostgreSQL 15 "
                    "(bash .ci/pg-setup.sh as root, or apt-get install postgresql)"
                )
        self.user = _server_user()
        self.root = Path(tempfile.mkdtemp(prefix="faqbot-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"
        self.running = False
        if self.user is not None:
            shutil.chown(self.root, self.user)
        try:
            self._run(
                PG_BIN / "initdb",
                "-D",
                self.data,
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            )
            self.start()
        except BaseException:
            shutil.rmtree(self.root, ignore_errors=True)
            raise

    def _run(self, *args: object, check: bool = True) -> subprocess.CompletedProcess[str]:
        argv = [str(a) for a in args]
        if self.user is not None:
            argv = ["runuser", "-u", self.user, "--", *argv]
        result = subprocess.run(
            argv, capture_output=True, text=True, check=False, timeout=60, cwd=self.root
        )
        if check and result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise PgUnavailable(
                f"{' '.join(argv)} failed ({result.returncode}): "
                f"{(result.stderr or result.stdout).strip()[-1000:]}\n{log}"
            )
        return result

    def start(self) -> None:
        """Start (or restart after ``stop``) on the same port and data folder."""
        options = " ".join(
            [
                f"-p {self.port}",
                "-c listen_addresses=127.0.0.1",
                f"-c unix_socket_directories={self.root}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=200",
            ]
        )
        self._run(PG_BIN / "pg_ctl", "-D", self.data, "-l", self.log, "-o", options, "-w", "start")
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (``fast`` disconnects every client, like a restart in production)."""
        if self.running:
            result = self._run(
                PG_BIN / "pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False
            )
            if result.returncode != 0 and mode != "immediate":
                self._run(
                    PG_BIN / "pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop", check=False
                )
            self.running = False

    def destroy(self) -> None:
        """Stop the server (waiting until it has exited) and delete its folder."""
        self.stop("fast")
        for _ in range(20):  # the postmaster removes its socket files as it exits
            shutil.rmtree(self.root, ignore_errors=True)
            if not self.root.exists():
                return
            time.sleep(0.1)

    def database_url(self, name: str) -> str:
        return self.url.rsplit("/", 1)[0] + "/" + name

    def create_database(self, name: str) -> str:
        """``CREATE DATABASE name`` (through psql, so no event loop is needed); its URL."""
        self._run(
            PG_BIN / "psql",
            "-h",
            "127.0.0.1",
            "-p",
            self.port,
            "-U",
            "postgres",
            "-d",
            "postgres",
            "-v",
            "ON_ERROR_STOP=1",
            "-qc",
            f'CREATE DATABASE "{name}"',
        )
        return self.database_url(name)


_server: PgServer | None = None
_failure: str | None = None


def get_server() -> PgServer:
    """Start the shared server on first use; skip (or fail under ``CI``) if impossible."""
    global _server, _failure
    if _server is None and _failure is None:
        started = time.monotonic()
        try:
            _server = PgServer()
        except (PgUnavailable, OSError, subprocess.SubprocessError) as exc:
            _failure = f"cannot start a throwaway PostgreSQL 15 server: {exc}"
        else:
            atexit.register(_server.destroy)
            took = time.monotonic() - started
            print(f"\n[tests.pg] PostgreSQL up in {took:.1f} s: {_server.url}")
    if _server is None:
        reason = _failure or "PostgreSQL server unavailable"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI is set, so this fails instead of skipping)", pytrace=False)
        pytest.skip(reason)
    if not _server.running:  # a test stopped it and failed before restarting it
        _server.start()
    return _server


def fresh_database(server: PgServer, prefix: str = "t") -> str:
    """A new, empty database on the shared server; its URL."""
    return server.create_database(f"{prefix}_{os.getpid()}_{next(_dbs)}")


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PgServer]:
    """The shared throwaway server (tests may ``stop()``/``start()`` it)."""
    yield get_server()


@pytest.fixture(scope="session")
def postgres_url(postgres_server: PgServer) -> str:
    """URL of the shared server's ``postgres`` database."""
    return postgres_server.url
