"""PostgreSQL implementation of ``Store`` (asyncpg with a connection pool).

For bots that outgrow one process: several bot processes (shards) on several
machines share one database. The guarantees are the SQLite backend's:

* Logging goes through the same SQL-free ``Writer`` (bounded queue, batches,
  one transaction per batch); inserts are ``ON CONFLICT (source_id) DO
  NOTHING``, so a replayed gateway event or a retried batch is stored once.
* A connection error, a server restart or failover, too many connections, a
  serialization failure or a lock wait that times out is *transient*
  (``is_transient``): the writer keeps the batch and retries with backoff, so
  nothing is lost while the database is briefly unavailable. The pool replaces
  broken connections by itself.
* Migrations (numbered files in ``migrations/postgres``) run at open in ONE
  transaction that first takes an advisory lock, so two processes starting at
  once cannot race; the applied versions are rows of ``schema_version``. A
  schema newer than this code is refused (``StorageError``) and left as it is.
* Author ids are salted hashes, salt in ``meta`` (created by the first open),
  shared by every process, so ``forget_user`` works from any of them.
* Guild-scoped methods treat another guild's ids as "not found".

Coordination between processes (see ``coordination.py``) lives here too:
LISTEN/NOTIFY on a dedicated connection that reconnects by itself, and
session-level advisory locks held on another dedicated connection.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from .common import aware
from .errors import StorageError
from .schema import PG_COLUMNS_SQL, TABLES, DbColumn, column_problems, from_pg
from .schema_upgrade import Migration, layout_error, load_migrations
from .shared import SharedStore
from .sql import FEEDBACK_INSERT, MISSED_INSERT, numbered

__all__ = [
    "LATEST_VERSION",
    "MIGRATIONS_DIR",
    "NotifyCallback",
    "PostgresStore",
    "ensure_schema",
    "is_transient",
    "lock_key",
    "pg_text",
    "safe_url",
]

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).with_name("migrations") / "postgres"
MIGRATIONS: list[Migration] = load_migrations(MIGRATIONS_DIR)
LATEST_VERSION = len(MIGRATIONS)
_OUR_TABLES = tuple(t.name for t in TABLES)

#: SQLSTATE classes / codes that mean "try again later", not "bad row":
#: 08 connection exception, 53 insufficient resources (too many connections,
#: disk full), 57P0x shutdown / crash / cannot connect now, 40 serialization
#: failure or deadlock, 55P03 lock_timeout, 57014 statement timeout or cancel,
#: 25006 read-only transaction (a standby during failover).
_TRANSIENT_PREFIXES = ("08", "53", "57P", "40")
_TRANSIENT_STATES = frozenset({"55P03", "57014", "25006"})
#: Lock wait of one writer batch before it counts as "unavailable" and is retried.
_WRITER_LOCK_TIMEOUT = "1s"
_MAX_ID = 2**63 - 1

NotifyCallback = Callable[[str], Awaitable[None] | None]

_INSERT_MISSED = numbered(MISSED_INSERT)
_INSERT_FEEDBACK = numbered(FEEDBACK_INSERT)


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory-lock key for ``name`` (namespaced to this bot)."""
    digest = hashlib.sha256(f"spasm-faq-bot:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


MIGRATION_LOCK = lock_key("schema-migration")


def safe_url(url: str) -> str:
    """The URL without its password, for messages and logs."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "postgresql://(unparsable URL)"
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit((parts.scheme, user + host, parts.path, parts.query, parts.fragment))


def is_transient(exc: BaseException) -> bool:
    """True for errors that go away by themselves (connection lost, restart, lock timeout...)."""
    if isinstance(exc, asyncpg.PostgresError):
        state = str(getattr(exc, "sqlstate", "") or "")
        return state.startswith(_TRANSIENT_PREFIXES) or state in _TRANSIENT_STATES
    if isinstance(exc, OSError):  # refused, reset, unreachable, and TimeoutError
        return True
    if isinstance(exc, asyncpg.InterfaceError):
        text = str(exc).lower()
        return "connection" in text and ("closed" in text or "lost" in text)
    return False


def _db_errors() -> tuple[type[BaseException], ...]:
    return (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)


def _db_errors_and(*more: type[BaseException]) -> tuple[type[BaseException], ...]:
    return (*_db_errors(), *more)


def pg_text(value: Any) -> Any:
    """PostgreSQL text cannot hold NUL characters (SQLite can): store U+FFFD instead."""
    return value.replace("\x00", "\ufffd") if isinstance(value, str) and "\x00" in value else value


def _affected(status: str) -> int:
    """Row count from a command tag such as ``UPDATE 3`` or ``DELETE 0``."""
    try:
        return int(status.rsplit(" ", 1)[-1])
    except ValueError:
        return 0


# -- schema -----------------------------------------------------------------------------


async def schema_version(conn: Any, where: str) -> int:
    """Applied schema version (0: none). Refuses another program's tables."""
    if await conn.fetchval("SELECT to_regclass('schema_version')") is None:
        clash = await conn.fetch(
            "SELECT tablename FROM pg_tables "
            "WHERE schemaname = current_schema() AND tablename = ANY($1::text[])",
            list(_OUR_TABLES),
        )
        if clash:
            names = ", ".join(sorted(r["tablename"] for r in clash))
            raise StorageError(
                f"{where}: the database already has tables named {names} but no "
                "schema_version table: they belong to another program. Point [storage] url "
                "at another database (or schema). Nothing was changed."
            )
        return 0
    return int(await conn.fetchval("SELECT COALESCE(MAX(version), 0) FROM schema_version"))


def _too_new(where: str, version: int) -> StorageError:
    return StorageError(
        f"{where}: database schema version {version} is newer than this version of the "
        f"bot understands (up to {LATEST_VERSION}). Upgrade the bot (every process that "
        "uses this database), or point it at another database. Nothing was changed."
    )


async def ensure_schema(conn: Any, where: str, *, create_salt: bool = True) -> int:
    """Apply pending migrations (and create the salt) in one locked transaction.

    ``pg_advisory_xact_lock`` serialises processes that start at the same
    time; the second one finds the schema current and applies nothing. The
    lock is released with the transaction. Call it outside a transaction, or
    inside one (then it joins it) -- e.g. ``migrate_sqlite`` does the latter.
    """
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATION_LOCK)
        version = await schema_version(conn, where)
        if version > LATEST_VERSION:
            raise _too_new(where, version)
        if version < LATEST_VERSION:
            await conn.execute(
                "CREATE TABLE IF NOT EXISTS schema_version ("
                " version INTEGER PRIMARY KEY,"
                " name TEXT NOT NULL,"
                " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
            )
            for migration in MIGRATIONS[version:]:
                try:
                    await conn.execute(migration.sql)
                except asyncpg.PostgresError as exc:
                    raise StorageError(
                        f"{where}: could not apply migration {migration.name} ({exc}). "
                        "Nothing was changed by this migration."
                    ) from exc
                await conn.execute(
                    "INSERT INTO schema_version (version, name) VALUES ($1, $2)",
                    migration.version,
                    migration.name,
                )
                log.info("%s: applied migration %s", where, migration.name)
            version = LATEST_VERSION
        await check_columns(conn, where)
        if create_salt:
            await conn.execute(
                "INSERT INTO meta (key, value) VALUES ('salt', $1) ON CONFLICT (key) DO NOTHING",
                secrets.token_hex(32),
            )
    return version


