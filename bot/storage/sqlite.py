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
import logging
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from . import schema_upgrade
from .common import (
    LEARNED_COLUMNS,
    MISSED_COLUMNS,
    SharedStore,
    build_groups,
    check_kind,
    check_status,
    learned_row,
    missed_row,
)
from .errors import StorageError
from .models import LearnedPhrasing, MissedGroup, MissedRow
from .timeutil import format_ts, parse_ts

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
                    candidates, reason, shown_entry_id, created_at, kind, language, status)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open')
ON CONFLICT (source_id) DO NOTHING
"""
_INSERT_FEEDBACK = """
INSERT INTO feedback (guild_id, channel_id, source_id, message_id, author, entry_id,
                      helpful, question, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (source_id) DO NOTHING
"""


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


def _status_clause(status: str, kind: str | None = None) -> tuple[str, tuple[str, ...]]:
    """`` AND status = ?`` (nothing for "all"), `` AND kind = ?`` (nothing for None),
    and their parameters."""
    check_status(status)
    check_kind(kind)
    clause, params = ("", ()) if status == "all" else (" AND status = ?", (status,))
    if kind is not None:
        clause, params = clause + " AND kind = ?", (*params, kind)
    return clause, params


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


class SQLiteStore(SharedStore):
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
        super().__init__(salt, store_raw_user_ids=store_raw_user_ids, readonly=readonly)
        self.path = path
        self._where = str(path)
        self._db = db
        self._lock = asyncio.Lock()
        self._wdb: aiosqlite.Connection | None = None
        self._temp_dir = temp_dir

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
                store._start_writer(is_transient, queue_size, batch_size, batch_delay)
        except BaseException:
            if temp_dir is not None:
                shutil.rmtree(temp_dir, ignore_errors=True)
            raise
        return store

    @classmethod
    async def _open_readonly(cls, path: Path, raw_ids: bool) -> SQLiteStore:
        version = await asyncio.to_thread(schema_upgrade.precheck, path)
        if version is None:
            raise StorageError(
                f"{path}: no database here yet. Start the bot once to create it, "
                "or check the database path in the configuration."
            )
        if version < schema_upgrade.LATEST_VERSION:
            raise StorageError(
                f"{path}: database schema version {version} is older than this code "
                f"({schema_upgrade.LATEST_VERSION}) and a read-only open cannot upgrade it. "
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
        await asyncio.to_thread(schema_upgrade.precheck, path)
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
            await schema_upgrade.apply(db, path)
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

    async def _close_connections(self) -> None:
        if self._wdb is not None:
            await self._wdb.close()
            self._wdb = None
        await self._db.close()
        if self._temp_dir is not None:
            shutil.rmtree(self._temp_dir, ignore_errors=True)

    # -- writer side --------------------------------------------------------------
    def _timestamp_param(self, moment: datetime) -> str:
        return format_ts(moment)

    async def _insert_batch(
        self, missed: list[tuple[Any, ...]], feedback: list[tuple[Any, ...]]
    ) -> None:
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
        self._check_writable()
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
            f"SELECT {MISSED_COLUMNS} FROM missed WHERE id = ? AND guild_id = ?",
            (int(missed_id), guild_id),
        )
        return missed_row(rows[0], parse_ts) if rows else None

    async def list_rows(
        self, guild_id: str, status: str = "open", kind: str | None = None
    ) -> list[MissedRow]:
        """Every row of the guild with ``status`` ("all" for any) and ``kind``, newest first."""
        clause, params = _status_clause(status, kind)
        rows = await self._fetchall(
            f"SELECT {MISSED_COLUMNS} FROM missed WHERE guild_id = ?{clause} "
            "ORDER BY created_at DESC, id DESC",
            (guild_id, *params),
        )
        return [missed_row(row, parse_ts) for row in rows]

    async def _count_groups(self, guild_id: str, status: str, kind: str | None = None) -> int:
        clause, params = _status_clause(status, kind)
        rows = await self._fetchall(
            "SELECT COUNT(*) FROM (SELECT 1 FROM missed WHERE guild_id = ?"
            f"{clause} GROUP BY normalised, status)",
            (guild_id, *params),
        )
        return int(rows[0][0])

    async def _groups(
        self,
        guild_id: str,
        status: str,
        *,
        order: str,
        limit: int,
        offset: int = 0,
        kind: str | None = None,
    ) -> list[MissedGroup]:
        clause, params = _status_clause(status, kind)
        keys = await self._fetchall(
            "SELECT normalised, status, COUNT(*), MIN(created_at), MAX(created_at) "
            f"FROM missed WHERE guild_id = ?{clause} GROUP BY normalised, status "
            f"ORDER BY {order} LIMIT ? OFFSET ?",
            (guild_id, *params, limit, offset),
        )
        if not keys:
            return []
        wanted = {k[0] for k in keys}
        marks = ", ".join("?" for _ in wanted)
        members = await self._fetchall(
            "SELECT id, normalised, status, question, candidates, kind FROM missed "
            f"WHERE guild_id = ?{clause} AND normalised IN ({marks}) "
            "ORDER BY created_at DESC, id DESC",
            (guild_id, *params, *wanted),
        )
        return build_groups(keys, members, parse_ts)

    async def _count_by_status(self, guild_id: str) -> list[tuple[Any, Any]]:
        return await self._fetchall(
            "SELECT status, COUNT(*) FROM missed WHERE guild_id = ? GROUP BY status", (guild_id,)
        )

    async def _count_by_day(self, guild_id: str, since: datetime) -> list[tuple[date, Any]]:
        rows = await self._fetchall(
            "SELECT substr(created_at, 1, 10), COUNT(*) FROM missed "
            "WHERE guild_id = ? AND created_at >= ? GROUP BY 1",
            (guild_id, format_ts(since)),
        )
        return [(datetime.fromisoformat(str(day)).date(), count) for day, count in rows]

    async def _count_by_helpful(self, guild_id: str) -> list[tuple[Any, Any]]:
        return await self._fetchall(
            "SELECT helpful, COUNT(*) FROM feedback WHERE guild_id = ? GROUP BY helpful",
            (guild_id,),
        )

    async def learned(self, guild_id: str | None = None) -> list[LearnedPhrasing]:
        """Phrasings for ``guild_id`` plus global ones; with None, all of them."""
        if guild_id is None:
            rows = await self._fetchall(f"SELECT {LEARNED_COLUMNS} FROM learned ORDER BY id")
        else:
            rows = await self._fetchall(
                f"SELECT {LEARNED_COLUMNS} FROM learned "
                "WHERE guild_id = ? OR guild_id IS NULL ORDER BY id",
                (guild_id,),
            )
        return [learned_row(row, parse_ts) for row in rows]

    # -- moderator and member actions -------------------------------------------------
    async def _resolve(
        self, guild_id: str, missed_id: int, entry_id: str, by: str, note: str | None, now: Any
    ) -> LearnedPhrasing | None:
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
                (entry_id, by, now, note, guild_id, int(missed_id), normalised),
            )
            await db.execute(
                "INSERT INTO learned (guild_id, phrasing, normalised, entry_id, added_by, "
                "created_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, normalised) DO UPDATE SET entry_id = excluded.entry_id",
                (guild_id, question, normalised, entry_id, by, now),
            )
            async with db.execute(
                f"SELECT {LEARNED_COLUMNS} FROM learned WHERE guild_id = ? AND normalised = ?",
                (guild_id, normalised),
            ) as cursor:
                learned = await cursor.fetchone()
        if learned is None:  # pragma: no cover - the insert above guarantees a row
            raise StorageError(f"{self.path}: learned phrasing vanished during resolve")
        return learned_row(tuple(learned), parse_ts)

    async def _dismiss(
        self, guild_id: str, missed_id: int, by: str, reason: str | None, now: Any
    ) -> int:
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
                (by, now, reason, guild_id, int(missed_id), found[0]),
            )
            return int(cursor.rowcount)

    async def _delete_authored(self, keys: tuple[str, str]) -> int:
        async with self._transaction() as db:
            deleted = 0
            for table in ("missed", "feedback"):
                cursor = await db.execute(f"DELETE FROM {table} WHERE author IN (?, ?)", keys)
                deleted += int(cursor.rowcount)
            await db.execute("UPDATE missed SET changed_by = NULL WHERE changed_by IN (?, ?)", keys)
            await db.execute("UPDATE learned SET added_by = NULL WHERE added_by IN (?, ?)", keys)
        return deleted

    async def _delete_older(self, cutoff: datetime) -> int:
        async with self._transaction() as db:
            deleted = 0
            for table in ("missed", "feedback"):
                cursor = await db.execute(
                    f"DELETE FROM {table} WHERE created_at < ?", (format_ts(cutoff),)
                )
                deleted += int(cursor.rowcount)
        return deleted


async def open_readonly(path: Path | str) -> SQLiteStore:
    """Open for reading only (the CLI while the bot runs): no migration, no writes."""
    return await SQLiteStore.open(path, readonly=True)
