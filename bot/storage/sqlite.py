"""SQLite implementation of ``Store``.

Design, and why:

* Two connections. The bot reads (and applies moderator actions) on the main
  connection; the background ``Writer`` owns a second one. WAL mode lets the
  reader see every committed batch without waiting for the writer.
* The file is checked read-only before it is opened for writing, so a corrupt
  or too-new database is reported and left exactly as it was.
* Author ids are stored as a salted HMAC unless raw ids are opted in; the salt
  is random per database (``meta`` table), so hashes cannot be compared across
  deployments. ``forget_user`` matches both forms.
* Query SQL lives here; schema SQL lives in ``migrations/sqlite``.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import logging
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import aiosqlite

from . import migrate
from .base import Record
from .errors import StorageError
from .models import (
    STATUSES,
    FeedbackRecord,
    LearnedPhrasing,
    MissedGroup,
    MissedRecord,
    MissedRow,
    Stats,
)
from .timeutil import format_ts, parse_ts, utcnow
from .writer import Writer

__all__ = ["SQLiteStore", "is_transient", "open_readonly"]

log = logging.getLogger(__name__)

#: Primary SQLite result codes that mean "try again later", not "bad row":
#: BUSY, LOCKED, READONLY, IOERR, FULL, CANTOPEN, PROTOCOL.
_TRANSIENT_CODES = frozenset({5, 6, 8, 10, 13, 14, 15})
#: Codes after which the writer's connection is reopened (the old one may stay read-only/broken).
_RECONNECT_CODES = frozenset({8, 10, 14})
_TRANSIENT_TEXT = (
    "database is locked",
    "database table is locked",
    "readonly database",
    "database or disk is full",
    "disk i/o error",
    "unable to open database",
)
_BUSY_MS_MAIN = 5000
_BUSY_MS_WRITER = 200  # the writer retries on its own, with backoff

_INSERT_MISSED = """
INSERT INTO missed (guild_id, channel_id, source_id, author, question, normalised,
                    candidates, reason, shown_entry_id, created_at, status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')
ON CONFLICT (source_id) DO NOTHING
"""
_INSERT_FEEDBACK = """
INSERT INTO feedback (guild_id, channel_id, source_id, message_id, author, entry_id,
                      helpful, question, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source_id) DO NOTHING
"""
_MISSED_COLUMNS = (
    "id, guild_id, channel_id, question, normalised, candidates, reason, shown_entry_id, "
    "created_at, status, changed_by, changed_at, action, note, entry_id"
)
_LEARNED_COLUMNS = "id, guild_id, phrasing, normalised, entry_id, created_at"


def _error_code(exc: BaseException) -> int | None:
    code = getattr(exc, "sqlite_errorcode", None)
    return code & 0xFF if isinstance(code, int) else None


def is_transient(exc: BaseException) -> bool:
    """True for SQLite errors that go away by themselves (locked, read-only, full, I/O)."""
    if not isinstance(exc, sqlite3.OperationalError | sqlite3.DatabaseError):
        return False
    code = _error_code(exc)
    if code is not None and code in _TRANSIENT_CODES:
        return True
    text = str(exc).lower()
    return any(fragment in text for fragment in _TRANSIENT_TEXT)


def _describe(row: Record) -> str:
    """Identify a row in logs without its text (questions may be personal)."""
    return f"{type(row).__name__}(source_id={row.source_id!r}, guild_id={row.guild_id!r})"


def _stamp(row: Record) -> Record:
    """Fix ``created_at`` at submit time, not at (possibly delayed) write time."""
    return row if row.created_at is not None else replace(row, created_at=utcnow())


def _check_status(status: str, *, allow_all: bool) -> None:
    allowed = (*STATUSES, "all") if allow_all else STATUSES
    if status not in allowed:
        raise ValueError(f"status must be one of {allowed}, not {status!r}")


def _status_clause(status: str) -> tuple[str, tuple[str, ...]]:
    _check_status(status, allow_all=True)
    return ("", ()) if status == "all" else (" AND status = ?", (status,))


def _candidates(text: str) -> list[tuple[str, float]]:
    try:
        data = json.loads(text)
    except ValueError:
        return []
    if not isinstance(data, list):
        return []
    out: list[tuple[str, float]] = []
    for item in data:
        if isinstance(item, list) and len(item) == 2:
            out.append((str(item[0]), float(item[1])))
    return out


def _opt_ts(text: str | None) -> datetime | None:
    return parse_ts(text) if text is not None else None


def _missed_row(row: sqlite3.Row | tuple[Any, ...]) -> MissedRow:
    return MissedRow(
        id=int(row[0]),
        guild_id=row[1],
        channel_id=row[2],
        question=row[3],
        normalised=row[4],
        candidates=_candidates(row[5]),
        reason=row[6],
        shown_entry_id=row[7],
        created_at=parse_ts(row[8]),
        status=row[9],
        changed_by=row[10],
        changed_at=_opt_ts(row[11]),
        action=row[12],
        note=row[13],
        entry_id=row[14],
    )


def _learned_row(row: sqlite3.Row | tuple[Any, ...]) -> LearnedPhrasing:
    return LearnedPhrasing(
        id=int(row[0]),
        guild_id=row[1],
        phrasing=row[2],
        normalised=row[3],
        entry_id=row[4],
        created_at=parse_ts(row[5]),
    )


def _uri(path: Path, *, readonly: bool) -> str:
    """``file:`` URI (percent-encoded, so any file name works)."""
    return path.resolve().as_uri() + ("?mode=ro" if readonly else "")


async def _connect(path: Path, *, readonly: bool, busy_ms: int) -> aiosqlite.Connection:
    uri = await asyncio.to_thread(_uri, path, readonly=readonly)
    db = await aiosqlite.connect(uri, uri=True, isolation_level=None)
    try:
        await db.execute(f"PRAGMA busy_timeout = {busy_ms:d}")
        if not readonly:
            await db.execute("PRAGMA foreign_keys = ON")
            async with db.execute("PRAGMA journal_mode = WAL") as cursor:
                mode = await cursor.fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                log.warning("%s: could not switch to WAL mode (got %r)", path, mode)
            await db.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        await db.close()
        raise
    return db


class SQLiteStore:
    """``Store`` backed by one SQLite file (see the module docstring)."""

    def __init__(
        self,
        path: Path,
        db: aiosqlite.Connection,
        salt: str | None,
        *,
        store_raw_user_ids: bool,
        readonly: bool,
        temp_dir: Path | None = None,
    ) -> None:
        """Use ``SQLiteStore.open`` instead; this only wires parts together."""
        self.path = path
        self.readonly = readonly
        self.store_raw_user_ids = store_raw_user_ids
        self._db = db
        self._salt = bytes.fromhex(salt) if salt else None
        self._lock = asyncio.Lock()
        self._wdb: aiosqlite.Connection | None = None
        self._writer: Writer[Record] | None = None
        self._temp_dir = temp_dir
        self._closed = False

    # -- opening and closing ----------------------------------------------------
    @classmethod
    async def open(
        cls,
        path: Path | str,
        *,
        store_raw_user_ids: bool = False,
        queue_size: int = 10_000,
        batch_size: int = 100,
        batch_delay: float = 0.05,
        readonly: bool = False,
    ) -> SQLiteStore:
        """Check, migrate and open the database; start the writer.

        ``":memory:"`` gives a throw-away database in a temporary folder that
        is deleted on ``close`` (two connections cannot share a real in-memory
        database). ``readonly=True`` never migrates or writes (for the CLI
        while the bot runs); its ``writer`` raises ``StorageError``.
        """
        temp_dir: Path | None = None
        if str(path) == ":memory:":
            if readonly:
                raise StorageError(":memory: cannot be opened read-only: it starts empty")
            temp_dir = Path(tempfile.mkdtemp(prefix="faqbot-storage-"))
            path = temp_dir / "memory.sqlite3"
        path = await asyncio.to_thread(lambda: Path(path).expanduser())
        try:
            if readonly:
                store = await cls._open_readonly(path, store_raw_user_ids)
            else:
                store = await cls._open_writable(path, store_raw_user_ids, temp_dir)
                store._start_writer(queue_size, batch_size, batch_delay)
        except BaseException:
            if temp_dir is not None:
                shutil.rmtree(temp_dir, ignore_errors=True)
            raise
        return store

    @classmethod
    async def _open_readonly(cls, path: Path, raw_ids: bool) -> SQLiteStore:
        version = await asyncio.to_thread(migrate.precheck, path)
        if version is None:
            raise StorageError(
                f"{path}: no database here yet. Start the bot once to create it, "
                "or check the database path in the configuration."
            )
        if version < migrate.LATEST_VERSION:
            raise StorageError(
                f"{path}: database schema version {version} is older than this code "
                f"({migrate.LATEST_VERSION}) and a read-only open cannot upgrade it. "
                "Start the bot (which migrates on start-up) and try again."
            )
        db = await _connect(path, readonly=True, busy_ms=_BUSY_MS_MAIN)
        try:
            salt = await cls._read_salt(db)
        except BaseException:
            await db.close()
            raise
        return cls(path, db, salt, store_raw_user_ids=raw_ids, readonly=True)

    @classmethod
    async def _open_writable(cls, path: Path, raw_ids: bool, temp_dir: Path | None) -> SQLiteStore:
        await asyncio.to_thread(migrate.precheck, path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(
                f"{path}: cannot create its folder ({exc}). Check the path and permissions."
            ) from exc
        try:
            db = await _connect(path, readonly=False, busy_ms=_BUSY_MS_MAIN)
        except sqlite3.Error as exc:
            raise StorageError(
                f"{path}: cannot open the database for writing ({exc}). "
                "Check that the file and its folder are writable."
            ) from exc
        try:
            await migrate.apply(db, path)
            salt = await cls._read_salt(db)
            if salt is None:
                await db.execute(
                    "INSERT INTO meta (key, value) VALUES ('salt', ?) ON CONFLICT (key) DO NOTHING",
                    (secrets.token_hex(32),),
                )
                salt = await cls._read_salt(db)
        except sqlite3.Error as exc:
            await db.close()
            raise StorageError(f"{path}: cannot prepare the database ({exc}).") from exc
        except BaseException:
            await db.close()
            raise
        store = cls(path, db, salt, store_raw_user_ids=raw_ids, readonly=False, temp_dir=temp_dir)
        try:
            store._wdb = await _connect(path, readonly=False, busy_ms=_BUSY_MS_WRITER)
        except BaseException:
            await db.close()
            raise
        return store

    @staticmethod
    async def _read_salt(db: aiosqlite.Connection) -> str | None:
        async with db.execute("SELECT value FROM meta WHERE key = 'salt'") as cursor:
            row = await cursor.fetchone()
        return str(row[0]) if row is not None else None

    def _start_writer(self, queue_size: int, batch_size: int, batch_delay: float) -> None:
        self._writer = Writer(
            self._write_batch,
            is_transient=is_transient,
            queue_size=queue_size,
            batch_size=batch_size,
            batch_delay=batch_delay,
            prepare=_stamp,
            describe=_describe,
        )
        self._writer.start()

    async def close(self, timeout: float = 10.0) -> int:  # noqa: ASYNC109 - part of the API
        """Flush the writer (retrying up to ``timeout``), then close; rows not written."""
        if self._closed:
            return 0
        self._closed = True
        unwritten = 0
        if self._writer is not None:
            unwritten = await self._writer.close(timeout)
        if self._wdb is not None:
            await self._wdb.close()
            self._wdb = None
        await self._db.close()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)
        return unwritten

    # -- writer side --------------------------------------------------------------
    @property
    def writer(self) -> Writer[Record]:
        """The background writer; a read-only store has none."""
        if self._writer is None:
            raise StorageError(f"{self.path}: opened read-only; logging is not possible")
        return self._writer

    def hash_user(self, user_id: int | str) -> str:
        """HMAC-SHA256 of the id with this database's salt, first 32 hex digits."""
        if self._salt is None:
            raise StorageError(f"{self.path}: the database has no salt yet; open it writable once")
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

    def _author(self, user_id: int | str) -> str:
        return str(user_id) if self.store_raw_user_ids else self.hash_user(user_id)

    async def log_missed(self, rec: MissedRecord) -> None:
        """Queue an unanswered question; waits only for queue space."""
        await self.writer.submit(rec)

    async def log_feedback(self, rec: FeedbackRecord) -> None:
        """Queue a feedback click; waits only for queue space."""
        await self.writer.submit(rec)

    def _missed_params(self, rec: MissedRecord) -> tuple[Any, ...]:
        candidates = json.dumps([[str(e), float(s)] for e, s in rec.candidates])
        return (
            rec.guild_id,
            rec.channel_id,
            rec.source_id,
            self._author(rec.author_id),
            rec.question,
            rec.normalised,
            candidates,
            rec.reason,
            rec.shown_entry_id,
            format_ts(rec.created_at or utcnow()),
        )

    def _feedback_params(self, rec: FeedbackRecord) -> tuple[Any, ...]:
        return (
            rec.guild_id,
            rec.channel_id,
            rec.source_id,
            rec.message_id,
            self._author(rec.author_id),
            rec.entry_id,
            1 if rec.helpful else 0,
            rec.question,
            format_ts(rec.created_at or utcnow()),
        )

    async def _write_batch(self, rows: Sequence[Record]) -> None:
        """One transaction per batch; idempotent thanks to ``ON CONFLICT DO NOTHING``."""
        missed = [self._missed_params(r) for r in rows if isinstance(r, MissedRecord)]
        feedback = [self._feedback_params(r) for r in rows if isinstance(r, FeedbackRecord)]
        if self._wdb is None:
            self._wdb = await _connect(self.path, readonly=False, busy_ms=_BUSY_MS_WRITER)
        db = self._wdb
        try:
            await db.execute("BEGIN IMMEDIATE")
            if missed:
                await db.executemany(_INSERT_MISSED, missed)
            if feedback:
                await db.executemany(_INSERT_FEEDBACK, feedback)
            await db.execute("COMMIT")
        except BaseException as exc:
            await self._after_write_error(db, exc)
            raise

    async def _after_write_error(self, db: aiosqlite.Connection, exc: BaseException) -> None:
        try:
            if db.in_transaction:
                await db.execute("ROLLBACK")
        except sqlite3.Error:
            pass
        if _error_code(exc) in _RECONNECT_CODES:
            # A connection that hit a read-only or I/O error may stay in that
            # state even after the cause is fixed; open a fresh one next time.
            self._wdb = None
            with suppress(sqlite3.Error):
                await db.close()

    # -- main connection helpers ------------------------------------------------
    async def _fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        async with self._lock:
            try:
                async with self._db.execute(sql, tuple(params)) as cursor:
                    rows = await cursor.fetchall()
            except sqlite3.Error as exc:
                raise StorageError(f"{self.path}: read failed ({exc}); try again") from exc
        return [tuple(row) for row in rows]

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        if self.readonly:
            raise StorageError(f"{self.path}: opened read-only; changes are not possible")
        async with self._lock:
            try:
                await self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield self._db
                except BaseException:
                    await self._db.execute("ROLLBACK")
                    raise
                await self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                if self._db.in_transaction:
                    await self._db.execute("ROLLBACK")
                raise StorageError(
                    f"{self.path}: change failed ({exc}); nothing was changed, try again"
                ) from exc

    # -- reads ---------------------------------------------------------------------
    async def get_missed(self, guild_id: str, missed_id: int) -> MissedRow | None:
        """One row of this guild, or None (also for another guild's id)."""
        rows = await self._fetchall(
            f"SELECT {_MISSED_COLUMNS} FROM missed WHERE id = ? AND guild_id = ?",
            (int(missed_id), guild_id),
        )
        return _missed_row(rows[0]) if rows else None

    async def list_rows(self, guild_id: str, status: str = "open") -> list[MissedRow]:
        """Every row of the guild with ``status`` ("all" for any), newest first."""
        clause, params = _status_clause(status)
        rows = await self._fetchall(
            f"SELECT {_MISSED_COLUMNS} FROM missed WHERE guild_id = ?{clause} "
            "ORDER BY created_at DESC, id DESC",
            (guild_id, *params),
        )
        return [_missed_row(row) for row in rows]

    async def list_groups(
        self, guild_id: str, status: str = "open", *, page: int = 1, per_page: int = 10
    ) -> tuple[list[MissedGroup], int]:
        """A page of identical questions grouped with a count, newest group first.

        With ``status="all"`` a question that is open and also resolved shows
        as two groups, so each group has one status.
        """
        if page < 1 or not 1 <= per_page <= 100:
            raise ValueError("page must be >= 1 and per_page between 1 and 100")
        clause, params = _status_clause(status)
        total_rows = await self._fetchall(
            "SELECT COUNT(*) FROM (SELECT 1 FROM missed WHERE guild_id = ?"
            f"{clause} GROUP BY normalised, status)",
            (guild_id, *params),
        )
        total = int(total_rows[0][0])
        groups = await self._groups(
            guild_id,
            status,
            order="MAX(created_at) DESC, MAX(id) DESC",
            limit=per_page,
            offset=(page - 1) * per_page,
        )
        return groups, total

    async def _groups(
        self, guild_id: str, status: str, *, order: str, limit: int, offset: int = 0
    ) -> list[MissedGroup]:
        clause, params = _status_clause(status)
        keys = await self._fetchall(
            "SELECT normalised, status, COUNT(*), MIN(created_at), MAX(created_at) "
            f"FROM missed WHERE guild_id = ?{clause} GROUP BY normalised, status "
            f"ORDER BY {order} LIMIT ? OFFSET ?",
            (guild_id, *params, limit, offset),
        )
        if not keys:
            return []
        wanted = {(k[0], k[1]) for k in keys}
        marks = ", ".join("?" for _ in wanted)
        members = await self._fetchall(
            "SELECT id, normalised, status, question, candidates FROM missed "
            f"WHERE guild_id = ?{clause} AND normalised IN ({marks}) "
            "ORDER BY created_at DESC, id DESC",
            (guild_id, *params, *{k[0] for k in wanted}),
        )
        by_key: dict[tuple[str, str], list[tuple[Any, ...]]] = {}
        for member in members:
            key = (member[1], member[2])
            if key in wanted:
                by_key.setdefault(key, []).append(member)
        groups: list[MissedGroup] = []
        for normalised, group_status, count, first_at, last_at in keys:
            rows = by_key.get((normalised, group_status), [])
            if not rows:
                continue  # deleted between the two queries
            newest = rows[0]
            groups.append(
                MissedGroup(
                    normalised=normalised,
                    question=newest[3],
                    count=int(count),
                    ids=[int(r[0]) for r in rows],
                    latest_id=int(newest[0]),
                    first_at=parse_ts(first_at),
                    last_at=parse_ts(last_at),
                    status=group_status,
                    top_candidates=_candidates(newest[4]),
                )
            )
        return groups

    async def stats(self, guild_id: str, *, now: datetime | None = None) -> Stats:
        """Counts by status, by ISO week (8 weeks, newest first), top open, feedback."""
        now = now or utcnow()
        by_status = dict.fromkeys(STATUSES, 0)
        for status, count in await self._fetchall(
            "SELECT status, COUNT(*) FROM missed WHERE guild_id = ? GROUP BY status", (guild_id,)
        ):
            by_status[str(status)] = int(count)
        weeks = [(now - timedelta(weeks=back)).isocalendar() for back in range(8)]
        labels = [f"{w.year}-W{w.week:02d}" for w in weeks]
        monday = (now - timedelta(weeks=7, days=now.isocalendar().weekday - 1)).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        counts = dict.fromkeys(labels, 0)
        for day, count in await self._fetchall(
            "SELECT substr(created_at, 1, 10), COUNT(*) FROM missed "
            "WHERE guild_id = ? AND created_at >= ? GROUP BY 1",
            (guild_id, format_ts(monday)),
        ):
            iso = datetime.fromisoformat(str(day)).isocalendar()
            label = f"{iso.year}-W{iso.week:02d}"
            if label in counts:
                counts[label] += int(count)
        top_open = await self._groups(
            guild_id, "open", order="COUNT(*) DESC, MAX(created_at) DESC", limit=10
        )
        helpful = dict.fromkeys((0, 1), 0)
        for flag, count in await self._fetchall(
            "SELECT helpful, COUNT(*) FROM feedback WHERE guild_id = ? GROUP BY helpful",
            (guild_id,),
        ):
            helpful[int(flag)] = int(count)
        return Stats(
            by_status=by_status,
            by_week=[(label, counts[label]) for label in labels],
            top_open=top_open,
            feedback_helpful=helpful[1],
            feedback_not_helpful=helpful[0],
        )

    async def learned(self, guild_id: str | None = None) -> list[LearnedPhrasing]:
        """Phrasings for ``guild_id`` plus global ones; with None, all of them."""
        if guild_id is None:
            rows = await self._fetchall(f"SELECT {_LEARNED_COLUMNS} FROM learned ORDER BY id")
        else:
            rows = await self._fetchall(
                f"SELECT {_LEARNED_COLUMNS} FROM learned "
                "WHERE guild_id = ? OR guild_id IS NULL ORDER BY id",
                (guild_id,),
            )
        return [_learned_row(row) for row in rows]

    # -- moderator and member actions -------------------------------------------------
    async def resolve(
        self,
        guild_id: str,
        missed_id: int,
        entry_id: str,
        *,
        moderator_id: int | str,
        note: str | None = None,
    ) -> LearnedPhrasing | None:
        """Resolve the row and its open twins and learn the phrasing, atomically.

        Resolving again (or another twin) keeps one learned phrasing per
        normalised text; the newest decision sets its entry.
        """
        now = format_ts(utcnow())
        moderator = self._author(moderator_id)
        async with self._transaction() as db:
            async with db.execute(
                "SELECT question, normalised FROM missed WHERE id = ? AND guild_id = ?",
                (int(missed_id), guild_id),
            ) as cursor:
                found = await cursor.fetchone()
            if found is None:
                return None
            question, normalised = found[0], found[1]
            await db.execute(
                "UPDATE missed SET status = 'resolved', action = 'resolved', entry_id = ?, "
                "changed_by = ?, changed_at = ?, note = ? "
                "WHERE guild_id = ? AND (id = ? OR (normalised = ? AND status = 'open'))",
                (entry_id, moderator, now, note, guild_id, int(missed_id), normalised),
            )
            await db.execute(
                "INSERT INTO learned (guild_id, phrasing, normalised, entry_id, added_by, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, normalised) DO UPDATE SET entry_id = excluded.entry_id",
                (guild_id, question, normalised, entry_id, moderator, now),
            )
            async with db.execute(
                f"SELECT {_LEARNED_COLUMNS} FROM learned WHERE guild_id = ? AND normalised = ?",
                (guild_id, normalised),
            ) as cursor:
                learned = await cursor.fetchone()
        if learned is None:  # pragma: no cover - the insert above guarantees a row
            raise StorageError(f"{self.path}: learned phrasing vanished during resolve")
        return _learned_row(tuple(learned))

    async def dismiss(
        self, guild_id: str, missed_id: int, *, moderator_id: int | str, reason: str | None = None
    ) -> int:
        """Dismiss the row and its open twins; 0 if the id is not in this guild."""
        now = format_ts(utcnow())
        moderator = self._author(moderator_id)
        async with self._transaction() as db:
            async with db.execute(
                "SELECT normalised FROM missed WHERE id = ? AND guild_id = ?",
                (int(missed_id), guild_id),
            ) as cursor:
                found = await cursor.fetchone()
            if found is None:
                return 0
            cursor = await db.execute(
                "UPDATE missed SET status = 'dismissed', action = 'dismissed', entry_id = NULL, "
                "changed_by = ?, changed_at = ?, note = ? "
                "WHERE guild_id = ? AND (id = ? OR (normalised = ? AND status = 'open'))",
                (moderator, now, reason, guild_id, int(missed_id), found[0]),
            )
            return int(cursor.rowcount)

    async def forget_user(self, user_id: int | str) -> int:
        """Delete the member's missed and feedback rows in every guild; count them.

        Matches both the salted hash and the raw id (the setting may have
        changed), flushes queued rows first so none arrive afterwards, and
        also blanks the member's id on moderator actions and learned phrasings.
        """
        if self._writer is not None:
            try:
                await self._writer.flush(timeout=10.0)
            except TimeoutError:
                log.warning("forget_user: writer did not flush within 10 s; deleting anyway")
        keys = (self.hash_user(user_id), str(user_id))
        async with self._transaction() as db:
            deleted = 0
            for table in ("missed", "feedback"):
                cursor = await db.execute(f"DELETE FROM {table} WHERE author IN (?, ?)", keys)
                deleted += int(cursor.rowcount)
            await db.execute("UPDATE missed SET changed_by = NULL WHERE changed_by IN (?, ?)", keys)
            await db.execute("UPDATE learned SET added_by = NULL WHERE added_by IN (?, ?)", keys)
        return deleted

    async def purge(self, retention_days: int, *, now: datetime | None = None) -> int:
        """Delete missed and feedback rows older than ``retention_days``; learned stay."""
        if retention_days < 0:
            raise ValueError("retention_days must not be negative")
        cutoff = format_ts((now or utcnow()) - timedelta(days=retention_days))
        async with self._transaction() as db:
            deleted = 0
            for table in ("missed", "feedback"):
                cursor = await db.execute(f"DELETE FROM {table} WHERE created_at < ?", (cutoff,))
                deleted += int(cursor.rowcount)
        return deleted


async def open_readonly(path: Path | str) -> SQLiteStore:
    """Open for reading only (the CLI while the bot runs): no migration, no writes."""
    return await SQLiteStore.open(path, readonly=True)
