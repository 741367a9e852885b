"""Tests for bot.storage: SQLite-only behaviour, the writer on its own, exports.

Behaviour both backends share (logging, grouping, moderation, stats, privacy,
retention, the writer against a database) is tested once for both, in
``test_storage_backends.py``; this file keeps what only SQLite has (files,
WAL, chmod, corrupt databases, ``open_readonly``) and tests without a store.
"""

from __future__ import annotations

import asyncio
import csv
import io
import itertools
import logging
import os
import sqlite3
import stat
import tomllib
from collections.abc import AsyncIterator, Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import given, settings
from hypothesis import strategies as st

import bot.storage.sqlite as sqlite_mod
from bot.storage import (
    FeedbackRecord,
    MissedGroup,
    MissedRecord,
    SQLiteStore,
    StorageError,
    Store,
    Writer,
    open_readonly,
)
from bot.storage.export import export_csv, export_snippet
from bot.storage.schema_upgrade import LATEST_VERSION
from bot.storage.sqlite import is_transient

pytestmark = pytest.mark.usefixtures("close_opened_stores")

NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)
_ids = itertools.count(1)


def rec(
    question: str = "Why do my calves cramp at night?",
    *,
    guild: str = "g1",
    author: int | str = 111,
    normalised: str | None = None,
    source_id: str | None = None,
    created_at: datetime | None = None,
    candidates: list[tuple[str, float]] | None = None,
    reason: str = "no_answer",
) -> MissedRecord:
    return MissedRecord(
        source_id=source_id or f"src-{next(_ids)}",
        guild_id=guild,
        channel_id="chan",
        author_id=author,
        question=question,
        normalised=normalised if normalised is not None else question.lower().strip("?"),
        candidates=candidates if candidates is not None else [("night-cramps", 0.4)],
        reason=reason,
        created_at=created_at,
    )


def fb(*, helpful: bool, guild: str = "g1", author: int | str = 111) -> FeedbackRecord:
    return FeedbackRecord(
        source_id=f"click-{next(_ids)}",
        guild_id=guild,
        channel_id="chan",
        message_id="msg",
        author_id=author,
        entry_id="night-cramps",
        helpful=helpful,
        question="why cramps",
    )


def count(path: Path, table: str = "missed", where: str = "1", params: tuple[Any, ...] = ()) -> int:
    with sqlite3.connect(path) as conn:
        return int(
            conn.execute(f"SELECT COUNT(*) FROM {table} WHERE {where}", params).fetchone()[0]
        )


@pytest_asyncio.fixture
async def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "nested" / "bot.sqlite3"


@pytest_asyncio.fixture
async def store(db_path: Path) -> AsyncIterator[SQLiteStore]:
    s = await SQLiteStore.open(db_path, batch_delay=0.0)
    yield s
    await s.close()


async def log_all(store: Store, *records: MissedRecord) -> None:
    for r in records:
        await store.log_missed(r)
    await store.writer.flush(timeout=10)