async def pg_layout(conn: Any) -> dict[str, list[DbColumn]]:
    """The columns of every table of ``schema.TABLES`` as the database has them."""
    layout: dict[str, list[DbColumn]] = {t.name: [] for t in TABLES}
    for row in await conn.fetch(PG_COLUMNS_SQL, list(layout)):
        layout[row["table_name"]].append(from_pg(row))
    return layout


async def check_columns(conn: Any, where: str) -> None:
    """Raise ``StorageError`` unless every column of ``schema.TABLES`` is there, typed as
    described (a database at the latest version whose tables were altered by hand)."""
    problems = column_problems(await pg_layout(conn), "postgres")
    if problems:
        raise layout_error(where, problems)


# -- the store ----------------------------------------------------------------------------


class _Tx:
    """``shared.Tx`` over one pooled connection inside a transaction."""

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return list(await self._conn.fetch(numbered(sql), *params))

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        return _affected(await self._conn.execute(numbered(sql), *params))


class PostgresStore(SharedStore):
    """``Store`` backed by a PostgreSQL database shared by any number of processes."""

    _row_lock = " FOR UPDATE"

    def __init__(
        self,
        url: str,
        pool: Any,
        salt: str | None,
        *,
        store_raw_user_ids: bool,
        readonly: bool,
        connect_kwargs: dict[str, Any],
    ) -> None:
        """Use ``PostgresStore.open`` instead; this only wires parts together."""
        super().__init__(salt, store_raw_user_ids=store_raw_user_ids, readonly=readonly)
        self.url = self._where = safe_url(url)
        self._dsn = url
        self._pool = pool
        self._connect_kwargs = connect_kwargs
        # LISTEN/NOTIFY
        self._listen_conn: Any = None
        self._listen_lock = asyncio.Lock()
        self._listeners: dict[str, list[NotifyCallback]] = {}
        self._reconnect_task: asyncio.Task[None] | None = None
        self._callback_tasks: set[asyncio.Task[Any]] = set()
        # advisory locks
        self._lock_conn: Any = None
        self._lock_lock = asyncio.Lock()
        self._held: set[str] = set()

    # -- opening and closing ----------------------------------------------------
    @classmethod
    async def open(
        cls,
        url: str,
        *,
        store_raw_user_ids: bool = False,
        queue_size: int = 10_000,
        batch_size: int = 100,
        batch_delay: float = 0.05,
        readonly: bool = False,
        min_size: int = 1,
        max_size: int = 10,
        connect_timeout: float = 10.0,
    ) -> PostgresStore:
        """Connect, migrate (unless ``readonly``) and start the writer.

        ``readonly=True`` never migrates or writes (the CLI while bots run):
        its sessions are read-only and its ``writer`` raises ``StorageError``.
        """
        where = safe_url(url)
        settings = {"application_name": "spasm-faq-bot"}
        if readonly:
            settings["default_transaction_read_only"] = "on"
        connect_kwargs: dict[str, Any] = {
            "timeout": connect_timeout,
            "server_settings": settings,
        }
        try:
            pool = await asyncpg.create_pool(
                url, min_size=min_size, max_size=max_size, **connect_kwargs
            )
        except _db_errors_and(ValueError) as exc:
            raise StorageError(
                f"{where}: cannot connect to PostgreSQL ({exc}). Check [storage] url, that "
                "the server runs and accepts connections from here, and the credentials."
            ) from exc
        try:
            async with pool.acquire() as conn:
                if readonly:
                    version = await schema_version(conn, where)
                    if version > LATEST_VERSION:
                        raise _too_new(where, version)
                    if version < LATEST_VERSION:
                        raise StorageError(
                            f"{where}: database schema version {version} is older than this "
                            f"code ({LATEST_VERSION}) and a read-only open cannot upgrade it. "
                            "Start the bot once (it migrates on start-up) and try again."
                        )
                    await check_columns(conn, where)
                else:
                    await ensure_schema(conn, where)
                salt = await conn.fetchval("SELECT value FROM meta WHERE key = 'salt'")
        except StorageError:
            await pool.close()
            raise
        except _db_errors() as exc:
            await pool.close()
            raise StorageError(f"{where}: cannot prepare the database ({exc}).") from exc
        except BaseException:
            pool.terminate()
            raise
        store = cls(
            url,
            pool,
            salt,
            store_raw_user_ids=store_raw_user_ids,
            readonly=readonly,
            connect_kwargs=connect_kwargs,
        )
        if not readonly:
            store._start_writer(is_transient, queue_size, batch_size, batch_delay)
        return store

    async def _close_connections(self) -> None:
        if self._reconnect_task is not None:
            self._reconnect_task.cancel()
            await asyncio.gather(self._reconnect_task, return_exceptions=True)
        for task in list(self._callback_tasks):
            task.cancel()
        await asyncio.gather(*self._callback_tasks, return_exceptions=True)
        for conn in (self._listen_conn, self._lock_conn):
            if conn is not None:
                await self._close_connection(conn)
        self._listen_conn = self._lock_conn = None
        self._held.clear()
        try:
            await asyncio.wait_for(self._pool.close(), 5.0)
        except _db_errors_and(TimeoutError):
            self._pool.terminate()

    @staticmethod
    async def _close_connection(conn: Any) -> None:
        try:
            await asyncio.wait_for(conn.close(), 2.0)
        except _db_errors_and(TimeoutError):
            conn.terminate()

    # -- writer side --------------------------------------------------------------
    def _timestamp_param(self, moment: datetime) -> datetime:
        return aware(moment)

    def _to_dt(self, value: Any) -> datetime:
        return value  # type: ignore[no-any-return]  # asyncpg returns aware datetimes

    def _param(self, value: Any) -> Any:
        return pg_text(value)

    async def _insert_batch(
        self, missed: list[tuple[Any, ...]], feedback: list[tuple[Any, ...]]
    ) -> None:
        async with self._pool.acquire() as conn, conn.transaction():
            # A table lock held elsewhere makes this batch "unavailable" after
            # a second instead of blocking the writer (and close) indefinitely.
            await conn.execute(f"SET LOCAL lock_timeout = '{_WRITER_LOCK_TIMEOUT}'")
            if missed:
                await conn.executemany(_INSERT_MISSED, missed)
            if feedback:
                await conn.executemany(_INSERT_FEEDBACK, feedback)

    # -- query helpers -------------------------------------------------------------------
    async def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        try:
            return list(await self._pool.fetch(numbered(sql), *params))
        except _db_errors() as exc:
            raise StorageError(f"{self.url}: read failed ({exc}); try again") from exc

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[_Tx]:
        self._check_writable()
        try:
            async with self._pool.acquire() as conn, conn.transaction():
                yield _Tx(conn)
        except _db_errors() as exc:
            raise StorageError(
                f"{self.url}: change failed ({exc}); nothing was changed, try again"
            ) from exc

    # -- what only PostgreSQL says this way -----------------------------------------
    async def _count_by_day(self, guild_id: str, since: datetime) -> list[tuple[date, Any]]:
        rows = await self._query(
            "SELECT (created_at AT TIME ZONE 'UTC')::date AS day, COUNT(*) AS n FROM missed "
            "WHERE guild_id = ? AND created_at >= ? GROUP BY 1",
            (guild_id, since),
        )
        return [(row["day"], row["n"]) for row in rows if isinstance(row["day"], date)]

    def _id_in_range(self, missed_id: int) -> bool:
        return 0 < missed_id <= _MAX_ID  # ids are BIGINT

    # -- coordination: LISTEN / NOTIFY ------------------------------------------------
    async def notify(self, channel: str, payload: str = "") -> None:
        """Send ``payload`` to every process listening on ``channel`` (this one included).

        Delivered when the sending transaction commits (here: at once);
        payloads are limited to 8000 bytes by PostgreSQL.
        """
        _check_channel(channel)
        try:
            await self._pool.execute("SELECT pg_notify($1, $2)", channel, payload)
        except _db_errors() as exc:
            raise StorageError(f"{self.url}: notify on {channel!r} failed ({exc})") from exc

    async def listen(self, channel: str, callback: NotifyCallback) -> Callable[[], Awaitable[None]]:
        """Call ``callback(payload)`` for each notification on ``channel``; returns unlisten.

        One dedicated connection carries every channel of this store. If it is
        lost it is re-established in the background (with backoff) and every
        channel is listened to again; notifications sent while it was down are
        missed (a warning is logged), so callers should treat them as hints to
        reload, not as a reliable queue.
        """
        _check_channel(channel)
        if self._closed:
            raise StorageError(f"{self.url}: store is closed")
        async with self._listen_lock:
            conn = await self._listener_connection()
            callbacks = self._listeners.setdefault(channel, [])
            if not callbacks and conn is not None:
                try:
                    await conn.add_listener(channel, self._dispatch)
                except _db_errors() as exc:
                    self._listeners.pop(channel, None)
                    raise StorageError(f"{self.url}: listen on {channel!r} failed ({exc})") from exc
            callbacks.append(callback)

        async def unlisten() -> None:
            async with self._listen_lock:
                current = self._listeners.get(channel, [])
                if callback in current:
                    current.remove(callback)
                if not current and channel in self._listeners:
                    del self._listeners[channel]
                    conn = self._listen_conn
                    if conn is not None and not conn.is_closed():
                        with suppress(*_db_errors()):
                            await conn.remove_listener(channel, self._dispatch)

        return unlisten

    async def _listener_connection(self) -> Any:
        """The LISTEN connection, opened on first use (caller holds ``_listen_lock``)."""
        if self._listen_conn is not None and not self._listen_conn.is_closed():
            return self._listen_conn
        if self._reconnect_task is not None and not self._reconnect_task.done():
            return None  # the reconnect task will LISTEN on every channel when it is back
        try:
            conn = await asyncpg.connect(self._dsn, **self._connect_kwargs)
        except _db_errors() as exc:
            raise StorageError(f"{self.url}: cannot open the LISTEN connection ({exc})") from exc
        conn.add_termination_listener(self._on_listener_lost)
        self._listen_conn = conn
        return conn

    def _dispatch(self, conn: Any, pid: int, channel: str, payload: str) -> None:
        for callback in list(self._listeners.get(channel, ())):
            try:
                result = callback(payload)
            except Exception:
                log.exception("notification callback for %r failed", channel)
                continue
            if inspect.isawaitable(result):
                task = asyncio.ensure_future(result)
                self._callback_tasks.add(task)
                task.add_done_callback(self._callback_done)

    def _callback_done(self, task: asyncio.Task[Any]) -> None:
        self._callback_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("notification callback failed", exc_info=task.exception())

    def _on_listener_lost(self, conn: Any) -> None:
        if self._closed or conn is not self._listen_conn:
            return
        self._listen_conn = None
        if self._listeners and (self._reconnect_task is None or self._reconnect_task.done()):
            log.warning("%s: LISTEN connection lost; reconnecting", self.url)
            self._reconnect_task = asyncio.get_running_loop().create_task(
                self._reconnect_listener(), name="storage-listen-reconnect"
            )

    async def _reconnect_listener(self) -> None:
        loop = asyncio.get_running_loop()
        started = loop.time()
        delay = 0.1
        while not self._closed:
            try:
                conn = await asyncpg.connect(self._dsn, **self._connect_kwargs)
                async with self._listen_lock:
                    for channel in list(self._listeners):
                        await conn.add_listener(channel, self._dispatch)
                    conn.add_termination_listener(self._on_listener_lost)
                    self._listen_conn = conn
            except Exception as exc:
                if not is_transient(exc):
                    log.error("%s: LISTEN reconnect failed for good: %s", self.url, exc)
                    return
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            log.warning(
                "%s: LISTEN connection back after %.1f s; notifications sent meanwhile were missed",
                self.url,
                loop.time() - started,
            )
            return

    # -- coordination: advisory locks ------------------------------------------------------
    async def try_advisory_lock(self, name: str) -> bool:
        """Take the session-level lock ``name`` if free; True if this store holds it.

        Held on a dedicated connection until ``release_advisory_lock`` or
        ``close`` (or until that connection is lost -- then the next call
        tries to take it again, and another process may have it by then).
        """
        if self._closed:
            raise StorageError(f"{self.url}: store is closed")
        async with self._lock_lock:
            conn = self._lock_conn
            if conn is not None and conn.is_closed():
                conn = self._lock_conn = None
                self._held.clear()
            try:
                if conn is None:
                    conn = await asyncpg.connect(self._dsn, **self._connect_kwargs)
                    self._lock_conn = conn
                if name in self._held:
                    await conn.fetchval("SELECT 1")  # still connected, so still held
                    return True
                got = bool(await conn.fetchval("SELECT pg_try_advisory_lock($1)", lock_key(name)))
            except _db_errors() as exc:
                if self._lock_conn is not None:
                    self._lock_conn.terminate()
                self._lock_conn = None
                self._held.clear()
                if is_transient(exc):
                    log.warning("%s: advisory lock %r not taken (%s)", self.url, name, exc)
                    return False
                raise StorageError(f"{self.url}: advisory lock {name!r} failed ({exc})") from exc
            if got:
                self._held.add(name)
            return got

    async def release_advisory_lock(self, name: str) -> None:
        """Give up the lock ``name`` if this store holds it."""
        async with self._lock_lock:
            if name not in self._held:
                return
            self._held.discard(name)
            conn = self._lock_conn
            if conn is not None and not conn.is_closed():
                with suppress(*_db_errors()):
                    await conn.fetchval("SELECT pg_advisory_unlock($1)", lock_key(name))


def _check_channel(channel: str) -> None:
    if not (
        0 < len(channel) <= 63
        and channel.isascii()
        and channel.replace("_", "").replace("-", "").isalnum()
    ):
        raise ValueError(f"channel must be 1-63 ASCII letters, digits, '_' or '-', not {channel!r}")
