"""The half of a store that is the same for SQLite and PostgreSQL.

``SharedStore`` holds the writer wiring, author hashing, argument checks and
every query both databases understand, written once with ``?`` placeholders
(``sql.numbered`` turns them into ``$1`` for asyncpg). A backend subclasses it
and fills in the hooks: its connections, a read, a transaction, the batch
insert, its error classification and the one query it says differently
(rows per day).
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import date, datetime
from typing import Any, Protocol

from .base import Record
from .common import (
    GROUP_MEMBER_COLUMNS,
    aware,
    build_groups,
    build_stats,
    candidates_to_json,
    check_kind,
    check_page,
    check_status,
    describe_record,
    first,
    learned_row,
    missed_row,
    retention_cutoff,
    stamp_record,
    status_clause,
    week_window,
)
from .errors import StorageError
from .models import FeedbackRecord, LearnedPhrasing, MissedGroup, MissedRecord, MissedRow, Stats
from .schema import FEEDBACK, MISSED, Table
from .sql import (
    DISMISS,
    FEEDBACK_WRITTEN,
    LEARN,
    LEARNED_SELECT,
    MISSED_SELECT,
    MISSED_WRITTEN,
    RESOLVE,
    marks,
)
from .timeutil import utcnow
from .writer import Writer

__all__ = ["SharedStore", "Tx"]


class Tx(Protocol):
    """One open transaction of a backend, with ``?`` placeholders in ``sql``.

    Fetched rows are addressed by column name (``sqlite3.Row`` / asyncpg ``Record``).
    """

    async def fetch(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Every row the statement returns."""
        ...

    async def execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run a statement; the number of rows it changed."""
        ...


class SharedStore(ABC):
    """Everything a ``Store`` does the same way whatever the database.

    Subclasses set ``_where`` (the file or the password-free URL, for
    messages) and implement the hooks below; the SQL written here is the SQL
    both databases run (with ``?`` placeholders).
    """

    _where: str

    def __init__(self, salt: str | None, *, store_raw_user_ids: bool, readonly: bool) -> None:
        self.readonly = readonly
        self.store_raw_user_ids = store_raw_user_ids
        self._salt = bytes.fromhex(salt) if salt else None
        self._writer: Writer[Record] | None = None
        self._closed = False

    #: Appended to the SELECT that finds the row a moderator acts on (PostgreSQL:
    #: `` FOR UPDATE``; SQLite's ``BEGIN IMMEDIATE`` already locks the database).
    _row_lock = ""

    # -- hooks: the backend-specific part ------------------------------------------------------
    @abstractmethod
    def _timestamp_param(self, moment: datetime) -> Any:
        """A datetime as this backend stores it."""

    @abstractmethod
    def _to_dt(self, value: Any) -> datetime:
        """A fetched timestamp as an aware datetime."""

    def _param(self, value: Any) -> Any:
        """Any other value about to be stored (as it is, unless the backend says otherwise)."""
        return value

    @abstractmethod
    async def _query(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        """Rows (addressed by column name) of a read on the main connection or pool."""

    @abstractmethod
    def _transaction(self) -> AbstractAsyncContextManager[Tx]:
        """A write transaction (``StorageError`` if the store is read-only or it fails)."""

    @abstractmethod
    async def _insert_batch(
        self, missed: list[tuple[Any, ...]], feedback: list[tuple[Any, ...]]
    ) -> None:
        """Run ``sql.MISSED_INSERT`` / ``sql.FEEDBACK_INSERT`` over the rows in one transaction."""

    @abstractmethod
    async def _close_connections(self) -> None:
        """Close every connection (the writer has already stopped)."""

    @abstractmethod
    async def _count_by_day(self, guild_id: str, since: datetime) -> list[tuple[date, Any]]:
        """(UTC date, count) of the guild's missed questions created at or after ``since``."""

    def _id_in_range(self, missed_id: int) -> bool:
        """False for an id the database cannot hold (so no row has it)."""
        return True

    # -- opening and closing ------------------------------------------------------------------
    def _start_writer(
        self,
        is_transient: Callable[[BaseException], bool],
        queue_size: int,
        batch_size: int,
        batch_delay: float,
    ) -> None:
        """Start the writer; ``is_transient`` tells this database's passing errors apart."""
        self._writer = Writer(
            self._write_batch,
            is_transient=is_transient,
            queue_size=queue_size,
            batch_size=batch_size,
            batch_delay=batch_delay,
            prepare=stamp_record,
            describe=describe_record,
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
        await self._close_connections()
        return unwritten

    def _check_writable(self) -> None:
        if self.readonly:
            raise StorageError(f"{self._where}: opened read-only; changes are not possible")

    # -- writer side --------------------------------------------------------------------------
    @property
    def writer(self) -> Writer[Record]:
        """The background writer; a read-only store has none."""
        if self._writer is None:
            raise StorageError(f"{self._where}: opened read-only; logging is not possible")
        return self._writer

    def hash_user(self, user_id: int | str) -> str:
        """HMAC-SHA256 of the id with this database's salt, first 32 hex digits."""
        if self._salt is None:
            raise StorageError(
                f"{self._where}: the database has no salt yet; open it writable once"
            )
        return hmac.new(self._salt, str(user_id).encode(), hashlib.sha256).hexdigest()[:32]

    def _author(self, user_id: int | str) -> str:
        return str(user_id) if self.store_raw_user_ids else self.hash_user(user_id)

    async def log_missed(self, rec: MissedRecord) -> None:
        """Queue an unanswered question; waits only for queue space."""
        await self.writer.submit(rec)

    async def log_feedback(self, rec: FeedbackRecord) -> None:
        """Queue a feedback click; waits only for queue space."""
        await self.writer.submit(rec)

    def _record_params(self, table: Table, names: Sequence[str], rec: Record) -> tuple[Any, ...]:
        """The values of ``names`` for a row of ``table``: the record's fields of those
        names, the hashed ``author`` from ``author_id``, encoded for storage."""
        out: list[Any] = []
        for name in names:
            value: Any = self._author(rec.author_id) if name == "author" else getattr(rec, name)
            column = table.column(name)
            if column.codec == "timestamp":
                if value is None and column.not_null:
                    value = utcnow()  # normally set at submit time by ``stamp_record``
                value = None if value is None else self._timestamp_param(value)
            elif column.codec == "candidates":
                value = candidates_to_json(value)
            elif column.codec == "bool":
                value = bool(value)
            out.append(self._param(value))
        return tuple(out)

    def _missed_params(self, rec: MissedRecord) -> tuple[Any, ...]:
        return self._record_params(MISSED, MISSED_WRITTEN, rec)

    def _feedback_params(self, rec: FeedbackRecord) -> tuple[Any, ...]:
        return self._record_params(FEEDBACK, FEEDBACK_WRITTEN, rec)

    async def _write_batch(self, rows: Sequence[Record]) -> None:
        """One transaction per batch; idempotent thanks to ``ON CONFLICT DO NOTHING``."""
        missed = [self._missed_params(r) for r in rows if isinstance(r, MissedRecord)]
        feedback = [self._feedback_params(r) for r in rows if isinstance(r, FeedbackRecord)]
        await self._insert_batch(missed, feedback)

    # -- reads --------------------------------------------------------------------------------
    async def get_missed(self, guild_id: str, missed_id: int) -> MissedRow | None:
        """One row of this guild, or None (also for another guild's id)."""
        if not self._id_in_range(int(missed_id)):
            return None
        rows = await self._query(
            f"{MISSED_SELECT} WHERE id = ? AND guild_id = ?", (int(missed_id), guild_id)
        )
        row = first(rows)
        return None if row is None else missed_row(row, self._to_dt)

    async def list_rows(
        self, guild_id: str, status: str = "open", kind: str | None = None
    ) -> list[MissedRow]:
        """Every row of the guild with ``status`` ("all" for any) and ``kind``, newest first."""
        clause, params = status_clause(status, kind)
        rows = await self._query(
            f"{MISSED_SELECT} WHERE guild_id = ?{clause} ORDER BY created_at DESC, id DESC",
            (guild_id, *params),
        )
        return [missed_row(row, self._to_dt) for row in rows]

    async def learned(self, guild_id: str | None = None) -> list[LearnedPhrasing]:
        """Phrasings for ``guild_id`` plus global ones; with None, all of them."""
        if guild_id is None:
            rows = await self._query(f"{LEARNED_SELECT} ORDER BY id")
        else:
            rows = await self._query(
                f"{LEARNED_SELECT} WHERE guild_id = ? OR guild_id IS NULL ORDER BY id", (guild_id,)
            )
        return [learned_row(row, self._to_dt) for row in rows]

    async def _count_groups(self, guild_id: str, status: str, kind: str | None = None) -> int:
        """Number of (normalised, status) groups of the guild with ``status`` (or "all")
        and ``kind`` (None for any)."""
        clause, params = status_clause(status, kind)
        rows = await self._query(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM missed WHERE guild_id = ?"
            f"{clause} GROUP BY normalised, status) AS g",
            (guild_id, *params),
        )
        row = first(rows)
        return 0 if row is None else int(row["n"])

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
        """Groups of the guild with ``status`` in SQL ``order`` (see ``build_groups``)."""
        clause, params = status_clause(status, kind)
        keys = await self._query(
            "SELECT normalised, status, COUNT(*) AS n, MIN(created_at) AS first_at, "
            f"MAX(created_at) AS last_at FROM missed WHERE guild_id = ?{clause} "
            f"GROUP BY normalised, status ORDER BY {order} LIMIT ? OFFSET ?",
            (guild_id, *params, limit, offset),
        )
        if not keys:
            return []
        wanted = sorted({k["normalised"] for k in keys})
        members = await self._query(
            f"SELECT {GROUP_MEMBER_COLUMNS} FROM missed "
            f"WHERE guild_id = ?{clause} AND normalised IN ({marks(len(wanted))}) "
            "ORDER BY created_at DESC, id DESC",
            (guild_id, *params, *wanted),
        )
        return build_groups(keys, members, self._to_dt)

    async def _count_by_status(self, guild_id: str) -> list[tuple[Any, Any]]:
        """(status, count) rows of the guild's missed questions."""
        rows = await self._query(
            "SELECT status, COUNT(*) AS n FROM missed WHERE guild_id = ? GROUP BY status",
            (guild_id,),
        )
        return [(row["status"], row["n"]) for row in rows]

    async def _count_by_helpful(self, guild_id: str) -> list[tuple[Any, Any]]:
        """(helpful flag, count) rows of the guild's feedback."""
        rows = await self._query(
            "SELECT helpful, COUNT(*) AS n FROM feedback WHERE guild_id = ? GROUP BY helpful",
            (guild_id,),
        )
        return [(row["helpful"], row["n"]) for row in rows]

    async def list_groups(
        self,
        guild_id: str,
        status: str = "open",
        *,
        page: int = 1,
        per_page: int = 10,
        kind: str | None = None,
    ) -> tuple[list[MissedGroup], int]:
        """A page of identical questions grouped with a count, newest group first.

        With ``status="all"`` a question that is open and also resolved shows
        as two groups, so each group has one status.
        """
        check_page(page, per_page)
        check_status(status)
        check_kind(kind)
        total = await self._count_groups(guild_id, status, kind)
        groups = await self._groups(
            guild_id,
            status,
            order="MAX(created_at) DESC, MAX(id) DESC",
            limit=per_page,
            offset=(page - 1) * per_page,
            kind=kind,
        )
        return groups, total

    async def stats(self, guild_id: str, *, now: datetime | None = None) -> Stats:
        """Counts by status, by ISO week (8 weeks, newest first), top open, feedback."""
        labels, monday = week_window(aware(now or utcnow()))
        by_status = await self._count_by_status(guild_id)
        by_day = await self._count_by_day(guild_id, monday)
        top_open = await self._groups(
            guild_id, "open", order="COUNT(*) DESC, MAX(created_at) DESC", limit=10
        )
        return build_stats(
            labels=labels,
            by_status=by_status,
            by_day=by_day,
            top_open=top_open,
            by_helpful=await self._count_by_helpful(guild_id),
        )

    # -- moderator and member actions ---------------------------------------------------------
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
        if not self._id_in_range(int(missed_id)):
            return None
        now = self._timestamp_param(utcnow())
        moderator = self._author(moderator_id)
        return await self._resolve(guild_id, int(missed_id), entry_id, moderator, note, now)

    async def dismiss(
        self, guild_id: str, missed_id: int, *, moderator_id: int | str, reason: str | None = None
    ) -> int:
        """Dismiss the row and its open twins; 0 if the id is not in this guild."""
        if not self._id_in_range(int(missed_id)):
            return 0
        now = self._timestamp_param(utcnow())
        moderator = self._author(moderator_id)
        return await self._dismiss(guild_id, int(missed_id), moderator, reason, now)

    async def _resolve(
        self, guild_id: str, missed_id: int, entry_id: str, by: str, note: str | None, now: Any
    ) -> LearnedPhrasing | None:
        """``resolve`` in one transaction (``now`` from ``_timestamp_param``)."""
        entry = self._param(entry_id)
        async with self._transaction() as tx:
            found = first(
                await tx.fetch(
                    f"SELECT question, normalised FROM missed WHERE id = ? AND guild_id = ?"
                    f"{self._row_lock}",
                    (missed_id, guild_id),
                )
            )
            if found is None:
                return None
            question, normalised = found["question"], found["normalised"]
            await tx.execute(
                RESOLVE, (entry, by, now, self._param(note), guild_id, missed_id, normalised)
            )
            await tx.execute(LEARN, (guild_id, question, normalised, entry, by, now))
            learned = first(
                await tx.fetch(
                    f"{LEARNED_SELECT} WHERE guild_id = ? AND normalised = ?",
                    (guild_id, normalised),
                )
            )
        if learned is None:  # pragma: no cover - the insert above guarantees a row
            raise StorageError(f"{self._where}: learned phrasing vanished during resolve")
        return learned_row(learned, self._to_dt)

    async def _dismiss(
        self, guild_id: str, missed_id: int, by: str, reason: str | None, now: Any
    ) -> int:
        """``dismiss`` in one transaction; the number of rows changed."""
        async with self._transaction() as tx:
            found = first(
                await tx.fetch(
                    f"SELECT normalised FROM missed WHERE id = ? AND guild_id = ?{self._row_lock}",
                    (missed_id, guild_id),
                )
            )
            if found is None:
                return 0
            return await tx.execute(
                DISMISS,
                (by, now, self._param(reason), guild_id, missed_id, found["normalised"]),
            )

    async def _delete_authored(self, keys: tuple[str, str]) -> int:
        """Delete missed and feedback rows whose author is one of ``keys``; blank the rest."""
        async with self._transaction() as tx:
            deleted = 0
            for table in ("missed", "feedback"):
                deleted += await tx.execute(f"DELETE FROM {table} WHERE author IN (?, ?)", keys)
            await tx.execute("UPDATE missed SET changed_by = NULL WHERE changed_by IN (?, ?)", keys)
            await tx.execute("UPDATE learned SET added_by = NULL WHERE added_by IN (?, ?)", keys)
        return deleted

    async def _delete_older(self, cutoff: datetime) -> int:
        """Delete missed and feedback rows created before ``cutoff``."""
        before = self._timestamp_param(cutoff)
        async with self._transaction() as tx:
            deleted = 0
            for table in ("missed", "feedback"):
                deleted += await tx.execute(f"DELETE FROM {table} WHERE created_at < ?", (before,))
        return deleted

    async def forget_user(self, user_id: int | str) -> int:
        """Delete the member's missed and feedback rows in every guild; count them.

        Matches both the salted hash and the raw id (the setting may have
        changed), flushes this process's queued rows first so none arrive
        afterwards, and also blanks the member's id on moderator actions and
        learned phrasings. (With PostgreSQL, rows another process still has
        queued arrive later; each process flushes its own writer when it
        handles the command.)
        """
        if self._writer is not None:
            try:
                await self._writer.flush(timeout=10.0)
            except TimeoutError:
                logging.getLogger(type(self).__module__).warning(
                    "forget_user: writer did not flush within 10 s; deleting anyway"
                )
        return await self._delete_authored((self.hash_user(user_id), str(user_id)))

    async def purge(self, retention_days: int, *, now: datetime | None = None) -> int:
        """Delete missed and feedback rows older than ``retention_days``; learned stay."""
        return await self._delete_older(retention_cutoff(retention_days, now))
