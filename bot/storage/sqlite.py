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
* The queries both backends share live in ``sql``/``common``; only what SQLite
  says differently is here. Schema SQL lives in ``migrations/sqlite``.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any

import aiosqlite

from . import schema_upgrade
from .errors import StorageError
from .shared import SharedStore
from .sql import FEEDBACK_INSERT, MISSED_INSERT
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


def _uri(path: Path, *, readonly: bool) -> str:
    """``file:`` URI (percent-encoded, so any file name works)."""
    return path.resolve().as_uri() + ("?mode=ro" if readonly else "")


async def _connect(path: Path, *, readonly: bool, busy_ms: int) -> aiosqlite.Connection:
    uri = await asyncio.to_thread(_uri, path, readonly=readonly)
    db = await aiosqlite.connect(uri, uri=True, isolation_level=None)
    db.row_factory = aiosqlite.Row  # rows are read by column name
    try:
        await db.execute(f"PRAGMA busy_timeout = {busy_ms:d}")
        if not readonly:
            await db.execute("PRAGMA foreign_keys = ON")
            async with db.execute("PRAGMA journal_mode = WAL") as cursor:
                row = await cursor.fetchone()
            mode = None if row is None else str(row["journal_mode"])
            if mode is None or mode.lower() != "wal":
                log.warning("%s: could not switch to WAL mode (got %r)", path, mode)
            await db.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        await db.close()
        raise
    return db


class _Tx:
    """``shared.Tx`` over the main connection inside ``BEGIN IMMEDIATE``."""

    def __init__(self, db: aiosqlite.Connection) -> None:
        self._db = db

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async with self._db.execute(sql, tuple(params)) as cursor:
            return list(await cursor.fetchall())

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        cursor = await self._db.execute(sql, tuple(params))
        return int(cursor.rowcount)


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
            await schema_upgrade.check_columns(db, path)
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
        return str(row["value"]) if row is not None else None

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

    def _to_dt(self, value: Any) -> datetime:
        return parse_ts(str(value))

    async def _insert_batch(
        self, missed: list[tuple[Any, ...]], feedback: list[tuple[Any, ...]]
    ) -> None:
        if self._wdb is None:
            self._wdb = await _connect(self.path, readonly=False, busy_ms=_BUSY_MS_WRITER)
        db = self._wdb
        try:
            await db.execute("BEGIN IMMEDIATE")
            if missed:
                await db.executemany(MISSED_INSERT, missed)
            if feedback:
                await db.executemany(FEEDBACK_INSERT, feedback)
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
    async def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        async with self._lock:
            try:
                async with self._db.execute(sql, tuple(params)) as cursor:
                    return list(await cursor.fetchall())
            except sqlite3.Error as exc:
                raise StorageError(f"{self.path}: read failed ({exc}); try again") from exc

    async def _fetchall(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """``_query`` with plain tuples (for checks such as ``PRAGMA foreign_keys``)."""
        return [tuple(row) for row in await self._query(sql, tuple(params))]

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[_Tx]:
        self._check_writable()
        async with self._lock:
            try:
                await self._db.execute("BEGIN IMMEDIATE")
                try:
                    yield _Tx(self._db)
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

    # -- what only SQLite says this way ---------------------------------------------
    async def _count_by_day(self, guild_id: str, since: datetime) -> list[tuple[date, Any]]:
        rows = await self._query(
            "SELECT substr(created_at, 1, 10) AS day, COUNT(*) AS n FROM missed "
            "WHERE guild_id = ? AND created_at >= ? GROUP BY 1",
            (guild_id, format_ts(since)),
        )
        return [(datetime.fromisoformat(str(row["day"])).date(), row["n"]) for row in rows]


async def open_readonly(path: Path | str) -> SQLiteStore:
    """Open for reading only (the CLI while the bot runs): no migration, no writes."""
    return await SQLiteStore.open(path, readonly=True)
