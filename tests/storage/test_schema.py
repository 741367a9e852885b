"""``bot.storage.schema`` is the one description of the tables, and it is true.

* The migrations (the history) produce exactly the described columns, in
  SQLite and in PostgreSQL, so a migration without its ``Column`` (or the
  reverse) fails here.
* The models read and write the described columns by name, and no module of
  the storage layer reads a fetched row by position.
* A scratch copy of ``bot/storage`` with one new column -- a migration per
  backend, one ``Column`` in ``schema.py`` and the model field that carries
  it -- stores, reads and copies it (SQLite, PostgreSQL, ``migrate-sqlite``)
  with nothing else edited.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import fields
from pathlib import Path

import asyncpg
import pytest

from bot.storage import FeedbackRecord, LearnedPhrasing, MissedRecord, MissedRow, SQLiteStore, sql
from bot.storage.errors import StorageError
from bot.storage.postgres import PostgresStore, pg_layout
from bot.storage.schema import FEEDBACK, LEARNED, MISSED, TABLES, column_problems
from bot.storage.schema_upgrade import sqlite_layout
from tests import pg

pytestmark = pytest.mark.usefixtures("close_opened_stores")

postgres_server = pg.postgres_server

STORAGE = Path(__file__).resolve().parents[2] / "bot" / "storage"


# -- the description matches what the migrations build --------------------------------------


@pytest.mark.asyncio
async def test_sqlite_migrations_build_the_described_schema(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    store = await SQLiteStore.open(path)
    await store.close()
    with sqlite3.connect(path) as conn:
        assert column_problems(sqlite_layout(conn), "sqlite", strict=True) == []


@pytest.mark.asyncio
async def test_postgres_migrations_build_the_described_schema() -> None:
    url = pg.fresh_database(pg.get_server())
    store = await PostgresStore.open(url)
    await store.close()
    conn = await asyncpg.connect(url)
    try:
        assert column_problems(await pg_layout(conn), "postgres", strict=True) == []
    finally:
        await conn.close()


@pytest.mark.asyncio
async def test_strict_check_notices_a_column_the_description_lacks(tmp_path: Path) -> None:
    path = tmp_path / "log.sqlite3"
    store = await SQLiteStore.open(path)
    await store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE missed ADD COLUMN surprise TEXT")
        problems = column_problems(sqlite_layout(conn), "sqlite", strict=True)
    assert len(problems) == 1 and "surprise" in problems[0]


@pytest.mark.asyncio
async def test_a_database_without_a_described_column_is_refused_and_left_alone(
    tmp_path: Path,
) -> None:
    path = tmp_path / "log.sqlite3"
    store = await SQLiteStore.open(path)
    await store.close()
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE missed DROP COLUMN language")
    before = path.read_bytes()
    for readonly in (False, True):
        with pytest.raises(StorageError, match=r"missed\.language is missing"):
            await SQLiteStore.open(path, readonly=readonly)
    assert path.read_bytes() == before


# -- the models and the SQL follow the description ---------------------------------------------


def test_models_read_and_write_described_columns_by_name() -> None:
    assert tuple(f.name for f in fields(MissedRow)) == sql.MISSED_READ
    assert tuple(f.name for f in fields(LearnedPhrasing)) == sql.LEARNED_READ
    # Every record field is stored; ``author_id`` goes into ``author`` (hashed).
    for table, model, written in (
        (MISSED, MissedRecord, sql.MISSED_WRITTEN),
        (FEEDBACK, FeedbackRecord, sql.FEEDBACK_WRITTEN),
    ):
        stored = {f.name for f in fields(model)} - {"author_id"} | {"author"}
        assert set(written) == stored, table.name
    assert {t.name for t in TABLES} == {"meta", "missed", "feedback", "learned"}
    assert LEARNED.key == ("guild_id", "normalised")


def test_placeholders_are_numbered_outside_literals_only() -> None:
    assert sql.numbered("SELECT '?', \"a?\" FROM t WHERE a = ? AND b IN (?, ?)") == (
        "SELECT '?', \"a?\" FROM t WHERE a = $1 AND b IN ($2, $3)"
    )


_POSITIONAL = re.compile(
    r"\b(?:r|k|rows?|\w+_rows?|found|member|newest|learned|state|mode|raw|clash|keys)"
    r"(?:\[\d+\])+"
)


def test_no_fetched_row_is_read_by_position() -> None:
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(STORAGE.glob("*.py"))
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1)
        if _POSITIONAL.search(line)
    ]
    assert offenders == []


# -- one new column: the migrations, schema.py and the model field, nothing else ---------------

_SCRATCH_SCRIPT = """
import asyncio, sqlite3, sys
import asyncpg
from scratch_storage import MissedRecord, SQLiteStore
from scratch_storage.schema import column_problems
from scratch_storage.schema_upgrade import sqlite_layout

