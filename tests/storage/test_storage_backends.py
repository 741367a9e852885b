"""The storage behaviour tests, run against BOTH backends: SQLite and PostgreSQL.

The PostgreSQL side runs against a real, throwaway PostgreSQL 15 server started
by ``tests/pg.py`` (one server per run, one fresh database per test); without
one those cases are skipped with the reason (and fail when ``CI`` is set).
SQLite-only behaviour (files, WAL, chmod) stays in ``test_storage.py``.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
import pytest_asyncio

from bot.config import Config, StorageSettings
from bot.storage import (
    FeedbackRecord,
    SQLiteStore,
    StorageError,
    Store,
    WriterClosedError,
)
from bot.storage import coordination as coord
from bot.storage.factory import describe_store, open_store
from bot.storage.postgres import LATEST_VERSION, PostgresStore, is_transient, safe_url
from tests import pg
from tests.storage.test_storage import NOW, fb, log_all, rec, writer_logs

pytestmark = pytest.mark.usefixtures("close_opened_stores")

postgres_server = pg.postgres_server


# -- the two backends ----------------------------------------------------------------------------


class Backend:
    """Opens stores on one fresh database and inspects it from the outside."""

    name = "?"

    async def open(self, **kwargs: Any) -> Store:
        raise NotImplementedError

    async def count(self, table: str = "missed", where: str = "TRUE") -> int:
        raise NotImplementedError

    def blocked(self) -> Any:
        """Context manager: writes to ``missed`` are impossible while it is active."""
        raise NotImplementedError


class SQLiteBackend(Backend):
    name = "sqlite"

    def __init__(self, path: Path) -> None:
        self.path = path

    async def open(self, **kwargs: Any) -> Store:
        return await SQLiteStore.open(self.path, **kwargs)

    async def count(self, table: str = "missed", where: str = "TRUE") -> int:
        with sqlite3.connect(self.path) as conn:
            sql = f"SELECT COUNT(*) FROM {table} WHERE {where.replace('TRUE', '1')}"
            return int(conn.execute(sql).fetchone()[0])

    @asynccontextmanager
    async def blocked(self) -> AsyncIterator[None]:
        blocker = sqlite3.connect(self.path, isolation_level=None, timeout=0)
        blocker.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()


class PostgresBackend(Backend):
    name = "postgres"

    def __init__(self, server: pg.PgServer, url: str) -> None:
        self.server = server
        self.url = url

    async def open(self, **kwargs: Any) -> Store:
        return await PostgresStore.open(self.url, **kwargs)

    async def count(self, table: str = "missed", where: str = "TRUE") -> int:
        conn = await asyncpg.connect(self.url)
        try:
            return int(await conn.fetchval(f"SELECT COUNT(*) FROM {table} WHERE {where}"))
        finally:
            await conn.close()

    @asynccontextmanager
    async def blocked(self) -> AsyncIterator[None]:
        conn = await asyncpg.connect(self.url)
        tx = conn.transaction()
        await tx.start()
        await conn.execute("LOCK TABLE missed IN ACCESS EXCLUSIVE MODE")
        try:
            yield
        finally:
            await tx.rollback()
            await conn.close()


@pytest_asyncio.fixture(params=["sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "postgres":
        server = pg.get_server()
        return PostgresBackend(server, pg.fresh_database(server))
    return SQLiteBackend(tmp_path / "data" / "bot.sqlite3")


@pytest_asyncio.fixture
async def pgb() -> PostgresBackend:
    server = pg.get_server()
    return PostgresBackend(server, pg.fresh_database(server))


@pytest_asyncio.fixture
async def store(backend: Backend) -> AsyncIterator[Store]:
    s = await backend.open(batch_delay=0.0)
    yield s
    await s.close()


# -- logging -------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_logging_is_idempotent_by_source_id(store: Store, backend: Backend) -> None:
    r = rec(source_id="message-1")
    await store.log_missed(r)
    await store.log_missed(r)  # same batch
    await store.writer.flush()
    await store.log_missed(r)  # later batch (a replayed gateway event)
    click = fb(helpful=True)
    await store.log_feedback(click)
    await store.log_feedback(click)
    await store.writer.flush()
    assert await backend.count() == 1
    assert await backend.count("feedback") == 1
    assert store.writer.pending == 0


@pytest.mark.asyncio
async def test_reopen_keeps_salt_and_rows(backend: Backend) -> None:
    s = await backend.open(batch_delay=0)
    first_hash = s.hash_user(42)
    await log_all(s, rec())
    await s.close()
    s = await backend.open(batch_delay=0)
    try:
        assert s.hash_user(42) == first_hash and len(first_hash) == 32
        assert len(await s.list_rows("g1")) == 1
    finally:
        await s.close()


@pytest.mark.asyncio
async def test_authors_are_hashed_by_default_and_raw_when_opted_in(backend: Backend) -> None:
    hashed = await backend.open(batch_delay=0)
    await log_all(hashed, rec(author=123456789, source_id="hashed"))
    await hashed.close()
    raw = await backend.open(store_raw_user_ids=True, batch_delay=0)
    await log_all(raw, rec(author=123456789, source_id="raw"))
    await raw.close()
    assert await backend.count(where="author = '123456789'") == 1
    assert await backend.count(where="length(author) = 32") == 1


@pytest.mark.asyncio
async def test_tricky_text_round_trips(store: Store, backend: Backend) -> None:
    texts = [
        "ünïcødé 😀 \u200b",
        "quote ' \" \\ ; -- DROP TABLE missed",
        "line\nbreak\ttab",
        "",
        "nul \x00 inside",
    ]
    for i, text in enumerate(texts):
        await store.log_missed(rec(text, guild=f"t{i}", normalised=text))
    await store.writer.flush(timeout=10)
    assert store.writer.failed == 0
    for i, text in enumerate(texts):
        if backend.name == "postgres":  # PostgreSQL text cannot hold NUL: kept as U+FFFD
            text = text.replace("\x00", "\ufffd")
        rows = await store.list_rows(f"t{i}")
        assert [(r.question, r.normalised) for r in rows] == [(text, text)]


# -- reading ---------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_grouping_counts_identical_questions_newest_first(store: Store) -> None:
    t0 = NOW - timedelta(hours=10)
    await log_all(
        store,
        rec("Leg cramp?", normalised="leg cramp", created_at=t0),
        rec("eye twitch", normalised="eye twitch", created_at=t0 + timedelta(hours=1)),
        rec("LEG CRAMP", normalised="leg cramp", created_at=t0 + timedelta(hours=2)),
        rec("leg cramp!!", normalised="leg cramp", created_at=t0 + timedelta(hours=3)),
    )
    groups, total = await store.list_groups("g1")
    assert total == 2
    assert [g.normalised for g in groups] == ["leg cramp", "eye twitch"]
    leg = groups[0]
    assert leg.count == 3 and leg.question == "leg cramp!!"
    assert leg.ids == sorted(leg.ids, reverse=True) and leg.latest_id == leg.ids[0]
    assert leg.first_at == t0 and leg.last_at == t0 + timedelta(hours=3)
    assert leg.status == "open" and leg.top_candidates == [("night-cramps", 0.4)]
    rows = await store.list_rows("g1")
    assert [r.question for r in rows] == ["leg cramp!!", "LEG CRAMP", "eye twitch", "Leg cramp?"]
    assert rows[0].created_at == t0 + timedelta(hours=3)


@pytest.mark.asyncio
async def test_pagination(store: Store) -> None:
    await log_all(
        store,
        *(rec(f"question {i}", created_at=NOW + timedelta(minutes=i)) for i in range(25)),
    )
    page1, total = await store.list_groups("g1", page=1, per_page=10)
    page3, _ = await store.list_groups("g1", page=3, per_page=10)
    page4, _ = await store.list_groups("g1", page=4, per_page=10)
    assert total == 25
    assert [g.question for g in page1] == [f"question {i}" for i in range(24, 14, -1)]
    assert [g.question for g in page3] == [f"question {i}" for i in range(4, -1, -1)]
    assert page4 == []
    with pytest.raises(ValueError):
        await store.list_groups("g1", page=0)
    with pytest.raises(ValueError):
        await store.list_groups("g1", status="weird")


@pytest.mark.asyncio
async def test_guild_isolation(store: Store) -> None:
    await log_all(store, rec("a question", guild="A"), rec("a question", guild="B"))
    (a_row,) = await store.list_rows("A")
    assert await store.get_missed("B", a_row.id) is None
    assert await store.resolve("B", a_row.id, "night-cramps", moderator_id=9) is None
    assert await store.dismiss("B", a_row.id, moderator_id=9) == 0
    assert (await store.get_missed("A", a_row.id)).status == "open"  # type: ignore[union-attr]
    # B's own identical question must not be touched by A's moderators either.
    (b_row,) = await store.list_rows("B")
    assert await store.dismiss("A", a_row.id, moderator_id=9) == 1
    assert (await store.get_missed("B", b_row.id)).status == "open"  # type: ignore[union-attr]
    assert await store.list_groups("C", status="all") == ([], 0)
    assert await store.list_rows("C", status="all") == []
    stats = await store.stats("C")
    assert sum(stats.by_status.values()) == 0 and stats.top_open == []
    assert (await store.stats("B")).by_status["open"] == 1
    await store.resolve("B", b_row.id, "night-cramps", moderator_id=9)
    assert await store.learned("A") == []
    assert await store.get_missed("A", 999_999) is None


@pytest.mark.asyncio
async def test_resolve_marks_open_siblings_and_learns_phrasing(store: Store) -> None:
    await log_all(
        store,
        rec("Night cramps?", normalised="night cramps", created_at=NOW),
        rec("night cramps", normalised="night cramps", created_at=NOW + timedelta(minutes=1)),
        rec("something else", created_at=NOW),
    )
    groups, _ = await store.list_groups("g1")
    target = next(g for g in groups if g.normalised == "night cramps")
    learned = await store.resolve(
        "g1", target.ids[-1], "night-cramps", moderator_id=77, note="covered"
    )
    assert learned is not None
    assert learned.guild_id == "g1" and learned.normalised == "night cramps"
    assert learned.phrasing == "Night cramps?" and learned.entry_id == "night-cramps"
    for missed_id in target.ids:
        row = await store.get_missed("g1", missed_id)
        assert row is not None and row.status == "resolved" and row.action == "resolved"
        assert row.entry_id == "night-cramps" and row.note == "covered"
        assert row.changed_by == store.hash_user(77) and row.changed_at is not None
    open_groups, total = await store.list_groups("g1")
    assert total == 1 and open_groups[0].normalised == "something else"
    resolved, _ = await store.list_groups("g1", status="resolved")
    assert resolved[0].count == 2
    # Idempotent: resolving again keeps one learned phrasing (latest entry wins).
    again = await store.resolve("g1", target.ids[0], "other-entry", moderator_id=77)
    assert again is not None and again.id == learned.id and again.entry_id == "other-entry"
    assert [p.id for p in await store.learned("g1")] == [learned.id]
    assert [p.id for p in await store.learned()] == [learned.id]


@pytest.mark.asyncio
async def test_dismiss_marks_open_siblings(store: Store) -> None:
    await log_all(store, rec("spam"), rec("spam"), rec("keep me"))
    rows = await store.list_rows("g1")
    spam = [r for r in rows if r.question == "spam"]
    assert await store.dismiss("g1", spam[0].id, moderator_id=1, reason="off-topic") == 2
    row = await store.get_missed("g1", spam[1].id)
    assert row is not None and row.status == "dismissed" and row.note == "off-topic"
    assert [r.question for r in await store.list_rows("g1")] == ["keep me"]
    assert await store.learned("g1") == []
    assert await store.dismiss("g1", 999_999, moderator_id=1) == 0


@pytest.mark.asyncio
async def test_stats(store: Store) -> None:
    now = NOW - timedelta(days=1, hours=3)  # Thursday 2026-11-19 09:00 UTC, in 2026-W47
    await log_all(
        store,
        rec("hot", created_at=now),
        rec("hot", created_at=now - timedelta(days=1)),
        rec("cold", created_at=now - timedelta(days=7)),
        rec("old", created_at=now - timedelta(weeks=20)),
        rec("other guild", guild="g2", created_at=now),
    )
    (cold,) = [r for r in await store.list_rows("g1") if r.question == "cold"]
    await store.dismiss("g1", cold.id, moderator_id=1)
    for helpful in (True, True, False):
        await store.log_feedback(fb(helpful=helpful))
    await store.log_feedback(fb(helpful=True, guild="g2"))
    await store.writer.flush()
    stats = await store.stats("g1", now=now)
    assert stats.by_status == {"open": 3, "resolved": 0, "dismissed": 1}
    assert len(stats.by_week) == 8
    assert stats.by_week[0] == ("2026-W47", 2) and stats.by_week[1] == ("2026-W46", 1)
    assert sum(n for _, n in stats.by_week) == 3  # the 20-week-old row is outside the window
    assert [(g.question, g.count) for g in stats.top_open] == [("hot", 2), ("old", 1)]
    assert (stats.feedback_helpful, stats.feedback_not_helpful) == (2, 1)


# -- privacy and retention -------------------------------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.parametrize("raw", [False, True])
async def test_forget_user_deletes_only_that_members_rows_everywhere(
    backend: Backend, raw: bool
) -> None:
    s = await backend.open(store_raw_user_ids=raw, batch_delay=0)
    try:
        await log_all(s, rec(guild="A", author=1), rec(guild="B", author=1), rec(author=2))
        await s.log_feedback(fb(helpful=False, guild="dm", author=1))
        await s.log_feedback(fb(helpful=True, author=2))
        (row,) = await s.list_rows("A")
        await s.resolve("A", row.id, "entry", moderator_id=1)
        await s.log_missed(rec(guild="dm", author=1))  # still queued when forget runs
        assert await s.forget_user(1) == 4
        assert await backend.count() == 1 and await backend.count("feedback") == 1
        assert await backend.count("learned", "added_by IS NULL") == 1
        assert await s.forget_user(1) == 0
        assert len(await s.list_rows("g1")) == 1
    finally:
        await s.close()


@pytest.mark.asyncio
async def test_purge_by_age_keeps_learned(store: Store, backend: Backend) -> None:
    await log_all(
        store,
        rec("old", created_at=NOW - timedelta(days=31)),
        rec("new", created_at=NOW - timedelta(days=29)),
    )
    await store.log_feedback(
        FeedbackRecord("f-old", "g1", "c", "m", 1, "e", True, created_at=NOW - timedelta(days=40))
    )
    await store.log_feedback(FeedbackRecord("f-new", "g1", "c", "m", 1, "e", True, created_at=NOW))
    await store.writer.flush()
    (old,) = [r for r in await store.list_rows("g1") if r.question == "old"]
    await store.resolve("g1", old.id, "entry", moderator_id=1)
    assert await store.purge(30, now=NOW) == 2
    assert [r.question for r in await store.list_rows("g1", status="all")] == ["new"]
    assert await backend.count("feedback") == 1
    assert [p.phrasing for p in await store.learned("g1")] == ["old"]


# -- the writer ------------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_writer_burst_commits_every_row_exactly_once(backend: Backend) -> None:
    s = await backend.open(queue_size=500, batch_size=100, batch_delay=0.05)
    try:
        records = [rec(f"burst {i}", source_id=f"burst-{i}") for i in range(5000)]
        await asyncio.gather(*(s.log_missed(r) for r in records))
        await s.writer.flush(timeout=30)
        assert s.writer.pending == 0
        assert await backend.count() == 5000
        assert await backend.count(where="source_id LIKE 'burst-%'") == 5000
        distinct = "id IN (SELECT MIN(id) FROM missed GROUP BY source_id)"
        assert await backend.count(where=distinct) == 5000  # each source_id once
    finally:
        assert await s.close() == 0


@pytest.mark.asyncio
async def test_close_flushes_pending_rows(backend: Backend) -> None:
    s = await backend.open(batch_size=1000, batch_delay=5.0)
    for i in range(40):
        await s.log_missed(rec(source_id=f"close-{i}"))
    assert s.writer.pending == 40
    loop = asyncio.get_running_loop()
    started = loop.time()
    assert await s.close(timeout=5) == 0
    assert loop.time() - started < 2  # did not sit out the batch delay
    assert await backend.count() == 40
    with pytest.raises(WriterClosedError):
        await s.writer.submit(rec())


@pytest.mark.asyncio
async def test_locked_table_for_a_while_then_back_loses_nothing(
    store: Store, backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.storage.writer")
    async with backend.blocked():
        for i in range(150):
            await store.log_missed(rec(f"during lock {i}", source_id=f"lock-{i}"))
        await asyncio.sleep(0.5)
        for i in range(150, 300):  # newer rows keep queueing during the outage
            await store.log_missed(rec(f"during lock {i}", source_id=f"lock-{i}"))
        await asyncio.sleep(1.5)  # longer than PostgreSQL's writer lock_timeout
        assert store.writer.pending == 300
    await store.writer.flush(timeout=10)
    assert await backend.count() == 300
    assert await backend.count(where="source_id LIKE 'lock-%'") == 300
    assert len(writer_logs(caplog, logging.WARNING)) == 1
    assert len(writer_logs(caplog, logging.INFO)) == 1


@pytest.mark.asyncio
async def test_close_reports_rows_it_could_not_write(
    backend: Backend, caplog: pytest.LogCaptureFixture
) -> None:
    s = await backend.open(batch_delay=0)
    async with backend.blocked():
        for i in range(7):
            await s.log_missed(rec(source_id=f"stuck-{i}"))
        assert await s.close(timeout=0.5) == 7
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert any("7 rows not written" in m and "stuck-6" in m for m in errors)
    assert await backend.count() == 0


@pytest.mark.asyncio
async def test_a_row_the_database_rejects_does_not_take_its_batch_with_it(
    store: Store, backend: Backend
) -> None:
    bad = rec(source_id="bad", created_at=NOW)
    object.__setattr__(bad, "reason", "invalid")  # bypass validation: CHECK constraint fails
    await store.writer.submit(rec(source_id="good-1"))
    await store.writer.submit(bad)
    await store.writer.submit(rec(source_id="good-2"))
    await store.writer.flush(timeout=10)
    assert await backend.count() == 2 and store.writer.failed == 1 and store.writer.pending == 0


# -- coordination (no-ops on SQLite) ---------------------------------------------------------------


@pytest.mark.asyncio
async def test_notify_reaches_every_listening_store(backend: Backend) -> None:
    a = await backend.open(batch_delay=0)
    b = await backend.open(batch_delay=0)
    try:
        got_a: list[str] = []
        got_b: list[str] = []
        seen = asyncio.Event()

        async def on_b(payload: str) -> None:  # coroutine callbacks work too
            got_b.append(payload)
            seen.set()

        stop_a = await coord.listen(a, "faq_reload", got_a.append)
        stop_b = await coord.listen(b, "faq_reload", on_b)
        await coord.notify(a, "faq_reload", '{"by": "a"}')
        if backend.name == "sqlite":
            await asyncio.sleep(0.1)
            assert (got_a, got_b) == ([], [])  # one process: nothing to tell
        else:
            await asyncio.wait_for(seen.wait(), 5)
            await asyncio.sleep(0.05)
            assert got_b == ['{"by": "a"}'] and got_a == ['{"by": "a"}']
            await stop_b()
            await coord.notify(b, "faq_reload", "second")
            await coord.notify(b, "other_channel", "not for us")
            await asyncio.sleep(0.2)
            assert got_b == ['{"by": "a"}'] and got_a == ['{"by": "a"}', "second"]
        await stop_a()
    finally:
        await a.close()
        await b.close()


@pytest.mark.asyncio
async def test_advisory_lock_is_held_by_one_store_only(backend: Backend) -> None:
    a = await backend.open(batch_delay=0)
    b = await backend.open(batch_delay=0)
    try:
        assert await coord.try_advisory_lock(a, "daily-purge") is True
        if backend.name == "sqlite":
            assert await coord.try_advisory_lock(b, "daily-purge") is True  # one process
            return
        assert await coord.try_advisory_lock(b, "daily-purge") is False
        assert await coord.try_advisory_lock(a, "daily-purge") is True  # still the holder
        assert await coord.try_advisory_lock(b, "another-job") is True  # keys are independent
        await coord.release_advisory_lock(a, "daily-purge")
        assert await coord.try_advisory_lock(b, "daily-purge") is True
        assert await coord.try_advisory_lock(a, "daily-purge") is False
        await b.close()  # closing (or a crashed process) gives the lock up
        assert await coord.try_advisory_lock(a, "daily-purge") is True
    finally:
        await a.close()
        await b.close()


# -- PostgreSQL only -------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_server_down_for_a_while_then_back_loses_nothing(
    pgb: PostgresBackend, caplog: pytest.LogCaptureFixture
) -> None:
    """``pg_ctl stop -m fast`` (every connection dropped) for ~1 s, then start again."""
    caplog.set_level(logging.INFO, logger="bot.storage")
    a = await pgb.open(batch_delay=0)
    b = await pgb.open(batch_delay=0)
    got: list[str] = []
    try:
        await coord.listen(b, "faq_reload", got.append)
        await log_all(a, rec("before", source_id="before"))
        await asyncio.to_thread(pgb.server.stop)
        try:
            for i in range(100):
                await a.log_missed(rec(f"down {i}", source_id=f"down-{i}"))
            await a.log_feedback(fb(helpful=True))
            await asyncio.sleep(1.0)
            assert a.writer.pending == 101
            with pytest.raises(StorageError, match="try again"):
                await a.list_rows("g1")
        finally:
            await asyncio.to_thread(pgb.server.start)
        await a.writer.flush(timeout=15)
        assert await pgb.count() == 101 and await pgb.count("feedback") == 1
        assert len(await b.list_rows("g1")) == 101  # the pool replaced its dead connections
        assert len(writer_logs(caplog, logging.WARNING)) == 1
        # The LISTEN connection came back by itself.
        for _ in range(50):
            await coord.notify(a, "faq_reload", "after restart")
            await asyncio.sleep(0.1)
            if got:
                break
        assert got and got[0] == "after restart"
    finally:
        if not pgb.server.running:
            pgb.server.start()
        assert await a.close() == 0
        await b.close()


@pytest.mark.asyncio
async def test_two_processes_starting_at_once_migrate_once(pgb: PostgresBackend) -> None:
    stores = await asyncio.gather(*(pgb.open(batch_delay=0) for _ in range(4)))
    try:
        assert len({s.hash_user(7) for s in stores}) == 1  # one shared salt
        assert await pgb.count("schema_version") == LATEST_VERSION
        assert await pgb.count("meta", "key = 'salt'") == 1
        await log_all(stores[0], rec(source_id="x"))
        await log_all(stores[1], rec(source_id="x"))
        assert await pgb.count() == 1
    finally:
        for s in stores:
            await s.close()


@pytest.mark.asyncio
async def test_newer_schema_is_refused_and_left_alone(pgb: PostgresBackend) -> None:
    s = await pgb.open()
    await s.close()
    conn = await asyncpg.connect(pgb.url)
    try:
        await conn.execute(
            "INSERT INTO schema_version (version, name) VALUES ($1, 'future')", LATEST_VERSION + 7
        )
    finally:
        await conn.close()
    for readonly in (False, True):
        with pytest.raises(StorageError) as info:
            await pgb.open(readonly=readonly)
        message = str(info.value)
        assert "newer" in message and "Upgrade the bot" in message and "127.0.0.1" in message
    assert await pgb.count("schema_version") == LATEST_VERSION + 1


@pytest.mark.asyncio
async def test_other_programs_tables_are_refused(pgb: PostgresBackend) -> None:
    conn = await asyncpg.connect(pgb.url)
    try:
        await conn.execute("CREATE TABLE missed (x INTEGER)")
    finally:
        await conn.close()
    with pytest.raises(StorageError, match="another program"):
        await pgb.open()
    assert await pgb.count(where="TRUE") == 0
    conn = await asyncpg.connect(pgb.url)
    try:
        assert await conn.fetchval("SELECT to_regclass('schema_version')") is None
    finally:
        await conn.close()


@pytest.mark.asyncio
async def test_readonly_store_reads_and_never_writes(pgb: PostgresBackend) -> None:
    with pytest.raises(StorageError, match="Start the bot once"):
        await pgb.open(readonly=True)
    rw = await pgb.open(batch_delay=0)
    ro = await pgb.open(readonly=True)
    try:
        await log_all(rw, rec("cramp one"), rec("cramp two"))
        groups, total = await ro.list_groups("g1")
        assert total == 2 and ro.hash_user(5) == rw.hash_user(5)
        with pytest.raises(StorageError):
            _ = ro.writer
        with pytest.raises(StorageError):
            await ro.dismiss("g1", groups[0].latest_id, moderator_id=1)
        with pytest.raises(StorageError):
            await ro.purge(0)
    finally:
        await ro.close()
        await rw.close()
    assert await pgb.count() == 2


@pytest.mark.asyncio
async def test_unreachable_server_is_a_clear_storage_error() -> None:
    url = "postgresql://nobody:secret@127.0.0.1:1/nothing"
    with pytest.raises(StorageError) as info:
        await PostgresStore.open(url, connect_timeout=2)
    message = str(info.value)
    assert "cannot connect" in message and "secret" not in message and "[storage] url" in message


def test_transient_classification() -> None:
    assert is_transient(ConnectionRefusedError())
    assert is_transient(ConnectionResetError())
    assert is_transient(asyncpg.exceptions.CannotConnectNowError("starting up"))
    assert is_transient(asyncpg.exceptions.TooManyConnectionsError("too many"))
    assert is_transient(asyncpg.exceptions.AdminShutdownError("shutdown"))
    assert is_transient(asyncpg.exceptions.SerializationError("serialize"))
    assert is_transient(asyncpg.exceptions.LockNotAvailableError("lock timeout"))
    assert is_transient(asyncpg.exceptions.ConnectionDoesNotExistError("gone"))
    assert not is_transient(asyncpg.exceptions.CheckViolationError("bad row"))
    assert not is_transient(asyncpg.exceptions.UniqueViolationError("dup"))
    assert not is_transient(ValueError("x"))
    assert safe_url("postgresql://u:pw@h:5/db") == "postgresql://u:***@h:5/db"
    assert safe_url("postgresql://u@h/db") == "postgresql://u@h/db"


# -- the factory -----------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_open_store_picks_the_backend_from_config(backend: Backend, tmp_path: Path) -> None:
    if isinstance(backend, PostgresBackend):
        settings = StorageSettings(
            url=backend.url, database_path=tmp_path / "unused.sqlite3", queue_size=123
        )
    else:
        assert isinstance(backend, SQLiteBackend)
        settings = StorageSettings(database_path=backend.path, queue_size=123)
    config = Config(storage=settings)
    s = await open_store(config)
    try:
        expected = PostgresStore if backend.name == "postgres" else SQLiteStore
        assert type(s) is expected
        await log_all(s, rec())
        ro = await open_store(config, readonly=True)
        try:
            assert len(await ro.list_rows("g1")) == 1
            with pytest.raises(StorageError):
                _ = ro.writer
        finally:
            await ro.close()
    finally:
        await s.close()
    assert not (tmp_path / "unused.sqlite3").exists()
    assert "secret" not in describe_store(
        Config(storage=StorageSettings(url="postgresql://u:secret@h/db"))
    )


# -- kind: "missed" vs "language" (migration 0002) ----------------------------------------------


@pytest.mark.asyncio
async def test_kind_is_stored_and_filters_rows_and_groups(store: Store, backend: Backend) -> None:
    import dataclasses

    plain = rec("tell me about elbow stuff")
    spanish = dataclasses.replace(
        rec("tengo calambres en las piernas"), kind="language", language="es"
    )
    await log_all(store, plain, spanish)
    every = await store.list_rows("g1", "all")
    assert {(r.question, r.kind, r.language) for r in every} == {
        ("tell me about elbow stuff", "missed", None),
        ("tengo calambres en las piernas", "language", "es"),
    }
    only = await store.list_rows("g1", "all", "language")
    assert [r.question for r in only] == ["tengo calambres en las piernas"]
    groups, total = await store.list_groups("g1", "open", kind="missed")
    assert total == 1 and [g.question for g in groups] == ["tell me about elbow stuff"]
    groups, total = await store.list_groups("g1", "open")
    assert total == 2 and {g.kind for g in groups} == {"missed", "language"}
    with pytest.raises(ValueError):
        await store.list_groups("g1", "open", kind="spam")


def test_kind_must_be_known() -> None:
    import dataclasses

    with pytest.raises(ValueError):
        dataclasses.replace(rec(), kind="other")