def writer_logs(caplog: pytest.LogCaptureFixture, level: int) -> list[str]:
    """Messages the background writer logged at ``level``."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "bot.storage.writer" and r.levelno == level
    ]


# -- migrations and opening ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_migrates_from_empty_and_creates_parent_folders(db_path: Path) -> None:
    s = await SQLiteStore.open(db_path)
    await s.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='index'")}
        salt = conn.execute("SELECT value FROM meta WHERE key='salt'").fetchone()[0]
    assert {"missed", "feedback", "learned", "meta"} <= tables
    assert {"missed_guild_status_created", "missed_guild_normalised", "missed_created"} <= indexes
    assert "missed_author" in indexes
    assert len(salt) == 64


@pytest.mark.asyncio
async def test_reopen_is_idempotent_and_keeps_salt_and_rows(db_path: Path) -> None:
    s = await SQLiteStore.open(db_path, batch_delay=0)
    first_hash = s.hash_user(42)
    await log_all(s, rec())
    await s.close()
    s = await SQLiteStore.open(db_path, batch_delay=0)
    assert s.hash_user(42) == first_hash
    assert len(await s.list_rows("g1")) == 1
    await s.close()
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == LATEST_VERSION


@pytest.mark.asyncio
async def test_foreign_keys_on(store: SQLiteStore) -> None:
    rows = await store._fetchall("PRAGMA foreign_keys")
    assert rows == [(1,)]


@pytest.mark.asyncio
@pytest.mark.parametrize("readonly", [False, True])
async def test_newer_schema_is_refused_and_file_untouched(tmp_path: Path, readonly: bool) -> None:
    path = tmp_path / "future.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE something (x)")
        conn.execute(f"PRAGMA user_version = {LATEST_VERSION + 7}")
    before = path.read_bytes()
    with pytest.raises(StorageError) as info:
        await SQLiteStore.open(path, readonly=readonly)
    message = str(info.value)
    assert str(path) in message and "newer" in message and "Upgrade the bot" in message
    assert path.read_bytes() == before


@pytest.mark.asyncio
async def test_other_programs_database_is_refused_and_untouched(tmp_path: Path) -> None:
    path = tmp_path / "other.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE meta (k, v)")
    before = path.read_bytes()
    with pytest.raises(StorageError, match="another program"):
        await SQLiteStore.open(path)
    assert path.read_bytes() == before


def _corrupt_database(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x TEXT)")
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 500,) for _ in range(200)])
        conn.execute("CREATE INDEX t_x ON t (x)")
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(2 * page, 2 * page + 200):  # scribble over a b-tree page header
        data[offset] = 0xFF
    path.write_bytes(bytes(data))


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "make",
    [
        lambda p: p.write_bytes(os.urandom(4096)),
        lambda p: p.write_text("id,question\n1,hello\n"),
        _corrupt_database,
    ],
    ids=["random-bytes", "text-file", "corrupt-sqlite"],
)
async def test_garbage_or_corrupt_file_is_refused_and_untouched(
    tmp_path: Path, make: Callable[[Path], object]
) -> None:
    path = tmp_path / "bad.sqlite3"
    make(path)
    before = path.read_bytes()
    with pytest.raises(StorageError) as info:
        await SQLiteStore.open(path)
    message = str(info.value)
    assert str(path) in message and "not a usable SQLite database" in message
    assert "backup" in message and "not changed" in message
    assert path.read_bytes() == before
    left = await asyncio.to_thread(lambda: sorted(p.name for p in tmp_path.iterdir()))
    assert left == ["bad.sqlite3"]  # no -wal/-shm left behind either


@pytest.mark.asyncio
async def test_memory_path_gives_a_throwaway_database() -> None:
    s = await SQLiteStore.open(":memory:", batch_delay=0)
    await log_all(s, rec())
    assert len(await s.list_rows("g1")) == 1
    folder = s.path.parent
    await s.close()
    assert not folder.exists()


@pytest.mark.asyncio
async def test_readonly_open_reads_while_writer_runs_and_never_writes(
    store: SQLiteStore, db_path: Path
) -> None:
    ro = await open_readonly(db_path)
    try:
        await log_all(store, rec("cramp one"), rec("cramp two"))
        groups, total = await ro.list_groups("g1")
        assert total == 2 and {g.question for g in groups} == {"cramp one", "cramp two"}
        assert ro.hash_user(5) == store.hash_user(5)
        with pytest.raises(StorageError):
            _ = ro.writer
        with pytest.raises(StorageError):
            await ro.dismiss("g1", groups[0].latest_id, moderator_id=1)
    finally:
        await ro.close()
    assert await store.get_missed("g1", groups[0].latest_id) is not None


@pytest.mark.asyncio
async def test_readonly_open_of_missing_file_explains(tmp_path: Path) -> None:
    with pytest.raises(StorageError, match="Start the bot once"):
        await open_readonly(tmp_path / "nope.sqlite3")
    assert not (tmp_path / "nope.sqlite3").exists()


# -- logging -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_not_helpful_click_logs_feedback_and_missed(store: SQLiteStore) -> None:
    await store.log_feedback(fb(helpful=False))
    await store.log_missed(
        MissedRecord(
            source_id="click-x",
            guild_id="g1",
            channel_id="chan",
            author_id=5,
            question="why cramps",
            normalised="why cramps",
            candidates=[("night-cramps", 0.9)],
            reason="not_helpful",
            shown_entry_id="night-cramps",
        )
    )
    await store.writer.flush()
    (row,) = await store.list_rows("g1")
    assert row.reason == "not_helpful" and row.shown_entry_id == "night-cramps"
    assert (await store.stats("g1")).feedback_not_helpful == 1


def test_records_validate_reason() -> None:
    with pytest.raises(ValueError, match="reason"):
        rec(reason="bogus")


# -- reading -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_learned_lists_all_guilds_for_the_engine(store: SQLiteStore) -> None:
    await log_all(store, rec("q one", guild="A"), rec("q two", guild="B"))
    for guild in ("A", "B"):
        (row,) = await store.list_rows(guild)
        await store.resolve(guild, row.id, "entry", moderator_id=1)
    assert {(p.guild_id, p.phrasing) for p in await store.learned()} == {
        ("A", "q one"),
        ("B", "q two"),
    }
    assert [p.phrasing for p in await store.learned("A")] == ["q one"]


# -- privacy and retention ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_forget_user_finds_rows_from_both_modes(db_path: Path) -> None:
    s = await SQLiteStore.open(db_path, batch_delay=0)
    await log_all(s, rec(author=1))
    await s.close()
    s = await SQLiteStore.open(db_path, store_raw_user_ids=True, batch_delay=0)
    await log_all(s, rec(author=1))
    row = (await s.list_rows("g1"))[0]
    await s.resolve("g1", row.id, "entry", moderator_id=1)
    assert await s.forget_user(1) == 2
    assert count(db_path) == 0
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT added_by FROM learned").fetchall() == [(None,)]
    await s.close()


# -- the writer ----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_exclusive_lock_for_a_while_then_back_loses_nothing(
    store: SQLiteStore, db_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.storage.writer")
    blocker = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        for i in range(150):
            await store.log_missed(rec(f"during lock {i}", source_id=f"lock-{i}"))
        await asyncio.sleep(0.5)
        for i in range(150, 300):  # newer rows keep queueing during the outage
            await store.log_missed(rec(f"during lock {i}", source_id=f"lock-{i}"))
        await asyncio.sleep(0.5)
        assert store.writer.pending == 300
        # Reads keep working during the outage (WAL).
        assert await store.list_rows("g1") == []
    finally:
        blocker.execute("COMMIT")
        blocker.close()
    await store.writer.flush(timeout=10)
    assert count(db_path) == 300
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("SELECT COUNT(DISTINCT source_id) FROM missed").fetchone()[0] == 300
    assert len(writer_logs(caplog, logging.WARNING)) == 1
    assert len(writer_logs(caplog, logging.INFO)) == 1


@pytest.mark.asyncio
async def test_read_only_database_then_back_loses_nothing(
    store: SQLiteStore,
    db_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Simulated with a ``mode=ro`` writer connection: works even as root.

    The real SQLite error ("attempt to write a readonly database") is raised,
    and the writer must reopen its connection once writing is possible again.
    """
    caplog.set_level(logging.INFO, logger="bot.storage.writer")
    real_connect = sqlite_mod._connect
    read_only = True

    async def connect(path: Path, *, readonly: bool, busy_ms: int) -> Any:
        return await real_connect(path, readonly=readonly or read_only, busy_ms=busy_ms)

    monkeypatch.setattr(sqlite_mod, "_connect", connect)
    assert store._wdb is not None
    await store._wdb.close()
    store._wdb = None  # the next batch opens a (read-only) connection
    for i in range(50):
        await store.log_missed(rec(f"ro {i}", source_id=f"ro-{i}"))
    await asyncio.sleep(0.8)
    assert store.writer.pending == 50
    assert any("readonly" in m for m in writer_logs(caplog, logging.WARNING))
    read_only = False
    await store.writer.flush(timeout=10)
    assert count(db_path) == 50
    assert len(writer_logs(caplog, logging.INFO)) == 1


