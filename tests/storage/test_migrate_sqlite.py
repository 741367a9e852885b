"""``migrate_sqlite``: an existing SQLite log copied into a real PostgreSQL.

Checks: every row of every table arrives (ids, statuses, timestamps, learned
phrasings, the salt), the source file is never changed, a second run copies
nothing, a re-run after both sides grew gives clashing ids new ids, and bad
sources / targets are refused with nothing changed.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import asyncpg
import pytest
import pytest_asyncio

from bot.storage import SQLiteStore, StorageError
from bot.storage.postgres import LATEST_VERSION, PostgresStore
from bot.storage.sqlite_to_postgres import migrate_sqlite
from tests import pg
from tests.storage.test_storage import NOW, fb, rec

pytestmark = pytest.mark.usefixtures("close_opened_stores")


def fingerprint(folder: Path) -> dict[str, tuple[str, int]]:
    """sha256 and mtime of every data file in the folder (the database and any -wal)."""
    return {
        p.name: (hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_mtime_ns)
        for p in sorted(folder.iterdir())
        # -shm is SQLite's shared-memory wal-index, which every reader (read-only ones
        # too) maps and writes; it holds no data, so it is not part of "unchanged".
        if p.is_file() and p.stat().st_size > 0 and not p.name.endswith("-shm")
    }


@pytest_asyncio.fixture
async def pg_url() -> str:
    return pg.fresh_database(pg.get_server())


async def build_sqlite_log(path: Path) -> str:
    """A realistic log: two guilds, every status, feedback, learned (guild and global)."""
    s = await SQLiteStore.open(path, batch_delay=0)
    try:
        for i in range(30):
            await s.log_missed(
                rec(
                    f"question {i % 7}",
                    guild="A" if i % 3 else "B",
                    author=i % 4,
                    source_id=f"m-{i}",
                    created_at=NOW - timedelta(hours=i),
                )
            )
        for i in range(10):
            await s.log_feedback(fb(helpful=i % 2 == 0, guild="A", author=i))
        await s.writer.flush(timeout=10)
        rows = await s.list_rows("A")
        await s.resolve("A", rows[0].id, "night-cramps", moderator_id=99, note="ok")
        await s.dismiss("A", rows[-1].id, moderator_id=99, reason="spam")
        (b_row, *_) = await s.list_rows("B")
        await s.resolve("B", b_row.id, "eye-twitch", moderator_id=98)
        salt_hash = s.hash_user(1)
    finally:
        await s.close()
    # A global phrasing (guild_id NULL). closing(): sqlite3's own context manager only
    # commits, and a connection left to the garbage collector checkpoints the WAL into
    # the file whenever it is collected -- in the middle of a later "unchanged" check.
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "INSERT INTO learned (guild_id, phrasing, normalised, entry_id, added_by, created_at)"
            " VALUES (NULL, 'Cramp at night?', 'cramp at night', 'night-cramps', NULL, "
            "'2026-11-01T00:00:00.000000Z')"
        )
    return salt_hash


async def pg_count(url: str, table: str) -> int:
    conn = await asyncpg.connect(url)
    try:
        return int(await conn.fetchval(f"SELECT COUNT(*) FROM {table}"))
    finally:
        await conn.close()


@pytest.mark.asyncio
async def test_copies_everything_verifies_and_leaves_the_source_alone(
    tmp_path: Path, pg_url: str
) -> None:
    path = tmp_path / "bot.sqlite3"
    salt_hash = await build_sqlite_log(path)
    sqlite = await SQLiteStore.open(path, readonly=True)
    try:
        expected = {g: await sqlite.list_rows(g, status="all") for g in ("A", "B")}
        expected_learned = await sqlite.learned()
        expected_stats = await sqlite.stats("A", now=NOW)
    finally:
        await sqlite.close()
    before = await asyncio.to_thread(fingerprint, tmp_path)

    report = await migrate_sqlite(path, pg_url)

    by_table = {t.table: t for t in report.tables}
    assert {name: (t.source, t.copied, t.already) for name, t in by_table.items()} == {
        "meta": (1, 0, 1),  # the salt, copied first
        "missed": (30, 30, 0),
        "feedback": (10, 10, 0),
        "learned": (3, 3, 0),
    }
    assert "copied" in report.salt
    lines = report.lines()
    assert lines[0].startswith(f"Copied {path} -> postgresql://")
    assert any(line.strip().startswith("missed:") and "30 copied" in line for line in lines)
    assert await asyncio.to_thread(fingerprint, tmp_path) == before

    store = await PostgresStore.open(pg_url, batch_delay=0)
    try:
        assert store.hash_user(1) == salt_hash
        for guild, rows in expected.items():
            assert await store.list_rows(guild, status="all") == rows  # ids, times, statuses
        assert await store.learned() == expected_learned
        assert await store.stats("A", now=NOW) == expected_stats
        # New rows continue after the copied ids; /forget-me finds migrated rows.
        await store.log_missed(rec(guild="A", source_id="after-migration", author=1))
        await store.writer.flush(timeout=10)
        new = next(r for r in await store.list_rows("A") if r.question.startswith("Why"))
        assert new.id > max(r.id for rows in expected.values() for r in rows)
        # author 1: 8 migrated questions, 1 migrated click, 1 new question
        assert await store.forget_user(1) == 10
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_running_twice_copies_nothing_the_second_time(tmp_path: Path, pg_url: str) -> None:
    path = tmp_path / "bot.sqlite3"
    await build_sqlite_log(path)
    first = await migrate_sqlite(path, pg_url)
    second = await migrate_sqlite(path, pg_url)
    assert first.copied == 43 and second.copied == 0
    assert [(t.table, t.already, t.target) for t in second.tables] == [
        ("meta", 1, 1),
        ("missed", 30, 30),
        ("feedback", 10, 10),
        ("learned", 3, 3),
    ]
    assert "already the same" in second.salt
    assert await pg_count(pg_url, "missed") == 30
    assert await pg_count(pg_url, "schema_version") == LATEST_VERSION


@pytest.mark.asyncio
async def test_rerun_after_both_sides_grew_gives_clashing_ids_new_ids(
    tmp_path: Path, pg_url: str
) -> None:
    path = tmp_path / "bot.sqlite3"
    await build_sqlite_log(path)
    await migrate_sqlite(path, pg_url)
    # PostgreSQL gets new rows (ids 31, 32) ...
    store = await PostgresStore.open(pg_url, batch_delay=0)
    for i in range(2):
        await store.log_missed(rec("pg side", guild="A", source_id=f"pg-{i}"))
    await store.close()
    # ... and so does the SQLite file, whose ids 31..33 clash with them.
    sqlite = await SQLiteStore.open(path, batch_delay=0)
    for i in range(3):
        await sqlite.log_missed(rec("sqlite side", guild="A", source_id=f"late-{i}"))
    await sqlite.close()

    report = await migrate_sqlite(path, pg_url)
    missed = next(t for t in report.tables if t.table == "missed")
    assert (missed.source, missed.copied, missed.already, missed.new_ids) == (33, 3, 30, 2)
    assert missed.target == 35
    conn = await asyncpg.connect(pg_url)
    try:
        ids = [r[0] for r in await conn.fetch("SELECT id FROM missed ORDER BY id")]
        assert len(ids) == len(set(ids)) == 35
    finally:
        await conn.close()
    store = await PostgresStore.open(pg_url, batch_delay=0)
    try:
        await store.log_missed(rec(guild="A", source_id="later"))
        await store.writer.flush(timeout=10)  # the sequence continues after every id
        assert store.writer.failed == 0
        assert len(await store.list_rows("A", status="all")) == 20 + 2 + 3 + 1
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_empty_target_with_its_own_unused_salt_takes_the_sqlite_salt(
    tmp_path: Path, pg_url: str
) -> None:
    path = tmp_path / "bot.sqlite3"
    salt_hash = await build_sqlite_log(path)
    store = await PostgresStore.open(pg_url)  # the bot started on PostgreSQL first
    assert store.hash_user(1) != salt_hash
    await store.close()
    report = await migrate_sqlite(path, pg_url)
    assert "replacing the unused salt" in report.salt
    store = await PostgresStore.open(pg_url)
    try:
        assert store.hash_user(1) == salt_hash
    finally:
        await store.close()


@pytest.mark.asyncio
async def test_target_with_rows_under_another_salt_is_refused(tmp_path: Path, pg_url: str) -> None:
    path = tmp_path / "bot.sqlite3"
    await build_sqlite_log(path)
    store = await PostgresStore.open(pg_url, batch_delay=0)
    await store.log_missed(rec(source_id="pg-only"))
    await store.close()
    with pytest.raises(StorageError, match="different salt"):
        await migrate_sqlite(path, pg_url)
    assert await pg_count(pg_url, "missed") == 1 and await pg_count(pg_url, "feedback") == 0


@pytest.mark.asyncio
async def test_bad_sources_and_targets_are_refused(tmp_path: Path, pg_url: str) -> None:
    with pytest.raises(StorageError, match="no bot database"):
        await migrate_sqlite(tmp_path / "missing.sqlite3", pg_url)
    assert not (tmp_path / "missing.sqlite3").exists()
    other = tmp_path / "other.sqlite3"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    with pytest.raises(StorageError, match="another program"):
        await migrate_sqlite(other, pg_url)
    path = tmp_path / "bot.sqlite3"
    await build_sqlite_log(path)
    with pytest.raises(StorageError, match="cannot connect") as info:
        await migrate_sqlite(path, "postgresql://u:secret@127.0.0.1:1/none")
    assert "secret" not in str(info.value)
    conn = await asyncpg.connect(pg_url)
    try:
        await conn.execute(
            "CREATE TABLE schema_version (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        await conn.execute("INSERT INTO schema_version VALUES (99, 'future')")
    finally:
        await conn.close()
    with pytest.raises(StorageError, match="newer"):
        await migrate_sqlite(path, pg_url)


def test_cli_copies_and_reports_without_changing_the_source(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.cli import main

    source = tmp_path / "bot.sqlite3"
    asyncio.run(build_sqlite_log(source))
    before = source.read_bytes()
    url = pg.fresh_database(pg.get_server())
    assert main(["migrate-sqlite", "--from", str(source), "--to", url]) == 0
    out = capsys.readouterr().out
    assert "missed:   30 in SQLite, 30 copied" in out
    assert "verified" in out
    assert source.read_bytes() == before
    assert main(["migrate-sqlite", "--from", str(tmp_path / "nope.sqlite3"), "--to", url]) == 1
    assert "no SQLite database" in capsys.readouterr().err