REC = MissedRecord(source_id="s1", guild_id="g", channel_id="c", author_id=1,
                   question="Cramp at night?", normalised="cramp at night",
                   channel_name="general")


async def check(store):
    await store.log_missed(REC)
    await store.writer.flush()
    [row] = await store.list_rows("g")
    assert row.channel_name == "general", row
    await store.close()


async def main(db, url="", url2=""):
    await check(await SQLiteStore.open(db))
    with sqlite3.connect(db) as conn:
        assert column_problems(sqlite_layout(conn), "sqlite", strict=True) == []
    if url:
        from scratch_storage.postgres import PostgresStore, pg_layout
        from scratch_storage.sqlite_to_postgres import migrate_sqlite
        await check(await PostgresStore.open(url))
        conn = await asyncpg.connect(url)
        assert column_problems(await pg_layout(conn), "postgres", strict=True) == []
        await conn.close()
        await migrate_sqlite(db, url2)
        copy = await PostgresStore.open(url2, readonly=True)
        [row] = await copy.list_rows("g")
        assert row.channel_name == "general", row
        await copy.close()
    print("new column ok")


asyncio.run(main(*sys.argv[1:]))
"""


def _edit(path: Path, old: str, new: str, count: int = 1) -> None:
    text = path.read_text("utf-8")
    assert text.count(old) == count, (path.name, old)
    path.write_text(text.replace(old, new), "utf-8")


def _scratch_storage(tmp_path: Path) -> Path:
    """A copy of bot/storage (as package ``scratch_storage``) with a ``channel_name``
    column on ``missed``; returns the folder to put on ``sys.path``."""
    root = tmp_path / "pkg"
    pkg = root / "scratch_storage"
    shutil.copytree(STORAGE, pkg, ignore=shutil.ignore_patterns("__pycache__"))
    for backend in ("sqlite", "postgres"):
        number = _next_migration(pkg, backend)
        migration = pkg / "migrations" / backend / f"{number:04d}_channel.sql"
        migration.write_text("ALTER TABLE missed ADD COLUMN channel_name TEXT;\n", "utf-8")
    language = '        _text("language", not_null=False),\n'
    _edit(
        pkg / "schema.py", language, language + '        _text("channel_name", not_null=False),\n'
    )
    field = "    language: str | None = None\n"
    _edit(pkg / "models.py", field, field + "    channel_name: str | None = None\n", count=2)
    return root


def _next_migration(pkg: Path, backend: str) -> int:
    """The number the next migration of ``backend`` gets."""
    return len(list((pkg / "migrations" / backend).glob("*.sql"))) + 1


def _run_scratch(root: Path, *args: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(root)}
    result = subprocess.run(
        [sys.executable, "-c", _SCRATCH_SCRIPT, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "new column ok" in result.stdout


def test_a_new_column_needs_only_its_migrations_schema_and_model_field(tmp_path: Path) -> None:
    _run_scratch(_scratch_storage(tmp_path), str(tmp_path / "log.sqlite3"))


def test_a_new_column_reaches_postgres_and_migrate_sqlite_too(tmp_path: Path) -> None:
    server = pg.get_server()
    url, url2 = pg.fresh_database(server), pg.fresh_database(server)
    _run_scratch(_scratch_storage(tmp_path), str(tmp_path / "log.sqlite3"), url, url2)