def _chmod_makes_files_read_only(folder: Path) -> bool:
    """False when we may write regardless (root / CAP_DAC_OVERRIDE)."""
    probe = folder / "chmod-probe"
    probe.write_text("x")
    probe.chmod(stat.S_IRUSR)
    try:
        with probe.open("a"):
            return False
    except PermissionError:
        return True
    finally:
        probe.chmod(stat.S_IRUSR | stat.S_IWUSR)
        probe.unlink()


@pytest.mark.asyncio
async def test_chmod_read_only_then_restored_loses_nothing(
    store: SQLiteStore, db_path: Path, tmp_path: Path
) -> None:
    if not await asyncio.to_thread(_chmod_makes_files_read_only, tmp_path):
        pytest.skip(
            "chmod cannot make files read-only here (running as root / CAP_DAC_OVERRIDE); "
            "the simulated read-only and exclusive-lock tests cover the outage instead"
        )
    await log_all(store, rec("before", source_id="before"))
    files = [p for p in db_path.parent.iterdir() if p.name.startswith(db_path.name)]
    modes = {p: p.stat().st_mode for p in files}
    folder_mode = db_path.parent.stat().st_mode
    try:
        for p in files:
            p.chmod(stat.S_IRUSR | stat.S_IRGRP)
        db_path.parent.chmod(stat.S_IRUSR | stat.S_IXUSR)
        assert store._wdb is not None
        await store._wdb.close()  # make the writer reopen the now read-only file
        store._wdb = None
        for i in range(20):
            await store.log_missed(rec(f"chmod {i}", source_id=f"chmod-{i}"))
        await asyncio.sleep(0.8)
        assert store.writer.pending == 20
    finally:
        db_path.parent.chmod(folder_mode)
        for p, mode in modes.items():
            p.chmod(mode)
    await store.writer.flush(timeout=10)
    assert count(db_path) == 21


@pytest.mark.asyncio
async def test_submit_nowait_raises_when_full(db_path: Path) -> None:
    s = await SQLiteStore.open(db_path, queue_size=3, batch_delay=0)
    blocker = sqlite3.connect(db_path, isolation_level=None, timeout=0)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(asyncio.QueueFull):
            for i in range(10):
                s.writer.submit_nowait(rec(source_id=f"nowait-{i}"))
                await asyncio.sleep(0)
        submitted = s.writer.pending
    finally:
        blocker.execute("COMMIT")
        blocker.close()
    await s.writer.flush(timeout=10)
    assert count(db_path) == submitted
    assert await s.close() == 0


# -- property: text round-trips --------------------------------------------------------------------


def test_any_unicode_question_round_trips(tmp_path: Path) -> None:
    loop = asyncio.new_event_loop()
    s = loop.run_until_complete(SQLiteStore.open(tmp_path / "u.sqlite3", batch_delay=0))
    counter = itertools.count()
    try:

        @settings(max_examples=100, deadline=None)
        @given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300))
        def check(text: str) -> None:
            guild = f"prop-{next(counter)}"
            record = rec(text, guild=guild, normalised=text)
            loop.run_until_complete(s.log_missed(record))
            loop.run_until_complete(s.writer.flush(timeout=10))
            rows = loop.run_until_complete(s.list_rows(guild))
            assert [(r.question, r.normalised) for r in rows] == [(text, text)]

        check()
    finally:
        loop.run_until_complete(s.close())
        loop.close()


# -- exports -------------------------------------------------------------------------------------


def group(
    question: str, *, latest_id: int = 1, count: int = 1, top: tuple[str, float] | None = None
) -> MissedGroup:
    return MissedGroup(
        normalised=question.lower(),
        question=question,
        count=count,
        ids=[latest_id],
        latest_id=latest_id,
        first_at=NOW - timedelta(days=2),
        last_at=NOW,
        status="open",
        top_candidates=[top] if top else [],
    )


def test_export_csv_quotes_and_defuses_formulas() -> None:
    tricky = [
        'He said "cramp, again"',
        "line one\nline two",
        "=HYPERLINK('http://x')",
        "+1 cramps",
        "-2 cramps",
        "@SUM(A1)",
        "plain",
    ]
    groups = [
        group(q, latest_id=i, count=i, top=("=evil", 0.5) if i == 0 else None)
        for i, q in enumerate(tricky)
    ]
    text = export_csv(groups)
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "id",
        "count",
        "first_asked",
        "last_asked",
        "question",
        "top_candidate",
        "score",
        "kind",
    ]
    questions = [r[4] for r in rows[1:]]
    assert questions == [
        'He said "cramp, again"',
        "line one\nline two",
        "'=HYPERLINK('http://x')",
        "'+1 cramps",
        "'-2 cramps",
        "'@SUM(A1)",
        "plain",
    ]
    assert rows[1][5:] == ["'=evil", "0.500", "missed"] and rows[2][5:] == ["", "", "missed"]
    assert rows[1][0] == "0" and rows[2][2] == "2026-11-18T12:00:00.000000Z"


def test_export_snippet_parses_as_toml() -> None:
    groups = [
        group('Why do "calves" cramp?\\ at night', top=("night-cramps", 0.4)),
        group("cramps after running\ttoday", latest_id=2, top=("night-cramps", 0.3)),
        group("Is magnesium\nuseful?", latest_id=3, top=("unknown-entry", 0.2)),
        group("eye twitch \u0007 \u007f ünïcødé 😀", latest_id=4),
        group("eye twitch \u0007 \u007f ünïcødé 😀", latest_id=5),
    ]
    snippet = export_snippet(groups, {"night-cramps": 'Night "cramps"\n'})
    data = tomllib.loads(snippet)
    entries = data["entries"]
    assert [e["questions"] for e in entries] == [
        ["Is magnesium\nuseful?"],
        ["eye twitch \u0007 \u007f ünïcødé 😀"],
        ["eye twitch \u0007 \u007f ünïcødé 😀"],
    ]
    assert all(e["answer"] == "TODO" and e["id"].startswith("new-") for e in entries)
    assert len({e["id"] for e in entries}) == 3
    # The commented block becomes valid TOML once uncommented.
    start = snippet.index("# questions = [")
    block = snippet[start : snippet.index("# ]", start) + 3]
    uncommented = "\n".join(line.removeprefix("# ") for line in block.splitlines())
    assert tomllib.loads(uncommented)["questions"] == [
        'Why do "calves" cramp?\\ at night',
        "cramps after running\ttoday",
    ]
    assert '"night-cramps"' in snippet


# -- the writer on its own (no SQLite) ------------------------------------------------------------


@pytest.mark.asyncio
async def test_writer_retries_transient_errors_with_backoff_and_writes_once() -> None:
    committed: list[int] = []
    failures = iter([True, True, True, False, False, False])
    attempts: list[float] = []
    loop = asyncio.get_running_loop()

    async def write(rows: Sequence[int]) -> None:
        attempts.append(loop.time())
        if next(failures, False):
            raise sqlite3.OperationalError("database is locked")
        committed.extend(rows)

    writer: Writer[int] = Writer(
        write,
        is_transient=is_transient,
        batch_delay=0,
        initial_backoff=0.05,
        max_backoff=0.1,
    )
    writer.start()
    for i in range(10):
        await writer.submit(i)
    await writer.flush(timeout=5)
    assert sorted(committed) == list(range(10)) and len(committed) == 10
    gaps = [b - a for a, b in itertools.pairwise(attempts[:4])]
    assert gaps[0] >= 0.04 and gaps[1] >= 0.09 and gaps[2] < 0.2  # doubled, then capped
    assert await writer.close() == 0


@pytest.mark.asyncio
async def test_writer_close_unblocks_a_producer_waiting_for_space() -> None:
    release = asyncio.Event()

    async def write(rows: Sequence[int]) -> None:
        await release.wait()

    writer: Writer[int] = Writer(write, is_transient=is_transient, queue_size=2, batch_size=1)
    writer.start()
    for i in range(3):  # one in flight, two queued
        await writer.submit(i)
    await asyncio.sleep(0.01)
    blocked = asyncio.create_task(writer.submit(99))
    await asyncio.sleep(0.01)
    assert not blocked.done()
    release.set()
    assert await writer.close(timeout=5) == 0
    await blocked  # got its place before the writer finished, so it was written
    assert writer.pending == 0
